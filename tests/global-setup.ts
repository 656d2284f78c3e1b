import { startTestServices } from "@headless-ops/testkit";
import type { TestProject } from "vitest/node";

/** Once per `vitest run`: find Postgres and NATS, migrate a template database. */
export default async function setup(project: TestProject) {
  const { services, stop } = await startTestServices(process.env);
  project.provide("testServices", services);
  return stop;
}
