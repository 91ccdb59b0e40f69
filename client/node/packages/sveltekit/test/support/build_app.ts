// Vitest global setup: builds the test SvelteKit app once per run.
import { spawnSync } from "node:child_process";
import { appDir, viteBin } from "./app.js";

export default function setup(): void {
  const r = spawnSync(process.execPath, [viteBin, "build"], { cwd: appDir, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`building test/app failed:\n${r.stdout}\n${r.stderr}`);
}
