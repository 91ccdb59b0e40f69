#!/usr/bin/env bash
# Builds Debian's Abseil synchronization library (absl::Mutex, CondVar,
# Notification, ...) from Debian's own source package, with
# -fsanitize=thread, and prints the path of the resulting .so.
#
# Why: Debian's libabsl_synchronization is not instrumented, so TSan cannot
# see absl::Mutex lock/unlock and reports every access guarded by one (ours
# and gRPC's) as a race. Preloaded in its place (same soname, same exported
# symbols, same headers), it makes those locks visible. Cached after the
# first build (~10 s).
set -euo pipefail

version=$(dpkg-query -W -f='${source:Version}' libabsl-dev)
out="${XDG_CACHE_HOME:-$HOME/.cache}/tessera/tsan-absl/${version}"
lib="${out}/libabsl_synchronization.so.20220623"
if [ -f "${lib}" ]; then
  echo "${lib}"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "${work}"' EXIT
cd "${work}"
if ! apt-get source --download-only "abseil=${version}" >/dev/null 2>&1; then
  # Source packages come from the same Debian mirror as the binaries.
  if [ "$(id -u)" -ne 0 ]; then
    echo "absl_sync: need Debian source packages; run as root once" >&2
    exit 1
  fi
  cat >/etc/apt/sources.list.d/tessera-deb-src.sources <<'SOURCES'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  apt-get update -qq >/dev/null
  apt-get source --download-only "abseil=${version}" >/dev/null 2>&1
fi
tar xzf abseil_*.orig.tar.gz
src=$(find . -maxdepth 1 -type d -name 'abseil-*' | head -1)/absl/synchronization

# Compiled against the installed Debian headers (not the tarball's), so the
# inline namespace and options match the rest of Debian's Abseil.
mkdir -p objs "${out}"
for f in barrier.cc blocking_counter.cc mutex.cc notification.cc \
    internal/create_thread_identity.cc internal/per_thread_sem.cc \
    internal/waiter.cc; do
  cp "${src}/${f}" objs/
  g++ -std=c++17 -fsanitize=thread -fPIC -O1 -g \
    -c "objs/$(basename "${f}")" -o "objs/$(basename "${f}" .cc).o"
done
g++ -shared -fsanitize=thread \
  -Wl,-soname,libabsl_synchronization.so.20220623 -o "${lib}.tmp" objs/*.o \
  -labsl_graphcycles_internal -labsl_stacktrace -labsl_symbolize \
  -labsl_time -labsl_malloc_internal -labsl_base -labsl_spinlock_wait \
  -labsl_raw_logging_internal
mv "${lib}.tmp" "${lib}"
echo "${lib}"
