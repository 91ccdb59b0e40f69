#!/usr/bin/env bash
# Installs client/node exactly as locked and builds @tessera-auth/node and
# @tessera-auth/sveltekit into their dist/ folders, which the example web apps
# depend on through `file:` links.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$root/client/node"
npm ci --no-audit --no-fund --loglevel=error
npm run build -w @tessera-auth/node >/dev/null
svk="$root/client/node/packages/sveltekit"
if [[ -f "$svk/tsconfig.build.json" ]]; then
  npm run build -w @tessera-auth/sveltekit >/dev/null
else
  # The package has no build tsconfig yet: compile src/ only, resolving
  # @tessera-auth/node through node_modules (its dist types), not its sources.
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  cat >"$tmp/tsconfig.json" <<JSON
{
  "extends": "$svk/tsconfig.json",
  "compilerOptions": { "rootDir": "$svk/src", "outDir": "$svk/dist", "noEmit": false, "paths": {},
                       "typeRoots": ["$root/client/node/node_modules/@types"] },
  "include": ["$svk/src"]
}
JSON
  npx --no-install tsc -p "$tmp/tsconfig.json"
fi
