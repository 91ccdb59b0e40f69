import { redirect } from "@sveltejs/kit";
import type { PageServerLoad } from "./$types";

export const load: PageServerLoad = async ({ locals }) => {
  if (locals.session === null) redirect(303, "/login");
  // The API sees the same session through the middleware's Bearer token.
  const me = await locals.api.GET("/me");
  return {
    subject: locals.session.subject,
    sessionId: locals.session.sessionId,
    name: String(locals.session.claims["name"] ?? ""),
    apiStatus: me.response.status,
    apiName: me.data?.name ?? null,
  };
};
