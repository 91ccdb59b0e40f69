// A fake SvelteKit RequestEvent: a Request with the browser's Cookie header,
// a cookies API that records what the hook sets and deletes, and locals.
import type { Cookies, RequestEvent } from "@sveltejs/kit";

export interface CookieWrite {
  name: string;
  value: string; // "" for a delete
  options: Record<string, unknown>;
}

export class Jar {
  /** What the browser holds (name → value). */
  readonly values = new Map<string, string>();
  header(): string {
    return [...this.values].map(([n, v]) => `${n}=${v}`).join("; ");
  }
  /** Applies a response's writes, as the browser would. */
  apply(writes: CookieWrite[]): void {
    for (const w of writes) {
      if (w.value === "") this.values.delete(w.name);
      else this.values.set(w.name, w.value);
    }
  }
}

export function fakeEvent(
  cookieHeader: string,
  url = "https://app.example/page",
  extraHeaders: Record<string, string> = {},
): {
  event: RequestEvent;
  writes: CookieWrite[];
} {
  const writes: CookieWrite[] = [];
  const cookies = {
    get: () => undefined,
    getAll: () => [],
    set: (name: string, value: string, options: Record<string, unknown>) => writes.push({ name, value, options }),
    delete: (name: string, options: Record<string, unknown>) => writes.push({ name, value: "", options }),
    serialize: () => "",
  } as unknown as Cookies;
  const headers: Record<string, string> = { ...extraHeaders, ...(cookieHeader === "" ? {} : { cookie: cookieHeader }) };
  const event = {
    cookies,
    request: new Request(url, { headers }),
    url: new URL(url),
    locals: {},
  } as unknown as RequestEvent;
  return { event, writes };
}
