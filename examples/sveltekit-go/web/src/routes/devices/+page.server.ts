import { fail, redirect } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { session } from "$lib/server/guard";
import { getAuth } from "$lib/server/tessera";

export const load: PageServerLoad = async (event) => {
  await session(event);
  const { data } = await event.locals.api.GET("/api/devices");
  if (data === undefined) throw new Error("GET /api/devices failed");
  return { devices: data.devices };
};

export const actions: Actions = {
  /** Signs out one device (the API revokes it and waits until its Verifier applied it). */
  revoke: async (event) => {
    const id = String((await event.request.formData()).get("session_id") ?? "");
    await session(event);
    const { response } = await event.locals.api.DELETE("/api/devices/{session_id}", { params: { path: { session_id: id } } });
    if (response.status === 404) return fail(404, { error: "no such device" });
    if (id === event.locals.session?.sessionId) {
      event.locals.tessera.clear();
      redirect(303, "/signed-out");
    }
    return { revoked: id };
  },
  /** Signs out every device of this user, this one included. */
  everywhere: async (event) => {
    await session(event);
    const { data } = await event.locals.api.POST("/api/devices/revoke-all");
    if (data === undefined) return fail(502, { error: "sign out everywhere failed" });
    // The API's Verifier has applied it; let this server's catch up too.
    await getAuth().verifier.waitForSequence(BigInt(data.sequence), { timeoutMs: 2_000 }).catch(() => {});
    event.locals.tessera.clear();
    redirect(303, "/signed-out");
  },
};
