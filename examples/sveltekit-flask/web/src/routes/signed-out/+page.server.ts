import type { PageServerLoad } from "./$types";
import { NOTICE_COOKIE } from "$lib/server/guard";

export const load: PageServerLoad = ({ url, locals, cookies }) => {
  const noted = cookies.get(NOTICE_COOKIE) === "security";
  if (noted) cookies.delete(NOTICE_COOKIE, { path: "/" });
  return { security: url.searchParams.get("reason") === "security" || locals.endedByTheft || noted };
};
