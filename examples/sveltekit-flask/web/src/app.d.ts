import type { TesseraAppLocals } from "@tessera-auth/sveltekit";

declare global {
  namespace App {
    interface Locals extends TesseraAppLocals {}
  }
}

export {};
