import { sveltekit } from "@sveltejs/kit/vite";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [sveltekit()],
  // Bundle the Tessera SvelteKit package with the app: the build bundles
  // @sveltejs/kit itself, and the redirect()/error() the package throws must
  // come from that same copy, or Kit sees an unknown error (a 500) instead
  // of a redirect or a 503.
  ssr: { noExternal: ["@tessera-auth/sveltekit"] },
});
