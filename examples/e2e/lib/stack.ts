// One example's whole system on loopback: tesserad (--access_ttl=5s, a temp
// data dir, its audit log in a file), the example's API and its built web
// app, each on a free 127.0.0.1 port.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { freePort, httpStatus, start, waitUntil, type Proc } from "./procs.js";

const run = promisify(execFile);

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export type Example = "sveltekit-go" | "sveltekit-flask";

/** Seconds without word from tesserad before the web app's and the API's Verifiers fail closed. */
export const MAX_STALENESS_S = 5;
export const ACCESS_TTL_S = 5;

function binary(envName: string, fallback: string, what: string): string {
  const p = process.env[envName] || path.join(REPO, fallback);
  if (!existsSync(p)) throw new Error(`${what} not found at ${p}: set ${envName} or build //${path.dirname(fallback).replace(/^bazel-bin\//, "")}`);
  return p;
}
export const tesseradBin = () => binary("TESSERA_TESSERAD", "bazel-bin/server/tesserad", "tesserad");
export const cliBin = () => binary("TESSERA_CLI", "bazel-bin/tools/cli/tessera", "the tessera CLI");

export interface Stack {
  readonly example: Example;
  /** The web app's origin, e.g. http://127.0.0.1:40123. */
  readonly web: string;
  /** The API's origin. */
  readonly api: string;
  /** tesserad's gRPC host:port. */
  readonly grpc: string;
  readonly dir: string;
  /** RefreshSession calls tesserad answered so far, by gRPC code. */
  refreshCalls(): Promise<Record<string, number>>;
  /** The audit log's lines, parsed. */
  audit(): Array<Record<string, unknown>>;
  /** Runs the tessera CLI against this tesserad. */
  cli(...args: string[]): Promise<string>;
  stopTesserad(): Promise<void>;
  startTesserad(): Promise<void>;
  stop(): Promise<void>;
}

/** Builds the example's API if it needs building; returns how to start it. */
async function apiCommand(example: Example, dir: string): Promise<{ cmd: string; args: string[]; cwd: string }> {
  if (example === "sveltekit-go") {
    const src = process.env.EXAMPLES_GO_API_DIR || path.join(REPO, "examples/sveltekit-go/api");
    const bin = path.join(dir, "api");
    await run("go", ["build", "-o", bin, "."], { cwd: src });
    return { cmd: bin, args: [], cwd: src };
  }
  const src = process.env.EXAMPLES_FLASK_API_DIR || path.join(REPO, "examples/sveltekit-flask/api");
  const python = path.join(src, ".venv/bin/python");
  if (!existsSync(python)) throw new Error(`${python} missing: run examples/sveltekit-flask/api/test.sh (or examples/test.sh) first`);
  return { cmd: python, args: ["-m", "example_api"], cwd: src };
}

export async function startStack(example: Example): Promise<Stack> {
  const dir = mkdtempSync(path.join(tmpdir(), `tessera-${example}-`));
  const procs: Proc[] = [];
  let tesserad: Proc | null = null;
  const [grpcPort, httpPort, apiPort, webPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const grpc = `127.0.0.1:${grpcPort}`;
  const metricsUrl = `http://127.0.0.1:${httpPort}/metrics`;
  const api = `http://127.0.0.1:${apiPort}`;
  const web = `http://127.0.0.1:${webPort}`;
  const audit = path.join(dir, "audit.log");

  async function startTesserad(): Promise<void> {
    tesserad = start("tesserad", tesseradBin(), [
      `--grpc_address=${grpc}`,
      `--http_address=127.0.0.1:${httpPort}`,
      `--data_dir=${path.join(dir, "data")}`,
      `--access_ttl=${ACCESS_TTL_S}s`,
      `--audit_log_file=${audit}`,
      "--shutdown_drain=0s",
    ], { log: path.join(dir, "tesserad.log") });
    await waitUntil(tesserad, "tesserad /readyz", async () => (await httpStatus(`http://127.0.0.1:${httpPort}/readyz`)) === 200);
  }
  async function stopTesserad(): Promise<void> {
    await tesserad?.stop();
    tesserad = null;
  }
  async function stop(): Promise<void> {
    for (const p of procs.reverse()) await p.stop();
    await stopTesserad();
    if (!process.env.EXAMPLES_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
  }

  try {
    await startTesserad();
    const common = { ...process.env, TESSERA_ADDRESS: grpc, TESSERA_MAX_STALENESS: String(MAX_STALENESS_S) };
    const a = await apiCommand(example, dir);
    const apiProc = start("api", a.cmd, a.args, { cwd: a.cwd, env: { ...common, API_ADDRESS: `127.0.0.1:${apiPort}` }, log: path.join(dir, "api.log") });
    procs.push(apiProc);
    await waitUntil(apiProc, "the API's /healthz with its Verifier ready", async () => {
      const r = await fetch(`${api}/healthz`);
      return r.ok && ((await r.json()) as { verifier_ready?: boolean }).verifier_ready === true;
    });
    const webDir = path.join(REPO, "examples", example, "web");
    if (!existsSync(path.join(webDir, "build/index.js"))) throw new Error(`${webDir}/build missing: run npm ci && npm run build there (examples/test.sh does)`);
    const webProc = start("web", process.execPath, ["build"], {
      cwd: webDir,
      env: {
        ...common,
        API_ORIGIN: api,
        HOST: "127.0.0.1",
        PORT: String(webPort),
        ORIGIN: web,
        TESSERA_REFRESH_WINDOW_MS: "1000",
      },
      log: path.join(dir, "web.log"),
    });
    procs.push(webProc);
    await waitUntil(webProc, "the web app's /login", async () => (await httpStatus(`${web}/login`)) === 200);
  } catch (e) {
    await stop();
    throw e;
  }

  return {
    example,
    web,
    api,
    grpc,
    dir,
    async refreshCalls() {
      const text = await (await fetch(metricsUrl)).text();
      const out: Record<string, number> = {};
      for (const m of text.matchAll(/^tessera_grpc_requests_total\{method="tessera\.v1\.TokenAuthority\/RefreshSession",code="(\w+)"\} (\d+)$/gm)) {
        out[m[1]!] = Number(m[2]);
      }
      return out;
    },
    audit() {
      if (!existsSync(audit)) return [];
      return readFileSync(audit, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    async cli(...args: string[]) {
      const { stdout } = await run(cliBin(), [`--address=${grpc}`, ...args]);
      return stdout;
    },
    stopTesserad,
    startTesserad,
    stop,
  };
}
