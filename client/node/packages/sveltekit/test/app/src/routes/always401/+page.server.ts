import type { PageServerLoad } from "./$types";

export const load: PageServerLoad = async ({ locals }) => {
  const { response } = await locals.api.GET("/always401");
  return { status: response.status, signedIn: locals.session !== null };
};
