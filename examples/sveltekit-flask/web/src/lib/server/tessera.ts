// One tesserad Client, one Verifier and the Tessera hooks per process,
// created on first use (not while `vite build` analyses the app).
import { env } from "$env/dynamic/private";
import { Client, Verifier } from "@tessera-auth/node";
import { createTessera, type Tessera } from "@tessera-auth/sveltekit";

export interface Auth {
  client: Client;
  verifier: Verifier;
  tessera: Tessera;
}

/** Where a signed-out user goes: the theft notice after a reused refresh token, else the login page. */
export const SECURITY_PATH = "/signed-out?reason=security";
export const loginPath = (reason: string | null) => (reason === "REFRESH_TOKEN_REUSED" ? SECURITY_PATH : "/login");

let auth: Auth | undefined;

export function getAuth(): Auth {
  if (auth !== undefined) return auth;
  const address = env.TESSERA_ADDRESS;
  if (!address) throw new Error("TESSERA_ADDRESS (tesserad's gRPC host:port) is not set");
  const client = new Client({ address, ...(env.TESSERA_API_KEY ? { apiKey: env.TESSERA_API_KEY } : {}) });
  const staleness = Number(env.TESSERA_MAX_STALENESS ?? "");
  const verifier = new Verifier({
    source: client,
    issuer: env.TESSERA_ISSUER ?? "tessera",
    audience: ["api"],
    ...(staleness > 0 ? { maxStalenessMs: staleness * 1000 } : {}),
  });
  const windowMs = Number(env.TESSERA_REFRESH_WINDOW_MS ?? "");
  const tessera = createTessera({
    client,
    verifier,
    apiOrigins: [apiOrigin()],
    loginPath,
    // Refresh this long before expiry (the package's default is 60 s; the
    // browser tests run tesserad with 5 s access tokens).
    ...(windowMs > 0 ? { refreshWindowMs: windowMs } : {}),
  });
  auth = { client, verifier, tessera };
  // adapter-node closes the HTTP server on SIGTERM/SIGINT, then emits this;
  // the Verifier's stream would keep the process alive, so stop it and exit.
  process.once("sveltekit:shutdown", () => {
    void verifier.close().finally(() => process.exit(0));
  });
  return auth;
}

export function apiOrigin(): string {
  return env.API_ORIGIN ?? "http://127.0.0.1:8081";
}
