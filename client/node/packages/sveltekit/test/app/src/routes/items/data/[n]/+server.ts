import { error, json } from "@sveltejs/kit";
import type { RequestHandler } from "./$types";

export const GET: RequestHandler = async ({ locals, params }) => {
  if (locals.session === null) error(401, "signed out");
  const n = Number(params.n);
  const { data, response } = await locals.api.GET("/items/{n}", { params: { path: { n } } });
  if (data === undefined) error(response.status === 401 ? 401 : 502, "api refused");
  return json(data);
};
