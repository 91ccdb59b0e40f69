// One Client, Verifier and Tessera per process. Not created while Kit
// analyses the build.
import { building } from "$app/environment";
import { Client, Verifier } from "@tessera-auth/node";
import { createTessera, type Tessera } from "@tessera-auth/sveltekit";

function make(): Tessera {
  const env = process.env;
  const client = new Client({ address: env["TESSERA_ADDRESS"] ?? "127.0.0.1:50051" });
  const verifier = new Verifier({ source: client, issuer: "tessera", leewayMs: Number(env["LEEWAY_MS"] ?? 30_000) });
  // The tests wait for this line: before it, every signed-in request is
  // "unavailable" (no snapshot yet).
  verifier.once("synced", () => console.log("tessera verifier synced"));
  return createTessera({
    client,
    verifier,
    apiOrigins: [env["API_ORIGIN"] ?? "http://127.0.0.1:8081"],
    refreshWindowMs: Number(env["REFRESH_WINDOW_MS"] ?? 60_000),
    loginPath: (reason) => `/login?reason=${encodeURIComponent(reason)}`,
    events: { heartbeatMs: 5_000, retryMs: 500 },
  });
}

export const tessera: Tessera = building ? (undefined as unknown as Tessera) : make();
