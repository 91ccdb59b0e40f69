import { fail, redirect } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { session } from "$lib/server/guard";
import { flask, type Device } from "$lib/server/flask";
import { getAuth } from "$lib/server/tessera";

export const load: PageServerLoad = async (event) => {
  await session(event);
  const answer = await flask<{ devices: Device[] }>(event, "GET", "/api/devices");
  if (!answer.ok) throw new Error(`GET /api/devices: ${answer.status}`);
  return { devices: answer.data.devices };
};

export const actions: Actions = {
  /** Signs out one device (the API revokes it and waits until its Verifier applied it). */
  revoke: async (event) => {
    const id = String((await event.request.formData()).get("session_id") ?? "");
    await session(event);
    const answer = await flask(event, "DELETE", `/api/devices/${encodeURIComponent(id)}`);
    if (answer.status === 404) return fail(404, { error: "no such device" });
    if (id === event.locals.session?.sessionId) {
      event.locals.tessera.clear();
      redirect(303, "/signed-out");
    }
    return { revoked: id };
  },
  /** Signs out every device of this user, this one included. */
  everywhere: async (event) => {
    await session(event);
    const answer = await flask<{ revoked: number; sequence: number }>(event, "POST", "/api/devices/revoke-all");
    if (!answer.ok) return fail(502, { error: "sign out everywhere failed" });
    const { data } = answer;
    // The API's Verifier has applied it; let this server's catch up too.
    await getAuth().verifier.waitForSequence(BigInt(data.sequence), { timeoutMs: 2_000 }).catch(() => {});
    event.locals.tessera.clear();
    redirect(303, "/signed-out");
  },
};
