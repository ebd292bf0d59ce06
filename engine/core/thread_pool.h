// ThreadPool: a fixed set of workers that run `parallel_for` tasks. With one thread (and always
// in the single-threaded WebAssembly build) every task runs inline on the caller, with no
// thread ever created. The pool never allocates per call, so kernels may use it.
// In the threaded WebAssembly build (CNNLAB_WASM_THREADS: pthreads on Web Workers) a thread can
// only start synchronously while Emscripten's pre-started worker pool (PTHREAD_POOL_SIZE) has a
// free worker; the build makes an exhausted pool an error instead of a deadlock, and the pool
// then simply runs with the workers it got (threads() says how many).
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace cnnlab {

class ThreadPool {
 public:
  // threads: total number of threads that do work, the caller included (>= 1). threads() may be
  // lower where the platform cannot start that many (single-threaded wasm, exhausted wasm pool).
  explicit ThreadPool(int threads = 1);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return threads_; }
  // Whether this build can run more than one thread at all.
  static bool threads_supported();

  // Runs fn(task) for task in [0, tasks), spread over the threads; returns when all are done.
  template <typename F>
  void parallel_for(int tasks, F&& fn) {
    if (tasks <= 0) return;
    if (threads_ == 1 || tasks == 1) {
      for (int t = 0; t < tasks; ++t) fn(t);
      return;
    }
    run(tasks, [](void* ctx, int t) { (*static_cast<F*>(ctx))(t); }, &fn);
  }

 private:
  using TaskFn = void (*)(void*, int);
  void run(int tasks, TaskFn fn, void* ctx);
  void worker_loop();
  void drain();
  template <typename Ready>
  static bool spin_until(Ready ready);

  int threads_ = 1;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  TaskFn fn_ = nullptr;
  void* ctx_ = nullptr;
  int tasks_ = 0, next_ = 0;
  // Written under mutex_; atomic so that waiting threads can spin on them without the lock.
  std::atomic<int> finished_{0};
  std::atomic<unsigned> generation_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace cnnlab
