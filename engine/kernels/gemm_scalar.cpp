// The scalar reference GEMM (the ground truth of every GEMM test) and gemm_parallel, which splits
// any GEMM block function over a ThreadPool by output columns or rows.
#include <algorithm>
#include <cstring>

#include "core/thread_pool.h"
#include "kernels/variants.h"

namespace cnnlab::kernels {

void gemm_scalar(float* C, int ldc, const float* A, int lda, const float* B, int ldb, int M, int N,
                 int K, bool trans_a, bool trans_b, bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (!accumulate)
    for (int i = 0; i < M; ++i) std::fill(C + static_cast<size_t>(i) * ldc,
                                          C + static_cast<size_t>(i) * ldc + N, 0.0f);
  for (int i = 0; i < M; ++i) {
    float* c = C + static_cast<size_t>(i) * ldc;
    if (!trans_b) {
      // Row i of C accumulates a(i, k) * row k of B: unit stride over B and C.
      for (int k = 0; k < K; ++k) {
        const float a = trans_a ? A[static_cast<size_t>(k) * lda + i]
                                : A[static_cast<size_t>(i) * lda + k];
        const float* b = B + static_cast<size_t>(k) * ldb;
        for (int j = 0; j < N; ++j) c[j] += a * b[j];
      }
    } else {
      // B stored (N, K): each C entry is a dot product of row i of op(A) with row j of B.
      for (int j = 0; j < N; ++j) {
        const float* b = B + static_cast<size_t>(j) * ldb;
        float sum = 0.0f;
        for (int k = 0; k < K; ++k) {
          const float a = trans_a ? A[static_cast<size_t>(k) * lda + i]
                                  : A[static_cast<size_t>(i) * lda + k];
          sum += a * b[k];
        }
        c[j] += sum;
      }
    }
  }
}

void gemm_parallel(GemmBlockFn block, float* C, const float* A, const float* B, int M, int N,
                   int K, bool trans_a, bool trans_b, bool accumulate, ThreadPool* pool) {
  if (M <= 0 || N <= 0) return;
  const int lda = trans_a ? M : K;
  const int ldb = trans_b ? K : N;
  const int threads = pool ? pool->threads() : 1;
  // Small products are not worth waking the pool for.
  const double flops = 2.0 * M * N * std::max(K, 1);
  if (threads <= 1 || flops < 2.0e5) {
    block(C, N, A, lda, B, ldb, M, N, K, trans_a, trans_b, accumulate);
    return;
  }
  // Split the longer output dimension into slabs rounded to the SIMD tile sizes (32 columns / 8
  // rows) so each thread keeps full micro-tiles. Up to 4 slabs per thread, claimed as threads
  // come free: a thread the OS (or the browser) deschedules mid-GEMM then holds up one small slab,
  // not half the product (with one slab per thread, 2 threads on a busy machine were slower than
  // 1). Slabs stay >= 128 columns / 64 rows: >= 256 flops per float of
  // the shared operand that each slab packs again.
  const bool split_columns = N >= M;
  const int extent = split_columns ? N : M;
  const int align = split_columns ? 32 : 8;
  const int min_slab = split_columns ? 128 : 64;
  int tasks = std::max(threads, std::min(threads * 4, extent / min_slab));
  int slab = (extent + tasks - 1) / tasks;
  slab = (slab + align - 1) / align * align;
  tasks = (extent + slab - 1) / slab;
  pool->parallel_for(tasks, [&](int t) {
    const int begin = t * slab;
    const int count = std::min(slab, extent - begin);
    if (count <= 0) return;
    if (split_columns) {
      const float* b = trans_b ? B + static_cast<size_t>(begin) * ldb : B + begin;
      block(C + begin, N, A, lda, b, ldb, M, count, K, trans_a, trans_b, accumulate);
    } else {
      const float* a = trans_a ? A + begin : A + static_cast<size_t>(begin) * lda;
      block(C + static_cast<size_t>(begin) * N, N, a, lda, B, ldb, count, N, K, trans_a, trans_b,
            accumulate);
    }
  });
}

}  // namespace cnnlab::kernels
