import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Test against the core package's sources (its dist/ is a build output).
    alias: { "@tessera-auth/node": fileURLToPath(new URL("../core/src/index.ts", import.meta.url)) },
  },
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/app/**"],
    // Builds the test SvelteKit app (test/app) once per run.
    globalSetup: ["test/support/build_app.ts"],
    // Two cores shared with other engineers: keep concurrency modest.
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
