import { fail, redirect } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = ({ locals }) => {
  if (locals.tessera.status === "signed_in") redirect(303, "/");
};

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const username = String(form.get("username") ?? "");
    const password = String(form.get("password") ?? "");
    // Stub credential check at the API (a real system asks its identity provider).
    const { data, response } = await event.locals.api.POST("/api/credentials/check", { body: { username, password } });
    if (data === undefined) {
      return fail(response.status === 401 ? 401 : 400, { username, error: "Wrong username or password." });
    }
    await event.locals.tessera.issue({
      subject: data.subject,
      claims: { name: data.name, role: data.role },
      client: { userAgent: event.request.headers.get("user-agent") ?? "" },
    });
    redirect(303, "/");
  },
};
