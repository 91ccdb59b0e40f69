import type { PageServerLoad } from "./$types";

export const load: PageServerLoad = ({ url }) => ({ security: url.searchParams.get("reason") === "security" });
