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
    const ua = event.request.headers.get("user-agent") ?? "";
    await event.locals.tessera.issue({
      subject: data.subject,
      claims: { name: data.name, role: data.role },
      client: { userAgent: ua, deviceName: deviceName(ua) },
    });
    redirect(303, "/");
  },
};

/** A short label for the devices page, e.g. "Chrome on Linux" (the full user agent is kept too). */
function deviceName(ua: string): string {
  const browser = /Firefox\//.test(ua) ? "Firefox" : /Edg\//.test(ua) ? "Edge" : /Chrom(e|ium)\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "Browser";
  const os = /Windows/.test(ua) ? "Windows" : /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Mac OS X/.test(ua) ? "macOS" : /Linux/.test(ua) ? "Linux" : "";
  return os === "" ? browser : `${browser} on ${os}`;
}
