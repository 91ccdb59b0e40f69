import { defineConfig } from "vitest/config";

// One file per example; the two run side by side (scenario 5's 30 s waits
// overlap), each with one Chromium, its tests in order.
export default defineConfig({
  test: {
    include: ["*.test.ts"],
    testTimeout: 90_000,
    hookTimeout: 180_000,
    fileParallelism: true,
    maxWorkers: 2,
    minWorkers: 1,
    pool: "forks",
  },
});
