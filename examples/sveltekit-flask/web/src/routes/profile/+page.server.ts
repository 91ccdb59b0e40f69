import { fail, redirect } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { session } from "$lib/server/guard";
import { flask, type Profile } from "$lib/server/flask";

// The API's own view of the user (its user table is the source of truth).
export const load: PageServerLoad = async (event) => {
  await session(event);
  const answer = await flask<Profile>(event, "GET", "/api/profile");
  if (!answer.ok) throw new Error(`GET /api/profile: ${answer.status}`);
  return { profile: answer.data };
};

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const name = String(form.get("name") ?? "");
    const role = String(form.get("role") ?? "");
    if (role !== "admin" && role !== "member") return fail(400, { error: "role must be admin or member" });
    // The API updates its table, then UpdateClaims with invalidate: every
    // older access token of this user is refused as STALE_CLAIMS and refreshed.
    await session(event);
    const answer = await flask<Profile>(event, "PATCH", "/api/profile", { name, role });
    if (!answer.ok) return fail(400, { error: answer.data.detail ?? answer.data.error });
    redirect(303, "/");
  },
};
