import { fileURLToPath } from "node:url";
import { sveltekit } from "@sveltejs/kit/vite";
import { defineConfig } from "vite";

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  plugins: [sveltekit()],
  resolve: {
    // The packages under test, from their sources.
    alias: [
      { find: "@tessera-auth/sveltekit/client", replacement: src("../../src/client.ts") },
      { find: "@tessera-auth/sveltekit", replacement: src("../../src/index.ts") },
      { find: "@tessera-auth/node", replacement: src("../../../core/src/index.ts") },
    ],
  },
  logLevel: "warn",
  build: { minify: false },
});
