#!/usr/bin/env bash
# Builds the token codec's libFuzzer target with Debian's clang and runs a
# campaign. Usage: tools/fuzz.sh [SECONDS]   (default 600)
# New crash inputs land in tests/fuzz/regressions/token/ (commit them: the
# corpus test replays them in the normal suite). The growing corpus is kept
# in a scratch dir, not in the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"

if ! command -v clang++ >/dev/null || [ ! -e /usr/lib/llvm-14/lib/libFuzzer.a ]; then
  apt-get install -y -qq clang libfuzzer-14-dev rapidjson-dev >/dev/null
fi

out=$(mktemp -d /tmp/tessera-fuzz.XXXXXX)
srcs=(client/token/*.cc tests/fuzz/token_fuzzer.cc)
absl_libs=$(pkg-config --libs absl_strings absl_str_format absl_status \
  absl_statusor absl_time absl_hash absl_raw_hash_set)
# UBSan is recoverable only so that tools/ubsan.supp can silence two known
# bugs inside RapidJSON's headers; halt_on_error keeps everything else fatal.
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$PWD/tools/ubsan.supp"
clang++ -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined \
  -fsanitize-recover=undefined -I. "${srcs[@]}" -o "$out/token_fuzzer" \
  $absl_libs -lcrypto
mkdir -p "$out/corpus"
cp tests/fuzz/corpus/token/* "$out/corpus/"
echo "fuzz: running for ${seconds}s, scratch dir $out"
"$out/token_fuzzer" -max_total_time="$seconds" -max_len=9000 \
  -artifact_prefix=tests/fuzz/regressions/token/ -print_final_stats=1 \
  "$out/corpus"
