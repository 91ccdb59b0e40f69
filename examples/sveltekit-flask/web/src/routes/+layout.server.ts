import type { LayoutServerLoad } from "./$types";
import { requireSession } from "$lib/server/guard";

export const load: LayoutServerLoad = async (event) => {
  await requireSession(event);
  const s = event.locals.session;
  return {
    user: s === null ? null : { name: String(s.claims.name ?? ""), role: String(s.claims.role ?? "") },
  };
};
