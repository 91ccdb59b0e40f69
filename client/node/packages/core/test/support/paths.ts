import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (the directory holding proto/ and tests/). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../../..");

/** Reads a conformance file (tests/conformance/<relative>); throws if absent. */
export function readConformance(relative: string): unknown {
  const path = join(repoRoot, "tests/conformance", relative);
  if (!existsSync(path)) throw new Error(`conformance file ${path} is missing`);
  return JSON.parse(readFileSync(path, "utf8")) as unknown;
}
