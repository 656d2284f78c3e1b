import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { natsServerConfig } from "../src/server-config.js";
import { natsPermissions } from "../src/server-permissions.js";

const shipped = readFileSync(new URL("../../../deploy/nats/nats-server.conf", import.meta.url), "utf8");

describe("deploy/nats/nats-server.conf", () => {
  it("is exactly what the generator renders for the default prefix (run `npm run nats:config`)", () => {
    expect(shipped).toBe(natsServerConfig({ prefix: "" }));
  });

  it("commits no password: each user's comes from the server's environment", () => {
    const passwords = [...shipped.matchAll(/^\s*password:\s*(.+)$/gm)].map((m) => m[1]);
    expect(passwords).toEqual(natsPermissions("").map((u) => `$${u.passwordVariable}`));
    expect(shipped).not.toMatch(/no_auth_user|allow:\s*\[\s*">"/);
  });

  it("gives each service only its own output subject", () => {
    const publish = Object.fromEntries(
      natsPermissions("").map((u) => [u.user, u.publish.filter((s) => !s.startsWith("$JS."))]),
    );
    expect(publish).toEqual({
      api: [
        "ops.operation.created",
        "ops.operation.started",
        "ops.operation.finished",
        "ops.operation.progress_milestone",
      ],
      scheduler: ["ops.job.high", "ops.job.normal", "ops.job.low"],
      prober: ["ops.result"],
      aggregator: ["ops.progress.*"],
      notifier: [],
      provisioner: [],
      monitor: [],
    });
  });

  it("lets the api hear progress, and nothing but its inbox besides; the notifier only its inbox", () => {
    const subscribe = Object.fromEntries(natsPermissions("").map((u) => [u.user, u.subscribe]));
    expect(subscribe.api).toEqual(["_INBOX.api.>", "ops.progress.*"]);
    expect(subscribe.notifier).toEqual(["_INBOX.notifier.>"]);
    expect(subscribe.aggregator).toEqual(["_INBOX.aggregator.>"]);
  });
});
