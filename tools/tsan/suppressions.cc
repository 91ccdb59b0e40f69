// ThreadSanitizer suppressions for `bazel test --config=tsan`, compiled into
// the test binaries that link this library (TSan reads them through the
// __tsan_default_suppressions hook, so no path has to resolve in a sandbox).
//
// Rule: only races whose frames are wholly inside Debian's uninstrumented
// libraries may be listed, each with its reason. Never Tessera code.

extern "C" const char* __tsan_default_suppressions() {
  return
      // gRPC's event engine creates its epoll fd on one thread and waits on
      // it on another; the hand-off is inside uninstrumented libgrpc, so TSan
      // sees the fd's creation and the epoll_wait as unordered.
      "race:grpc_event_engine::posix_engine::Epoll1Poller\n";
}
