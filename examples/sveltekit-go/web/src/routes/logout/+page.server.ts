import { redirect } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = () => redirect(303, "/");

export const actions: Actions = {
  // RevokeSession at tesserad (no blacklist anywhere), then the cookies go.
  default: async ({ locals }) => {
    await locals.tessera.signOut();
    redirect(303, "/signed-out");
  },
};
