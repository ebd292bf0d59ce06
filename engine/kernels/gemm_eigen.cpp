// Native GEMM through Eigen's product on mapped row-major blocks. Eigen's own threading stays off:
// gemm_parallel splits the output over the engine's ThreadPool instead.
// GCC 12 warns about uninitialised AVX-512 temporaries inside Eigen's kernels (false positive).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#define EIGEN_DONT_PARALLELIZE
#include <Eigen/Core>

#include "kernels/variants.h"

namespace cnnlab::kernels {

namespace {
using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMajor, Eigen::Unaligned, Eigen::OuterStride<>>;
using MutMap = Eigen::Map<RowMajor, Eigen::Unaligned, Eigen::OuterStride<>>;

template <typename L, typename R>
void product(MutMap& c, const L& a, const R& b, bool accumulate) {
  if (accumulate)
    c.noalias() += a * b;
  else
    c.noalias() = a * b;
}
}  // namespace

void gemm_eigen(float* C, int ldc, const float* A, int lda, const float* B, int ldb, int M, int N,
                int K, bool trans_a, bool trans_b, bool accumulate) {
  if (M <= 0 || N <= 0) return;
  MutMap c(C, M, N, Eigen::OuterStride<>(ldc));
  if (K <= 0) {
    if (!accumulate) c.setZero();
    return;
  }
  ConstMap a(A, trans_a ? K : M, trans_a ? M : K, Eigen::OuterStride<>(lda));
  ConstMap b(B, trans_b ? N : K, trans_b ? K : N, Eigen::OuterStride<>(ldb));
  if (!trans_a && !trans_b) product(c, a, b, accumulate);
  if (!trans_a && trans_b) product(c, a, b.transpose(), accumulate);
  if (trans_a && !trans_b) product(c, a.transpose(), b, accumulate);
  if (trans_a && trans_b) product(c, a.transpose(), b.transpose(), accumulate);
}

}  // namespace cnnlab::kernels
