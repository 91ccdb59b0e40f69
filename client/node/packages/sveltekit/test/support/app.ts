// The test SvelteKit app (test/app): built once per run by the global setup
// (vite build, adapter-node), started per test file with `node build`.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const appDir = join(dirname(fileURLToPath(import.meta.url)), "../app");
export const viteBin = join(appDir, "../../../../node_modules/vite/bin/vite.js");

/** A free loopback port (closed again before it is used: a small race, fine in tests). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

export class AppServer {
  private output = "";
  private constructor(
    private readonly child: ChildProcess,
    readonly origin: string,
  ) {
    child.stdout!.on("data", (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (this.output += d.toString()));
  }

  /** Starts the built app; resolves when it listens. */
  static async start(env: { tesseradAddress: string; apiOrigin: string; extra?: Record<string, string> }): Promise<AppServer> {
    const entry = join(appDir, "build/index.js");
    if (!existsSync(entry)) throw new Error(`${entry} is missing: the global setup builds it`);
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [entry], {
      env: {
        PATH: process.env["PATH"] ?? "",
        HOST: "127.0.0.1",
        PORT: String(port),
        ORIGIN: origin,
        TESSERA_ADDRESS: env.tesseradAddress,
        API_ORIGIN: env.apiOrigin,
        LEEWAY_MS: "0",
        REFRESH_WINDOW_MS: "0",
        ...env.extra,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const app = new AppServer(child, origin);
    const deadline = Date.now() + 60_000;
    while (!app.output.includes("Listening on")) {
      if (child.exitCode !== null) throw new Error(`the app exited: ${app.output}`);
      if (Date.now() > deadline) throw new Error(`the app did not start: ${app.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // Ready once its Verifier has its snapshot (before it, a signed-in
    // request would be "unavailable") and a page answers.
    for (;;) {
      const synced = app.output.includes("tessera verifier synced");
      const r = synced ? await fetch(`${origin}/login`).catch(() => null) : null;
      if (r?.ok) break;
      if (Date.now() > deadline) throw new Error(`the app does not answer: ${app.output}`);
      await new Promise((res) => setTimeout(res, 100));
    }
    return app;
  }

  /** Everything the app printed. */
  get log(): string {
    return this.output;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once("exit", r));
    this.child.kill("SIGTERM");
    const t = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(t);
  }
}
