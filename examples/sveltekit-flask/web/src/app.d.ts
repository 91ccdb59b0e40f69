import type { TesseraAppLocals } from "@tessera-auth/sveltekit";

declare global {
  namespace App {
    interface Locals extends TesseraAppLocals {
      /** This request's session was ended by tesserad as stolen (src/lib/server/guard.ts). */
      endedByTheft: boolean;
    }
  }
}

export {};
