import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run the libraries from source; processes started by end-to-end tests run dist/.
    alias: [
      {
        find: /^@headless-ops\/(runtime|contracts|db|bus|worker|testkit|device-sim|client)$/,
        replacement: `${root}libs/$1/src/index.ts`,
      },
    ],
  },
  test: {
    include: ["{libs,services,tools}/*/{src,test}/**/*.test.ts", "tests/**/*.test.ts"],
    globalSetup: ["tests/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    reporters: ["default"],
  },
});
