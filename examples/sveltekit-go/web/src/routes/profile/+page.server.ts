import { fail, redirect } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { session } from "$lib/server/guard";

// The API's own view of the user (its user table is the source of truth).
export const load: PageServerLoad = async (event) => {
  await session(event);
  const { data } = await event.locals.api.GET("/api/profile");
  if (data === undefined) throw new Error("GET /api/profile failed");
  return { profile: data };
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
    const { error } = await event.locals.api.PATCH("/api/profile", { body: { name, role } });
    if (error !== undefined) return fail(400, { error: "detail" in error ? String(error.detail) : error.error });
    redirect(303, "/");
  },
};
