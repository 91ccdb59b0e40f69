import { fail, redirect } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = ({ url, locals }) => ({
  reason: url.searchParams.get("reason") ?? locals.tessera.signedOutReason,
  signedIn: locals.session !== null,
});

export const actions: Actions = {
  default: async ({ request, locals }) => {
    const form = await request.formData();
    const subject = String(form.get("subject") ?? "");
    const name = String(form.get("name") ?? "");
    // A real app checks a password or an IdP here.
    if (!/^[a-z0-9-]{1,64}$/.test(subject)) return fail(400, { error: "bad subject" });
    await locals.tessera.issue({
      subject,
      claims: { name },
      client: { userAgent: request.headers.get("user-agent") ?? "" },
    });
    redirect(303, String(form.get("next") ?? "/") === "/live" ? "/live" : "/");
  },
};
