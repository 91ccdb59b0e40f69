#include "server/service/worker_pool.h"

#include <algorithm>
#include <utility>

namespace tessera::service {

WorkerPool::WorkerPool(int threads, size_t max_queued)
    : max_queued_(max_queued) {
  for (int i = 0; i < threads; ++i) {
    slots_.push_back(std::make_unique<Slot>());
  }
  for (auto& slot : slots_) {
    threads_.emplace_back([this, &slot = *slot] { Run(slot); });
  }
}

WorkerPool::~WorkerPool() { Stop(); }

bool WorkerPool::Submit(std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return false;
  if (!idle_.empty()) {
    Slot* slot = idle_.back();
    idle_.pop_back();
    slot->task = std::move(task);
    ++busy_;
    slot->wake.Signal();
    return true;
  }
  if (queue_.size() >= max_queued_) return false;
  queue_.push_back(std::move(task));
  return true;
}

void WorkerPool::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    for (Slot* slot : idle_) slot->wake.Signal();
  }
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

size_t WorkerPool::queued() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

int WorkerPool::busy() const {
  absl::MutexLock lock(&mu_);
  return busy_;
}

std::function<void()> WorkerPool::Next(Slot& slot) {
  if (!queue_.empty()) {
    std::function<void()> task = std::move(queue_.front());
    queue_.pop_front();
    ++busy_;
    return task;
  }
  if (stopping_) return nullptr;
  idle_.push_back(&slot);
  while (!slot.task && !stopping_) slot.wake.Wait(&mu_);
  if (slot.task) return std::exchange(slot.task, nullptr);  // busy_ counted.
  // Stopping while idle: leave the stack so no Submit hands this slot a task.
  idle_.erase(std::find(idle_.begin(), idle_.end(), &slot));
  return nullptr;
}

void WorkerPool::Run(Slot& slot) {
  mu_.Lock();
  while (std::function<void()> task = Next(slot)) {
    mu_.Unlock();
    task();
    task = nullptr;  // Destroys the captures off the lock.
    mu_.Lock();
    --busy_;
  }
  mu_.Unlock();
}

}  // namespace tessera::service
