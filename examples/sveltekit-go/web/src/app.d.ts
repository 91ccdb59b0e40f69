import type { Client } from "openapi-fetch";
import type { TesseraAppLocals } from "@tessera-auth/sveltekit";
import type { paths } from "$lib/api/schema";

declare global {
  namespace App {
    interface Locals extends TesseraAppLocals {
      /** The API, typed from its OpenAPI document, with the Tessera middleware (hooks.server.ts). */
      api: Client<paths>;
      /** This request's session was ended by tesserad as stolen (src/lib/server/guard.ts). */
      endedByTheft: boolean;
    }
  }
}

export {};
