import { redirect } from "@sveltejs/kit";
import type { Actions } from "./$types";

export const actions: Actions = {
  default: async ({ locals }) => {
    await locals.tessera.signOut();
    redirect(303, "/login");
  },
  everywhere: async ({ locals }) => {
    await locals.tessera.signOut({ everywhere: true });
    redirect(303, "/login");
  },
};
