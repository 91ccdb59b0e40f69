#!/usr/bin/env bash
# Regenerates src/gen/ from the public protos (token_authority.proto,
# admin.proto, keys.proto) and google/rpc/error_details.proto, with Debian's
# protoc and the locally installed protoc-gen-es. Never edit src/gen/ by hand.
#   generate.sh           rewrite src/gen/
#   generate.sh --check   exit 1 if src/gen/ differs from what would be made
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/../../../.." && pwd)
plugin="$here/../../node_modules/.bin/protoc-gen-es"
[ -x "$plugin" ] || { echo "protoc-gen-es missing: run npm ci in client/node" >&2; exit 1; }
command -v protoc >/dev/null || { echo "protoc missing (apt-get install protobuf-compiler)" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
protoc \
  --plugin=protoc-gen-es="$plugin" \
  --es_out="$out" --es_opt=target=ts,import_extension=js \
  -I "$repo/proto" -I "$repo/third_party/googleapis" \
  tessera/v1/token_authority.proto tessera/v1/admin.proto tessera/v1/keys.proto \
  google/rpc/error_details.proto
if [ "${1:-}" = "--check" ]; then
  if ! diff -r "$out" "$here/src/gen" >/dev/null; then
    echo "src/gen is stale: run 'npm run generate -w @tessera-auth/node'" >&2
    diff -r "$out" "$here/src/gen" | head -20 >&2
    exit 1
  fi
  echo "src/gen is current"
  exit 0
fi
rm -rf "$here/src/gen"
cp -r "$out" "$here/src/gen"
