import { fail, redirect } from "@sveltejs/kit";
import { flask } from "$lib/server/flask";
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
    const answer = await flask<{ subject: string; name: string; role: string }>(event, "POST", "/api/credentials/check", { username, password });
    if (!answer.ok) return fail(answer.status === 401 ? 401 : 400, { username, error: "Wrong username or password." });
    const { data } = answer;
    await event.locals.tessera.issue({
      subject: data.subject,
      claims: { name: data.name, role: data.role },
      client: { userAgent: event.request.headers.get("user-agent") ?? "" },
    });
    redirect(303, "/");
  },
};
