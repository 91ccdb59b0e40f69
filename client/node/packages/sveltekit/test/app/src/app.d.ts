import type { Client } from "openapi-fetch";
import type { TesseraAppLocals } from "@tessera-auth/sveltekit";
import type { paths } from "$lib/api";

declare global {
  namespace App {
    interface Locals extends TesseraAppLocals {
      api: Client<paths>;
    }
  }
}
export {};
