import type { PageServerLoad } from "./$types";
import { session } from "$lib/server/guard";

// Eight API calls in parallel: after expiry they share one refresh.
export const load: PageServerLoad = async (event) => {
  await session(event);
  const answers = await Promise.all(
    Array.from({ length: 8 }, (_, n) => event.locals.api.GET("/api/items/{n}", { params: { path: { n } } })),
  );
  return { items: answers.map((a) => a.data).filter((d) => d !== undefined) };
};
