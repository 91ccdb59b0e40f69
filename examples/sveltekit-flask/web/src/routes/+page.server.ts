import type { PageServerLoad } from "./$types";
import { session } from "$lib/server/guard";

// The user's data straight from the access token's claims: no API call.
export const load: PageServerLoad = async (event) => {
  const s = await session(event);
  return { name: String(s.claims.name ?? ""), role: String(s.claims.role ?? ""), sessionId: s.sessionId };
};
