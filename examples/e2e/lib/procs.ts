// Child processes for the scenarios: started on free 127.0.0.1 ports with
// their output in a log file, and stopped on every path (afterAll, a
// failed start, the test process exiting).
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import net from "node:net";

const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** A port the kernel just gave out on 127.0.0.1 (closed again at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface Proc {
  readonly name: string;
  readonly log: string;
  readonly child: ChildProcess;
  /** SIGTERM, then SIGKILL after 5 s; resolves when it has exited. */
  stop(): Promise<void>;
  exited(): boolean;
}

export function start(name: string, cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; log: string }): Proc {
  const out = createWriteStream(opts.log, { flags: "a" });
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  running.add(child);
  let done = false;
  const exit = new Promise<void>((resolve) => {
    const finish = () => {
      done = true;
      running.delete(child);
      resolve();
    };
    child.on("exit", finish);
    child.on("error", finish);
  });
  return {
    name,
    log: opts.log,
    child,
    exited: () => done,
    async stop() {
      if (done) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** Polls `probe` until it resolves true; fails with the process's log tail if it exits or `timeoutMs` passes. */
export async function waitUntil(proc: Proc | null, what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc?.exited()) throw new Error(`${proc.name} exited while waiting for ${what}:\n${tail(proc.log)}`);
    try {
      if (await probe()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${proc ? `:\n${tail(proc.log)}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** GET url → status, or 0 when nothing answers. */
export async function httpStatus(url: string): Promise<number> {
  try {
    const r = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(2_000) });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 0;
  }
}
