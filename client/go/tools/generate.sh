#!/usr/bin/env bash
# Regenerates tesserapb/ (the Go stubs for the public Tessera API) from
# proto/tessera/v1/{token_authority,admin,keys}.proto with protoc and the
# pinned protoc-gen-go / protoc-gen-go-grpc plugins (installed here, into a
# private GOBIN, at the versions below).
#
#   tools/generate.sh            rewrite tesserapb/ in place (go generate ./...)
#   tools/generate.sh OUT_DIR    write into OUT_DIR instead (staleness check)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${1:-$here}"

PROTOC_GEN_GO_VERSION=v1.36.12
PROTOC_GEN_GO_GRPC_VERSION=v1.6.2
module=github.com/tessera-auth/tessera/client/go
pkg=$module/tesserapb

gobin="${TESSERA_GO_TOOLS:-$(go env GOCACHE)/tessera-protoc-plugins}"
mkdir -p "$gobin"
want="$PROTOC_GEN_GO_VERSION $PROTOC_GEN_GO_GRPC_VERSION"
if [ ! -x "$gobin/protoc-gen-go" ] || [ ! -x "$gobin/protoc-gen-go-grpc" ] ||
  [ "$(cat "$gobin/versions" 2>/dev/null)" != "$want" ]; then
  GOBIN="$gobin" go install \
    "google.golang.org/protobuf/cmd/protoc-gen-go@$PROTOC_GEN_GO_VERSION"
  GOBIN="$gobin" go install \
    "google.golang.org/grpc/cmd/protoc-gen-go-grpc@$PROTOC_GEN_GO_GRPC_VERSION"
  echo "$want" >"$gobin/versions"
fi

files=(tessera/v1/keys.proto tessera/v1/token_authority.proto tessera/v1/admin.proto)
maps=()
for f in "${files[@]}"; do maps+=("M$f=$pkg;tesserapb"); done
go_opts=("module=$module")
for m in "${maps[@]}"; do go_opts+=("$m"); done
join() { local IFS=,; echo "$*"; }

mkdir -p "$out/tesserapb"
rm -f "$out"/tesserapb/*.pb.go
PATH="$gobin:$PATH" protoc -I "$repo/proto" -I /usr/include \
  --go_out="$out" --go_opt="$(join "${go_opts[@]}")" \
  --go-grpc_out="$out" --go-grpc_opt="$(join "${go_opts[@]}")" \
  "${files[@]}"
