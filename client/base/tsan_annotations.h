#ifndef TESSERA_CLIENT_BASE_TSAN_ANNOTATIONS_H_
#define TESSERA_CLIENT_BASE_TSAN_ANNOTATIONS_H_

// Tells ThreadSanitizer about ordering that gRPC guarantees but TSan cannot
// see, because Debian's gRPC is not instrumented: gRPC runs a reactor's or
// an interceptor's next step only after the previous one handed control
// back, yet the hand-off happens inside libgrpc. Used only at such gRPC
// boundaries, each with a comment naming the guarantee; never instead of a
// lock. No-ops unless built with --config=tsan (which defines TESSERA_TSAN).

#if defined(TESSERA_TSAN)
extern "C" {
void __tsan_acquire(void* addr);
void __tsan_release(void* addr);
void AnnotateIgnoreReadsBegin(const char* file, int line);
void AnnotateIgnoreReadsEnd(const char* file, int line);
}
// Everything before HANDOFF_RELEASE(x) happens before everything after a
// later HANDOFF_ACQUIRE(x) on any thread.
#define TESSERA_HANDOFF_RELEASE(addr) __tsan_release((void*)(addr))
#define TESSERA_HANDOFF_ACQUIRE(addr) __tsan_acquire((void*)(addr))
// Reads between these two, on this thread, are not recorded: for reads that
// gRPC makes inside a call (serializing a message we handed it) whose
// ordering with our next write it guarantees through its completion queue.
#define TESSERA_IGNORE_READS_BEGIN() \
  AnnotateIgnoreReadsBegin(__FILE__, __LINE__)
#define TESSERA_IGNORE_READS_END() AnnotateIgnoreReadsEnd(__FILE__, __LINE__)
#else
#define TESSERA_HANDOFF_RELEASE(addr) static_cast<void>(addr)
#define TESSERA_HANDOFF_ACQUIRE(addr) static_cast<void>(addr)
#define TESSERA_IGNORE_READS_BEGIN() static_cast<void>(0)
#define TESSERA_IGNORE_READS_END() static_cast<void>(0)
#endif

#endif  // TESSERA_CLIENT_BASE_TSAN_ANNOTATIONS_H_
