// The packed, register-blocked GEMM driver shared by every fast GEMM variant (the Goto/BLIS
// scheme, XNNPACK-style naming by tile: gemm_<MR>x<NR>_<isa>). Only the micro-kernel and, where it
// pays, the packing routines differ per instruction set; the blocking, edge handling and
// transposes live here once.
//
//   for each column panel jc of NC columns:          B panel (KC, NC) packed, stays in L2/L3
//     for each depth block pc of KC:
//       pack op(B)[pc.., jc..] into NR-column slivers, k-major: Bp[k * NR + c]
//       for each row block ic of MC rows:            A block (MC, KC) packed, stays in L2
//         pack op(A)[ic.., pc..] into MR-row slivers, k-major: Ap[k * MR + r]
//         for each NR sliver, for each MR sliver:   micro-kernel: MR x NR tile in registers
//
// Edges: slivers are zero-padded to MR/NR, so micro-kernels always run full tiles; they store only
// the valid mr x nr part. Accumulation: the first depth block uses the caller's `accumulate`,
// later blocks always accumulate.
//
// Scratch: the packing buffers are per-thread static arrays (with conv_winograd.cpp's two run
// buffers, the engine's only kernel scratch of its own; kernels never allocate), sized by the
// variant's block sizes.
#pragma once

#include <algorithm>
#include <cstddef>

namespace cnnlab::kernels::packed {

// Generic packing, used where a variant has no faster version.
// dst[k * R + r] = src[r * ld + k] for r < rows (zero for rows <= r < R): rows of src become
// k-major columns (a transposing copy).
inline void pack_rows_kmajor(float* dst, const float* src, size_t ld, int rows, int R, int kc) {
  for (int k = 0; k < kc; ++k) {
    float* d = dst + static_cast<size_t>(k) * R;
    int r = 0;
    for (; r < rows; ++r) d[r] = src[static_cast<size_t>(r) * ld + k];
    for (; r < R; ++r) d[r] = 0.0f;
  }
}
// dst[k * R + c] = src[k * ld + c] for c < cols (zero for cols <= c < R): a strided row copy.
inline void pack_cols_kmajor(float* dst, const float* src, size_t ld, int cols, int R, int kc) {
  for (int k = 0; k < kc; ++k) {
    float* d = dst + static_cast<size_t>(k) * R;
    const float* s = src + static_cast<size_t>(k) * ld;
    int c = 0;
    for (; c < cols; ++c) d[c] = s[c];
    for (; c < R; ++c) d[c] = 0.0f;
  }
}

template <class Traits>
float* a_buffer() {
  alignas(64) static thread_local float buffer[Traits::MC * Traits::KC];
  return buffer;
}
template <class Traits>
float* b_buffer() {
  alignas(64) static thread_local float buffer[Traits::KC * Traits::NC];
  return buffer;
}

// Traits provide:
//   static constexpr int MR, NR, KC, MC, NC;   (MC multiple of MR, NC multiple of NR)
//   static constexpr size_t kDirectBBytes;      (read full slivers of an untransposed B in place
//                                                when K * N * 4 bytes is at most this)
//   static void micro(int kc, const float* Ap, const float* B, size_t b_stride, float* C,
//                     size_t ldc, int mr, int nr, bool accumulate);   (B rows b_stride apart)
//   static void pack_rows(float* dst, const float* src, size_t ld, int rows, int R, int kc);
//   static void pack_cols(float* dst, const float* src, size_t ld, int cols, int R, int kc);
// (pack_rows / pack_cols with the contracts of pack_rows_kmajor / pack_cols_kmajor above.)
template <class Traits>
void gemm(float* C, int ldc, const float* A, int lda, const float* B, int ldb, int M, int N,
          int K, bool trans_a, bool trans_b, bool accumulate) {
  constexpr int MR = Traits::MR, NR = Traits::NR, KC = Traits::KC, MC = Traits::MC,
                NC = Traits::NC;
  static_assert(MC % MR == 0 && NC % NR == 0, "block sizes must hold whole slivers");
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (int i = 0; i < M; ++i) std::fill(C + static_cast<size_t>(i) * ldc,
                                            C + static_cast<size_t>(i) * ldc + N, 0.0f);
    return;
  }
  float* Ap = a_buffer<Traits>();
  float* Bp = b_buffer<Traits>();
  // Depth blocks of equal size (<= KC), so no block is a sliver of a few k.
  const int k_blocks = (K + KC - 1) / KC;
  const int kc_even = (K + k_blocks - 1) / k_blocks;
  for (int jc = 0; jc < N; jc += NC) {
    const int nc = std::min(NC, N - jc);
    for (int pc = 0; pc < K; pc += kc_even) {
      const int kc = std::min(kc_even, K - pc);
      const bool acc = accumulate || pc > 0;
      // op(B)[pc + k, jc + j]: stored (K, N) -> B[k * ldb + j]; trans_b: stored (N, K) -> B[j * ldb + k].
      // Full slivers of a small untransposed B are read in place (rows ldb apart), see kDirectBBytes.
      const bool direct =
          !trans_b && static_cast<size_t>(K) * static_cast<size_t>(N) * sizeof(float) <=
                          Traits::kDirectBBytes;
      for (int jr = 0; jr < nc; jr += NR) {
        const int nr = std::min(NR, nc - jr);
        float* dst = Bp + static_cast<size_t>(jr) * kc;
        if (!trans_b) {
          if (!direct || nr < NR)
            Traits::pack_cols(dst, B + static_cast<size_t>(pc) * ldb + jc + jr, ldb, nr, NR, kc);
        } else {
          Traits::pack_rows(dst, B + static_cast<size_t>(jc + jr) * ldb + pc, ldb, nr, NR, kc);
        }
      }
      for (int ic = 0; ic < M; ic += MC) {
        const int mc = std::min(MC, M - ic);
        // op(A)[ic + i, pc + k]: stored (M, K) -> A[i * lda + k]; trans_a: stored (K, M).
        for (int ir = 0; ir < mc; ir += MR) {
          const int mr = std::min(MR, mc - ir);
          float* dst = Ap + static_cast<size_t>(ir) * kc;
          if (!trans_a)
            Traits::pack_rows(dst, A + static_cast<size_t>(ic + ir) * lda + pc, lda, mr, MR, kc);
          else
            Traits::pack_cols(dst, A + static_cast<size_t>(pc) * lda + ic + ir, lda, mr, MR, kc);
        }
        for (int jr = 0; jr < nc; jr += NR) {
          const int nr = std::min(NR, nc - jr);
          const bool in_place = direct && nr == NR;
          const float* b = in_place ? B + static_cast<size_t>(pc) * ldb + jc + jr
                                    : Bp + static_cast<size_t>(jr) * kc;
          const size_t b_stride = in_place ? static_cast<size_t>(ldb) : NR;
          for (int ir = 0; ir < mc; ir += MR) {
            const int mr = std::min(MR, mc - ir);
            Traits::micro(kc, Ap + static_cast<size_t>(ir) * kc, b, b_stride,
                          C + static_cast<size_t>(ic + ir) * ldc + jc + jr, ldc, mr, nr, acc);
          }
        }
      }
    }
  }
}

}  // namespace cnnlab::kernels::packed
