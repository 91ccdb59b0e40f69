// ThreadSanitizer suppressions for `bazel test --config=tsan`, compiled into
// the test binaries that link this library (TSan reads them through the
// __tsan_default_suppressions hook, so no path has to resolve in a sandbox).
//
// Rule: only races whose frames are wholly inside Debian's uninstrumented
// libraries may be listed, each with its reason. Never Tessera code.
//
// Uninstrumented code is invisible to TSan except where it calls an
// intercepted libc function (memcpy, memcmp, epoll_wait, ...). Such a call
// is then checked against the library's own synchronization, which TSan
// cannot see either, so it is reported as a race. `called_from_lib`
// suppresses exactly those reports: the racing access is made by the named
// library itself, never by Tessera code.

extern "C" const char* __tsan_default_suppressions() {
  return
      // gRPC and its gpr runtime: event engine (epoll fd hand-off), channel
      // args, call batches.
      "called_from_lib:libgrpc.so\n"
      "called_from_lib:libgpr.so\n"
      // Abseil's deadlock-detection graph (GraphCycles), used by gRPC's
      // absl::Mutex calls.
      "called_from_lib:libabsl_graphcycles_internal.so\n"
      "called_from_lib:libabsl_synchronization.so\n"
      // absl::Status payload storage: heap blocks reused across threads
      // after frees TSan did not see inside the uninstrumented library.
      "called_from_lib:libabsl_status.so\n";
}
