import type { PageServerLoad } from "./$types";
import { endedByTheft } from "$lib/server/guard";

export const load: PageServerLoad = async (event) => ({
  security: event.url.searchParams.get("reason") === "security" || (await endedByTheft(event)),
});
