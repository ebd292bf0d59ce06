// WebAssembly SIMD128 GEMM: the packed driver (gemm_packed.h) with register-blocked micro-kernels
// named by tile (XNNPACK style): MR rows x NR columns, NR/4 v128 vectors per row. WebAssembly
// SIMD has no fused multiply-add, so each k step is a multiply and an add per accumulator.
// Engines map v128 onto 16 xmm registers on x86-64, which bounds the tile. Measured in node 20
// (bench_gemm, conv shapes with 1 MB im2col chunks, best of runs): 4x8 ~40 GFLOP/s, 2x16 ~37,
// 4x16 ~30 (16 accumulators plus operands spill), 6x8 and 4x12 slower, and broadcasting A by
// shuffles instead of load-splat was slower too. dispatch.cpp uses 4x8.
#include "kernels/variants.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include "kernels/conv_implicit.h"
#include "kernels/gemm_packed.h"

namespace cnnlab::kernels {

namespace {

// dst[k * R + r] = src[r * ld + k]: groups of 4 rows are transposed 4x4 at a time.
void pack_rows_wasm(float* dst, const float* src, size_t ld, int rows, int R, int kc) {
  const int full_groups = rows / 4;
  const int k4 = kc / 4 * 4;
  for (int g = 0; g < full_groups; ++g) {
    const float* s = src + static_cast<size_t>(g) * 4 * ld;
    float* d = dst + g * 4;
    for (int k = 0; k < k4; k += 4) {
      const v128_t r0 = wasm_v128_load(s + k), r1 = wasm_v128_load(s + ld + k);
      const v128_t r2 = wasm_v128_load(s + 2 * ld + k), r3 = wasm_v128_load(s + 3 * ld + k);
      // 4x4 transpose: interleave pairs, then 64-bit halves.
      const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5);
      const v128_t t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
      const v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
      const v128_t t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
      float* o = d + static_cast<size_t>(k) * R;
      wasm_v128_store(o, wasm_i64x2_shuffle(t0, t2, 0, 2));
      wasm_v128_store(o + R, wasm_i64x2_shuffle(t0, t2, 1, 3));
      wasm_v128_store(o + 2 * R, wasm_i64x2_shuffle(t1, t3, 0, 2));
      wasm_v128_store(o + 3 * R, wasm_i64x2_shuffle(t1, t3, 1, 3));
    }
    for (int k = k4; k < kc; ++k)
      for (int r = 0; r < 4; ++r) d[static_cast<size_t>(k) * R + r] = s[r * ld + k];
  }
  const int done = full_groups * 4;
  if (done == R) return;
  for (int k = 0; k < kc; ++k) {
    float* d = dst + static_cast<size_t>(k) * R;
    for (int r = done; r < rows; ++r) d[r] = src[static_cast<size_t>(r) * ld + k];
    for (int r = rows; r < R; ++r) d[r] = 0.0f;
  }
}

// dst[k * R + c] = src[k * ld + c], zero-padded to R columns.
void pack_cols_wasm(float* dst, const float* src, size_t ld, int cols, int R, int kc) {
  if (cols == R && R % 4 == 0) {
    for (int k = 0; k < kc; ++k, src += ld, dst += R)
      for (int c = 0; c < R; c += 4) wasm_v128_store(dst + c, wasm_v128_load(src + c));
    return;
  }
  packed::pack_cols_kmajor(dst, src, ld, cols, R, kc);
}

// The MR x (4*NV) micro-kernel: acc[r][v] += splat(a[r]) * b[4v..4v+3] for each k.
template <int MR, int NV>
struct WasmTile {
  static constexpr int NR = 4 * NV;

