#ifndef TESSERA_SERVER_SESSION_PERIODIC_H_
#define TESSERA_SERVER_SESSION_PERIODIC_H_

// Background housekeeping on a thread of its own (the live-session count,
// the purge): `run` once at Start(), then runs starting `interval` apart (at
// once when one took longer), until Stop().
//
// `run` gets a flag that becomes true when Stop() is called: a long run
// checks it now and then and returns early.
//
// Thread-safety: Start() and Stop() from the owner's thread. `run` runs on
// the background thread only, never two at a time.

#include <atomic>
#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace tessera::session {

class PeriodicThread {
 public:
  using Run = std::function<void(const std::atomic<bool>& stopping)>;

  PeriodicThread(absl::Duration interval, Run run);
  PeriodicThread(const PeriodicThread&) = delete;
  PeriodicThread& operator=(const PeriodicThread&) = delete;
  ~PeriodicThread();  // Stop().

  // Starts the thread; the first run begins at once. Call at most once.
  void Start();
  // Tells a run in progress to end early and joins the thread. Idempotent.
  void Stop();

 private:
  void Loop();

  const absl::Duration interval_;
  const Run run_;
  std::atomic<bool> stopping_{false};  // Read by `run_`, without mu_.
  absl::Mutex mu_;
  bool stop_requested_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace tessera::session

#endif  // TESSERA_SERVER_SESSION_PERIODIC_H_
