#include "core/thread_pool.h"

#include <chrono>
#include <system_error>

#include "core/error.h"

namespace cnnlab {

bool ThreadPool::threads_supported() {
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
  return false;
#else
  return true;
#endif
}

ThreadPool::ThreadPool(int threads) {
  require(threads >= 1 && threads <= 256, "threads", "must be between 1 and 256, got " +
                                                         std::to_string(threads));
  const int wanted = threads_supported() ? threads : 1;
  for (int i = 1; i < wanted; ++i) {
    try {
      workers_.emplace_back([this] { worker_loop(); });
    } catch (const std::system_error&) {
      // No thread to be had (in wasm: every pre-started Web Worker is busy). Fewer threads are
      // slower, never wrong: the caller runs whatever the workers do not take.
      break;
    }
  }
  threads_ = 1 + static_cast<int>(workers_.size());
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

// A training step calls parallel_for dozens of times with short serial gaps in between. Sleeping
// on the condition variable in every gap costs a wake-up per call (tens of microseconds, more for
// wasm's Atomics.wait) and, on a busy machine, leaves a thread that is mostly asleep with little
// claim on its core when work comes. So waiting threads first spin this long on an atomic, then
// sleep.
constexpr std::chrono::microseconds kSpinBeforeSleep{300};

template <typename Ready>
bool ThreadPool::spin_until(Ready ready) {
  const auto deadline = std::chrono::steady_clock::now() + kSpinBeforeSleep;
  for (int i = 1;; ++i) {
    if (ready()) return true;
    if (i % 64 == 0 && std::chrono::steady_clock::now() > deadline) return false;
  }
}

// Claims and runs tasks of the current generation until none is left. Called with mutex_ held.
void ThreadPool::drain() {
  while (next_ < tasks_) {
    int t = next_++;
    mutex_.unlock();
    fn_(ctx_, t);
    mutex_.lock();
    if (finished_.fetch_add(1) + 1 == tasks_) done_.notify_all();
  }
}

void ThreadPool::run(int tasks, TaskFn fn, void* ctx) {
  std::unique_lock<std::mutex> lock(mutex_);
  fn_ = fn;
  ctx_ = ctx;
  tasks_ = tasks;
  next_ = 0;
  finished_ = 0;
  generation_.fetch_add(1);
  wake_.notify_all();
  drain();
  if (finished_.load() != tasks) {
    lock.unlock();
    spin_until([&] { return finished_.load(std::memory_order_acquire) == tasks; });
    lock.lock();
  }
  done_.wait(lock, [&] { return finished_.load() == tasks_; });
  tasks_ = 0;
}

void ThreadPool::worker_loop() {
  unsigned seen = 0;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    auto has_work = [&] { return stop_.load() || (generation_.load() != seen && next_ < tasks_); };
    if (!has_work()) {
      lock.unlock();
      spin_until([&] { return stop_.load(std::memory_order_relaxed) ||
                              generation_.load(std::memory_order_acquire) != seen; });
      lock.lock();
    }
    wake_.wait(lock, has_work);
    if (stop_) return;
    seen = generation_.load();
    drain();
  }
}

}  // namespace cnnlab
