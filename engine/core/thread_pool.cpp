#include "core/thread_pool.h"

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

// Claims and runs tasks of the current generation until none is left. Called with mutex_ held.
void ThreadPool::drain() {
  while (next_ < tasks_) {
    int t = next_++;
    mutex_.unlock();
    fn_(ctx_, t);
    mutex_.lock();
    if (++finished_ == tasks_) done_.notify_all();
  }
}

void ThreadPool::run(int tasks, TaskFn fn, void* ctx) {
  std::unique_lock<std::mutex> lock(mutex_);
  fn_ = fn;
  ctx_ = ctx;
  tasks_ = tasks;
  next_ = 0;
  finished_ = 0;
  ++generation_;
  wake_.notify_all();
  drain();
  done_.wait(lock, [&] { return finished_ == tasks_; });
  tasks_ = 0;
}

void ThreadPool::worker_loop() {
  unsigned seen = 0;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || (generation_ != seen && next_ < tasks_); });
    if (stop_) return;
    seen = generation_;
    drain();
  }
}

}  // namespace cnnlab
