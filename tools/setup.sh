#!/usr/bin/env bash
# Installs the Debian 12 packages Tessera builds, tests and runs with, and
# the pinned grpcurl (a Go module; Debian 12 does not package it).
# Idempotent: installs only what is missing, and says what it did.
set -euo pipefail

# grpcurl for docs/grpcurl.md and its test (tests/grpcurl/test.sh).
GRPCURL_MODULE=github.com/fullstorydev/grpcurl
GRPCURL_VERSION=v1.9.4

PACKAGES=(
  # Build: Bazel 4.2.3 (offline) and the compiler.
  bazel-bootstrap bazel-platforms g++ python3
  # Libraries, linked from //third_party.
  libgrpc++-dev protobuf-compiler protobuf-compiler-grpc libprotobuf-dev
  grpc-proto librocksdb-dev libabsl-dev libssl-dev
  # The HTTP side listener (JWKS, health, metrics).
  libcpp-httplib-dev
  # Token codec: strict JSON; BoringSSL for --config=boringssl.
  rapidjson-dev android-libboringssl-dev
  # Tests and benchmarks.
  libgtest-dev libgmock-dev libbenchmark-dev
  # promtool checks /metrics; it ships in the prometheus package (its server
  # is not started by the tests).
  prometheus
  # Browser tests (client/node, examples/): Debian's Chromium, driven by
  # playwright-core; nothing downloads a browser of its own.
  chromium
  # PostgreSQL 15 for the development cluster (tools/pg_cluster.sh) and the
  # high-availability work; libpq for the store that will use it.
  postgresql-15 libpq-dev
  # The grpcurl cookbook's commands (tests/grpcurl/).
  jq openssl curl
)
# Interop tests run Node's jose; any Node >= 18 will do, Debian's included.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  PACKAGES+=(nodejs npm)
fi

# install_grpcurl: `go install` of the pinned version into $(go env GOBIN),
# else $(go env GOPATH)/bin, unless that binary was built from it already.
install_grpcurl() {
  if ! command -v go >/dev/null; then
    echo "setup: go not found; grpcurl ${GRPCURL_VERSION} needs Go (>= 1.22) to install" >&2
    return 1
  fi
  local bin
  bin=$(go env GOBIN)
  [ -n "$bin" ] || bin="$(go env GOPATH)/bin"
  if [ -x "$bin/grpcurl" ] && go version -m "$bin/grpcurl" 2>/dev/null |
      grep -Eq "^[[:space:]]+mod[[:space:]]+${GRPCURL_MODULE}[[:space:]]+${GRPCURL_VERSION}[[:space:]]"; then
    echo "setup: grpcurl ${GRPCURL_VERSION} already installed ($bin/grpcurl)"
    return 0
  fi
  echo "setup: installing grpcurl ${GRPCURL_VERSION} into $bin (go install)"
  GOFLAGS= go install "${GRPCURL_MODULE}/cmd/grpcurl@${GRPCURL_VERSION}"
}

install_packages() {
  local missing=()
  for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
        grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done

  if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all ${#PACKAGES[@]} packages already installed"
    return 0
  fi

  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing packages: ${missing[*]}" >&2
    echo "setup: run as root (or with sudo) to install them" >&2
    return 1
  fi

  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "setup: installed ${#missing[@]} package(s)"
}

install_packages
install_grpcurl