  static void micro(int kc, const float* a, const float* b, size_t b_stride, float* c, size_t ldc,
                    int mr, int nr,
                    bool accumulate) {
    v128_t acc[MR][NV];
    for (int r = 0; r < MR; ++r)
      for (int v = 0; v < NV; ++v) acc[r][v] = wasm_f32x4_splat(0.0f);
    for (int k = 0; k < kc; ++k, a += MR, b += b_stride) {
      v128_t bv[NV];
      for (int v = 0; v < NV; ++v) bv[v] = wasm_v128_load(b + 4 * v);
      for (int r = 0; r < MR; ++r) {
        const v128_t av = wasm_v128_load32_splat(a + r);
        for (int v = 0; v < NV; ++v) acc[r][v] = wasm_f32x4_add(acc[r][v], wasm_f32x4_mul(av, bv[v]));
      }
    }
    if (nr == NR) {
      for (int r = 0; r < mr; ++r) {
        float* cr = c + r * ldc;
        for (int v = 0; v < NV; ++v) {
          v128_t out = acc[r][v];
          if (accumulate) out = wasm_f32x4_add(out, wasm_v128_load(cr + 4 * v));
          wasm_v128_store(cr + 4 * v, out);
        }
      }
      return;
    }
    // Right edge: spill the tile and copy the valid columns.
    alignas(16) float tile[MR][NR];
    for (int r = 0; r < MR; ++r)
      for (int v = 0; v < NV; ++v) wasm_v128_store(&tile[r][4 * v], acc[r][v]);
    for (int r = 0; r < mr; ++r) {
      float* cr = c + r * ldc;
      if (accumulate)
        for (int j = 0; j < nr; ++j) cr[j] += tile[r][j];
      else
        for (int j = 0; j < nr; ++j) cr[j] = tile[r][j];
    }
  }
};

template <int MR_, int NV>
struct WasmTraits {
  static constexpr int MR = MR_, NR = 4 * NV, KC = 256, MC = MR_ * (120 / MR_),
                       NC = NR * (512 / NR);
  // Reading B in place was slower in node for every shape measured: always pack.
  static constexpr size_t kDirectBBytes = 0;
  static void micro(int kc, const float* a, const float* b, size_t b_stride, float* c, size_t ldc,
                    int mr, int nr,
                    bool accumulate) {
    WasmTile<MR_, NV>::micro(kc, a, b, b_stride, c, ldc, mr, nr, accumulate);
  }
  static void pack_rows(float* dst, const float* src, size_t ld, int rows, int R, int kc) {
    pack_rows_wasm(dst, src, ld, rows, R, kc);
  }
  static void pack_cols(float* dst, const float* src, size_t ld, int cols, int R, int kc) {
    pack_cols_wasm(dst, src, ld, cols, R, kc);
  }
};

}  // namespace

void gemm_4x8_wasmsimd(float* C, int ldc, const float* A, int lda, const float* B, int ldb, int M,
                       int N, int K, bool trans_a, bool trans_b, bool accumulate) {
  packed::gemm<WasmTraits<4, 2>>(C, ldc, A, lda, B, ldb, M, N, K, trans_a, trans_b, accumulate);
}
void gemm_4x16_wasmsimd(float* C, int ldc, const float* A, int lda, const float* B, int ldb,
                        int M, int N, int K, bool trans_a, bool trans_b, bool accumulate) {
  packed::gemm<WasmTraits<4, 4>>(C, ldc, A, lda, B, ldb, M, N, K, trans_a, trans_b, accumulate);
}
void gemm_2x16_wasmsimd(float* C, int ldc, const float* A, int lda, const float* B, int ldb,
                        int M, int N, int K, bool trans_a, bool trans_b, bool accumulate) {
  packed::gemm<WasmTraits<2, 4>>(C, ldc, A, lda, B, ldb, M, N, K, trans_a, trans_b, accumulate);
}
void conv_4x8_wasmsimd(float* y, const float* x, const float* a_packed, const float* bias,
                       const ConvGeometry& g, int M, int image, int p_begin, int p_end) {
  implicit::conv_block<WasmTraits<4, 2>>(y, x, a_packed, bias, g, M, image, p_begin, p_end);
}
void conv_weight_grad_4x8_wasmsimd(float* dw, const float* dy, const float* x,
                                   const ConvGeometry& g, int M, int image_begin, int image_end,
                                   int n_begin, int n_end) {
  implicit::conv_weight_grad_block<WasmTraits<4, 2>>(dw, dy, x, g, M, image_begin, image_end,
                                                     n_begin, n_end);
}
void conv_2x16_wasmsimd(float* y, const float* x, const float* a_packed, const float* bias,
                        const ConvGeometry& g, int M, int image, int p_begin, int p_end) {
  implicit::conv_block<WasmTraits<2, 4>>(y, x, a_packed, bias, g, M, image, p_begin, p_end);
}
void conv_weight_grad_2x16_wasmsimd(float* dw, const float* dy, const float* x,
                                    const ConvGeometry& g, int M, int image_begin, int image_end,
                                    int n_begin, int n_end) {
  implicit::conv_weight_grad_block<WasmTraits<2, 4>>(dw, dy, x, g, M, image_begin, image_end,
                                                     n_begin, n_end);
}

}  // namespace cnnlab::kernels
#endif
