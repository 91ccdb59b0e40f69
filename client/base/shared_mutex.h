#ifndef TESSERA_CLIENT_BASE_SHARED_MUTEX_H_
#define TESSERA_CLIENT_BASE_SHARED_MUTEX_H_

// A reader-writer lock that ThreadSanitizer can see through, with Abseil's
// thread-safety annotations.
//
// Why not absl::Mutex here: Debian's Abseil is not built with
// -fsanitize=thread, so TSan cannot see absl::Mutex's happens-before edges
// and reports every access it guards as a race. The code a relying service
// links into its own process (the Verifier and what it uses) takes this lock
// instead, so that a service's TSan build stays clean; std::shared_mutex is
// pthread underneath, which TSan intercepts. The server keeps absl::Mutex.

#include <shared_mutex>

#include "absl/base/thread_annotations.h"

namespace tessera {

class ABSL_LOCKABLE SharedMutex {
 public:
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }
  void ReaderLock() ABSL_SHARED_LOCK_FUNCTION() { mu_.lock_shared(); }
  void ReaderUnlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock_shared(); }

 private:
  std::shared_mutex mu_;
};

class ABSL_SCOPED_LOCKABLE WriterLock {
 public:
  explicit WriterLock(SharedMutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu)
      : mu_(mu) {
    mu_->Lock();
  }
  ~WriterLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  SharedMutex* const mu_;
};

class ABSL_SCOPED_LOCKABLE ReaderLock {
 public:
  explicit ReaderLock(SharedMutex* mu) ABSL_SHARED_LOCK_FUNCTION(mu) : mu_(mu) {
    mu_->ReaderLock();
  }
  ~ReaderLock() ABSL_UNLOCK_FUNCTION() { mu_->ReaderUnlock(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  SharedMutex* const mu_;
};

}  // namespace tessera

#endif  // TESSERA_CLIENT_BASE_SHARED_MUTEX_H_
