// Starts the real tesserad on free loopback ports with a temporary data
// directory, as tests/testing/tesserad_process.cc does for the C++ e2e tests.
// The binary comes from $TESSERA_TESSERAD, else <repo>/bazel-bin/server/tesserad.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./paths.js";

export function tesseradPath(): string {
  const fromEnv = process.env["TESSERA_TESSERAD"];
  const path = fromEnv !== undefined && fromEnv !== "" ? fromEnv : join(repoRoot, "bazel-bin/server/tesserad");
  if (!existsSync(path)) {
    throw new Error(
      `tesserad not found at ${path}: set TESSERA_TESSERAD to a tesserad binary, or run 'bazel build //server:tesserad'`,
    );
  }
  return path;
}

export class Tesserad {
  grpcAddress = "";
  httpAddress = "";
  private child: ChildProcess | undefined;
  private logPath = "";

  private constructor(
    readonly dataDir: string,
    private readonly flags: string[],
  ) {}

  /** Starts a tesserad; `flags` are added to the address and data-dir flags. */
  static async start(flags: string[] = [], dataDir?: string): Promise<Tesserad> {
    const dir = dataDir ?? join(mkdtempSync(join(tmpdir(), "tessera-node-")), "data");
    const t = new Tesserad(dir, flags);
    await t.launch("127.0.0.1:0");
    return t;
  }

  /** The log so far (tesserad logs JSON lines). */
  log(): string {
    return existsSync(this.logPath) ? readFileSync(this.logPath, "utf8") : "";
  }

  private async launch(grpcAddress: string): Promise<void> {
    this.logPath = join(mkdtempSync(join(tmpdir(), "tesserad-log-")), "tesserad.log");
    const fd = openSync(this.logPath, "a");
    const args = [`--grpc_address=${grpcAddress}`, "--http_address=127.0.0.1:0", `--data_dir=${this.dataDir}`, ...this.flags];
    const child = spawn(tesseradPath(), args, { stdio: ["ignore", fd, fd] });
    closeSync(fd);
    this.child = child;
    let exited = false;
    child.once("exit", () => (exited = true));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const line = this.log()
        .split("\n")
        .find((l) => l.includes('"msg":"tesserad serving"'));
      if (line !== undefined) {
        const parsed = JSON.parse(line) as { grpc_address: string; http_address: string };
        this.grpcAddress = parsed.grpc_address;
        this.httpAddress = parsed.http_address;
        return;
      }
      if (exited) throw new Error(`tesserad exited during start-up; log:\n${this.log()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`tesserad did not report serving in time; log:\n${this.log()}`);
  }

  /** SIGTERM and wait for exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const done = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await done;
    clearTimeout(timer);
    this.child = undefined;
  }

  /** Starts it again on the same gRPC address and data directory. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch(this.grpcAddress);
  }
}
