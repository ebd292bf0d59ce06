// Winograd convolution F(m x m, k x k) on 8 x 8 tiles, for stride-1 square kernels k = 3, 5, 7
// (m = 9 - k output pixels a side: F(6x6, 3x3), F(4x4, 5x5), F(2x2, 7x7)). Why: a k x k
// convolution costs k*k multiply-adds per output and input channel; on 8 x 8 tiles it costs
// 64 / (m*m) in the transformed domain (k=7: 16 instead of 49; k=5: 4 instead of 25), plus the
// transforms, which are linear in the channels, not in their product.
//
// For one tile d (8 x 8 input pixels) and one kernel g (k x k), with the matrices of the
// Toom-Cook construction on the points 0, 1, -1, 2, -2, 1/2, -1/2 and infinity (the points of
// NNPACK's F(6x6, 3x3), whose rounding errors stay near float's own for these sizes):
//
//   U = G g G^T  (8 x 8)   V = B^T d B  (8 x 8)   y = A^T (U .* V) A  (m x m)
//
// Summed over input channels, U .* V is, for each of the 64 bins, a product of matrices:
//   M[bin] (Co, tiles) = U[bin] (Co, C) @ V[bin] (C, tiles)
// which runs on the build's GEMM block (the same micro-kernels as everything else). The input
// gradient is the same forward pass on dy with the flipped, transposed kernel; the weight
// gradient is the forward pass differentiated:
//   dM = A dy A^T (8 x 8 per tile of dy),  dU[bin] (Co, C) += dM[bin] (Co, tiles) @ V[bin]^T,
//   dw = G^T dU G  (k x k).
//
// Transforms work on L tiles at once, one per SIMD lane (GCC/Clang vector extensions: 16 lanes
// with AVX-512, 8 with AVX, 4 in WebAssembly SIMD and elsewhere), so one source serves every
// build. Work is split over threads by runs of tiles (forward, input gradient) and by 8 fixed
// groups of images (weight gradient, partial sums added in order), never by thread count, so 1
// and 2 threads give bit-identical results.
//
// Buffers: the transformed weights (or the weight gradient's partial sums) are caller-owned
// scratch; the per-tile-run V and M matrices use two per-thread static buffers of kRunFloats.
//
// [SECTION] index
//   the transform matrices
//   tiles and runs of tiles
//   transforms of one group of L tiles
//   forward over a run of tiles
//   entry points
#include <algorithm>
#include <cstring>
#include <string>

#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/variants.h"

namespace cnnlab::kernels {

namespace {

// ---- [SECTION] the transform matrices -----------------------------------------------------------
constexpr int kTile = 8, kBins = kTile * kTile;

// B^T (8 x 8): row j holds the coefficients of prod_{l != j} (x - a_l) over the 7 finite points
// (row 7: of prod_l (x - a_l), the point at infinity); the same for every m. transform_bt
// applies it:
//   -1    0   21/4    0   -21/4    0    1   0
//    0    1    1   -17/4  -17/4    1    1   0
//    0   -1    1    17/4  -17/4   -1    1   0
//    0   1/2  1/4   -5/2   -5/4    2    1   0
//    0  -1/2  1/4    5/2   -5/4   -2    1   0
//    0    2    4    -5/2    -5    1/2   1   0
//    0   -2    4     5/2    -5   -1/2   1   0
//    0   -1    0    21/4     0  -21/4   0   1
// The finite points a_j and 1 / prod_{l != j} (a_j - a_l).
constexpr double kPoints[kTile - 1] = {0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5};
constexpr double kInvF[kTile - 1] = {-1.0,         -2.0 / 9.0,  -2.0 / 9.0, 1.0 / 90.0,
                                     1.0 / 90.0,   32.0 / 45.0, 32.0 / 45.0};

// A^T (m x 8): row i = a_j^i for the finite points, and 1 at infinity in the last row only.
template <int m>
struct OutputTransform {
  float at[m][kTile];
  constexpr OutputTransform() : at() {
    for (int i = 0; i < m; ++i) {
      for (int j = 0; j < kTile - 1; ++j) {
        double p = 1.0;
        for (int e = 0; e < i; ++e) p *= kPoints[j];
        at[i][j] = static_cast<float>(p);
      }
      at[i][kTile - 1] = i == m - 1 ? 1.0f : 0.0f;
    }
  }
};

// G (8 x k): G[j][c] = a_j^c / f_j, and the last row 1 at c = k - 1 (in double: the weight
// transform runs once per call).
double g_entry(int j, int c, int k) {
  if (j == kTile - 1) return c == k - 1 ? 1.0 : 0.0;
  double p = kInvF[j];
  for (int e = 0; e < c; ++e) p *= kPoints[j];
  return p;
}

// ---- [SECTION] tiles and runs of tiles -----------------------------------------------------------
#if defined(__AVX512F__)
constexpr int L = 16;
#elif defined(__AVX__)
constexpr int L = 8;
#else
constexpr int L = 4;
#endif
using vfloat = float __attribute__((vector_size(L * sizeof(float))));

// Floats of each per-thread buffer (V and M): 64 bins x channels x tiles of a run.
constexpr size_t kRunFloats = size_t{1} << 18;

int round_up(int n, int m) { return (n + m - 1) / m * m; }

// How an output plane of g splits into m x m tiles, and runs of tiles over the whole batch
// (tile t = (image * tiles_h + ty) * tiles_w + tx). The input is read channels-last with its
// channels padded to whole SIMD groups (c_pad).
struct Tiling {
  int m, tiles_h, tiles_w, per_image, total;
  int run;    // tiles per run (a multiple of L, at most 64)
  int c_pad;  // g.channels rounded up to L
};
Tiling tiling(const ConvGeometry& g, int out_channels) {
  Tiling t{};
  t.m = kTile + 1 - g.kernel_h;
  t.tiles_h = (g.out_h + t.m - 1) / t.m;
  t.tiles_w = (g.out_w + t.m - 1) / t.m;
  t.per_image = t.tiles_h * t.tiles_w;
  t.total = g.batch * t.per_image;
  t.c_pad = round_up(std::max(g.channels, 1), L);
  // Runs of up to 64 tiles whose V (64 x run x c_pad) and M (64 x Co x run) fit the buffers.
  const size_t widest = static_cast<size_t>(std::max(t.c_pad, std::max(out_channels, 1)));
  const size_t fit = kRunFloats / (kBins * widest);
  t.run = static_cast<int>(std::min<size_t>(64, fit / L * L));
  return t;
}

float* run_buffer(int which) {
  alignas(64) static thread_local float buffers[2][kRunFloats];
  return buffers[which];
}

vfloat load(const float* p) {
  vfloat v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
void store(float* p, vfloat v) { std::memcpy(p, &v, sizeof v); }

// xt (B, H, W, c_pad) = x (B, C, H, W) with channels last, zero past C; images split over the pool.
void to_channels_last(float* xt, const float* x, const ConvGeometry& g, int c_pad,
                      ThreadPool* pool) {
  const int C = g.channels;
  const size_t plane = static_cast<size_t>(g.height) * g.width;
  auto images = [&](int b) {
    const float* src = x + static_cast<size_t>(b) * C * plane;
    float* dst = xt + static_cast<size_t>(b) * plane * c_pad;
    for (size_t p = 0; p < plane; ++p) {
      float* d = dst + p * c_pad;
      for (int c = 0; c < C; ++c) d[c] = src[static_cast<size_t>(c) * plane + p];
      for (int c = C; c < c_pad; ++c) d[c] = 0.0f;
    }
  };
  if (!pool || pool->threads() <= 1 || g.batch < 2)
    for (int b = 0; b < g.batch; ++b) images(b);
  else
    pool->parallel_for(g.batch, [&](int b) { images(b); });
}

// ---- [SECTION] transforms of one group of L tiles or channels -----------------------------------
// The 1-D transforms on 8 values (a tile's row or column), written out from their matrices'
// even/odd pairs (about half the operations of the dense products; the same values up to
// rounding). get(k) reads value k, put(j, v) writes result j.
//   B^T: rows of kBT;  A^T (m x 8): sum_j a_j^i M_j (+ M_7 in the last row).
template <class Get, class Put>
inline void transform_bt(Get get, Put put) {
  const vfloat d0 = get(0), d1 = get(1), d2 = get(2), d3 = get(3), d4 = get(4), d5 = get(5),
               d6 = get(6), d7 = get(7);
  put(0, (d6 - d0) + 5.25f * (d2 - d4));
  const vfloat a1 = d2 + d6 - 4.25f * d4, b1 = d1 + d5 - 4.25f * d3;
  put(1, a1 + b1);
  put(2, a1 - b1);
  const vfloat a2 = 0.25f * d2 - 1.25f * d4 + d6, b2 = 0.5f * d1 - 2.5f * d3 + 2.0f * d5;
  put(3, a2 + b2);
  put(4, a2 - b2);
  const vfloat a3 = 4.0f * d2 - 5.0f * d4 + d6, b3 = 2.0f * d1 - 2.5f * d3 + 0.5f * d5;
  put(5, a3 + b3);
  put(6, a3 - b3);
  put(7, (d7 - d1) + 5.25f * (d3 - d5));
}
template <int m, class Get, class Put>
inline void transform_at(Get get, Put put) {
  const vfloat m0 = get(0), m7 = get(7);
  const vfloat m1 = get(1), m2 = get(2), m3 = get(3), m4 = get(4), m5 = get(5), m6 = get(6);
  const vfloat s1 = m1 + m2, d1 = m1 - m2, s2 = m3 + m4, d2 = m3 - m4, s3 = m5 + m6, d3 = m5 - m6;
  float up = 1.0f, down = 1.0f;  // 2^i, 2^-i
  for (int i = 0; i < m; ++i, up *= 2.0f, down *= 0.5f) {
    vfloat v = i % 2 == 0 ? s1 + up * s2 + down * s3 : d1 + up * d2 + down * d3;
    if (i == 0) v += m0;
    if (i == m - 1) v += m7;
    put(i, v);
  }
}

// V rows of one tile for the channel group [c0, c0 + L): the 8 x 8 input patch at the tile's
// corner in xt (B, H, W, c_pad), transformed to B^T d B, stored at v[bin * ldv_bin] (v already
// offset to the tile's row and c0).
void input_transform(float* v, size_t ldv_bin, const float* xt, const ConvGeometry& g,
                     const Tiling& t, int tile, int c0) {
  const int image = tile / t.per_image, in_image = tile % t.per_image;
  const int h0 = in_image / t.tiles_w * t.m - g.pad_top;
  const int w0 = in_image % t.tiles_w * t.m - g.pad_left;
  const float* src = xt + static_cast<size_t>(image) * g.height * g.width * t.c_pad + c0;
  // Rows [i0, i1) and columns [j0, j1) of the patch lie inside the input; the rest reads zero.
  const int i0 = std::max(0, -h0), i1 = std::max(i0, std::min(kTile, g.height - h0));
  const int j0 = std::max(0, -w0), j1 = std::max(j0, std::min(kTile, g.width - w0));
  auto at = [&](int i, int j) {
    return i >= i0 && i < i1 && j >= j0 && j < j1
               ? load(src + (static_cast<size_t>(h0 + i) * g.width + (w0 + j)) * t.c_pad)
               : vfloat{};
  };
  // Columns: e = B^T d; then rows: V = e B.
  vfloat e[kTile][kTile];
  for (int j = 0; j < kTile; ++j)
    transform_bt([&](int k) { return at(k, j); }, [&](int i, vfloat x) { e[i][j] = x; });
  for (int i = 0; i < kTile; ++i)
    transform_bt([&](int k) { return e[i][k]; }, [&](int j, vfloat x) {
      store(v + static_cast<size_t>(i * kTile + j) * ldv_bin, x);
    });
}

// The m x m outputs of channel o for tiles [t0, t0 + count): A^T M A (+ bias) from
// mm[bin * ldm_bin + lane], stored into y (B, O, OH, OW) where inside the output.
template <int m>
void output_transform(float* y, const float* mm, size_t ldm_bin, float bias,
                      const ConvGeometry& g, const Tiling& t, int out_channels, int o, int t0,
                      int count) {
  vfloat e[m][kTile];
  for (int j = 0; j < kTile; ++j)
    transform_at<m>([&](int k) { return load(mm + static_cast<size_t>(k * kTile + j) * ldm_bin); },
                    [&](int i, vfloat x) { e[i][j] = x; });
  vfloat out[m][m];
  for (int i = 0; i < m; ++i)
    transform_at<m>([&](int k) { return e[i][k]; }, [&](int j, vfloat x) { out[i][j] = x + bias; });
  const size_t plane = static_cast<size_t>(g.out_h) * g.out_w;
  for (int l = 0; l < count; ++l) {
    const int tile = t0 + l, image = tile / t.per_image, in_image = tile % t.per_image;
    const int h0 = in_image / t.tiles_w * m, w0 = in_image % t.tiles_w * m;
    float* dst = y + (static_cast<size_t>(image) * out_channels + o) * plane;
    const int i1 = std::min(m, g.out_h - h0), j1 = std::min(m, g.out_w - w0);
    for (int i = 0; i < i1; ++i) {
      float* row = dst + static_cast<size_t>(h0 + i) * g.out_w + w0;
      for (int j = 0; j < j1; ++j) row[j] = out[i][j][l];
    }
  }
}

// dM = A dy A^T (8 x 8) for channel o of dy (B, O, OH, OW) and tiles [t0, t0 + L) (lanes past
// count zero), stored at dm[bin * ldm_bin + lane].
template <int m>
void output_grad_transform(float* dm, size_t ldm_bin, const float* dy, const ConvGeometry& g,
                           const Tiling& t, int out_channels, int o, int t0, int count) {
  static constexpr OutputTransform<m> kA{};
  alignas(64) float patch[m][m][L] = {};
  const size_t plane = static_cast<size_t>(g.out_h) * g.out_w;
  for (int l = 0; l < count; ++l) {
    const int tile = t0 + l, image = tile / t.per_image, in_image = tile % t.per_image;
    const int h0 = in_image / t.tiles_w * m, w0 = in_image % t.tiles_w * m;
    const float* src = dy + (static_cast<size_t>(image) * out_channels + o) * plane;
    const int i1 = std::min(m, g.out_h - h0), j1 = std::min(m, g.out_w - w0);
    for (int i = 0; i < i1; ++i) {
      const float* row = src + static_cast<size_t>(h0 + i) * g.out_w + w0;
      for (int j = 0; j < j1; ++j) patch[i][j][l] = row[j];
    }
  }
  // e (8 x m) = A d; dM = e A^T.
  vfloat e[kTile][m];
  for (int i = 0; i < kTile; ++i)
    for (int j = 0; j < m; ++j) {
      vfloat s = kA.at[0][i] * load(patch[0][j]);
      for (int k = 1; k < m; ++k) s += kA.at[k][i] * load(patch[k][j]);
      e[i][j] = s;
    }
  for (int i = 0; i < kTile; ++i)
    for (int j = 0; j < kTile; ++j) {
      vfloat s = kA.at[0][j] * e[i][0];
      for (int k = 1; k < m; ++k) s += kA.at[k][j] * e[i][k];
      store(dm + static_cast<size_t>(i * kTile + j) * ldm_bin, s);
    }
}

// V (64, run, c_pad) of the tiles [t0, t0 + count) of xt (B, H, W, c_pad); the rows of the run
// past count (up to n) zeroed.
void input_transform_run(float* v, const float* xt, const ConvGeometry& g, const Tiling& t,
                         int t0, int count, int n) {
  const size_t ldv_bin = static_cast<size_t>(n) * t.c_pad;
  for (int l = 0; l < count; ++l)
    for (int c0 = 0; c0 < t.c_pad; c0 += L)
      input_transform(v + static_cast<size_t>(l) * t.c_pad + c0, ldv_bin, xt, g, t, t0 + l, c0);
  for (int bin = 0; bin < kBins; ++bin)
    std::fill(v + bin * ldv_bin + static_cast<size_t>(count) * t.c_pad, v + (bin + 1) * ldv_bin,
              0.0f);
}

// ---- [SECTION] forward over a run of tiles -------------------------------------------------------
// y (B, O, OH, OW) for tiles [t0, t0 + count) = the convolution of xt (B, H, W, c_pad) whose
// weights are transformed in u (64 bins x O x C), plus bias (O; may be null).
template <int m>
void forward_run(GemmBlockFn gemm, float* y, const float* xt, const float* u, const float* bias,
                 const ConvGeometry& g, const Tiling& t, int out_channels, int t0, int count) {
  const int C = g.channels, O = out_channels;
  const int n = round_up(count, L);
  float* v = run_buffer(0);   // (64, n, c_pad)
  float* mm = run_buffer(1);  // (64, O, n)
  const size_t ldv_bin = static_cast<size_t>(n) * t.c_pad, ldm_bin = static_cast<size_t>(O) * n;
  input_transform_run(v, xt, g, t, t0, count, n);
  // M[bin] (O, n) = U[bin] (O, C) @ V[bin]^T (C, n)
  for (int bin = 0; bin < kBins; ++bin)
    gemm(mm + bin * ldm_bin, n, u + static_cast<size_t>(bin) * O * C, C, v + bin * ldv_bin,
         t.c_pad, O, n, C, false, true, false);
  for (int o = 0; o < O; ++o)
    for (int l0 = 0; l0 < count; l0 += L)
      output_transform<m>(y, mm + static_cast<size_t>(o) * n + l0, ldm_bin, bias ? bias[o] : 0.0f,
                          g, t, O, o, t0 + l0, std::min(L, count - l0));
}

// Weights w (O, C, k, k) transformed into u (64 bins, O, C): U = G w G^T per (o, c). flipped:
// u holds the input gradient's kernel instead, w'(c, o, kh, kw) = w(o, c, k-1-kh, k-1-kw), as
// (64, C, O).
void transform_weights(float* u, const float* w, int O, int C, int k, bool flipped,
                       ThreadPool* pool) {
  double gm[kTile][kTile] = {};
  for (int j = 0; j < kTile; ++j)
    for (int c = 0; c < k; ++c) gm[j][c] = g_entry(j, c, k);
  auto rows = [&](int o0, int o1) {
    for (int o = o0; o < o1; ++o)
      for (int c = 0; c < C; ++c) {
        const float* src = w + (static_cast<size_t>(o) * C + c) * k * k;
        double e[kTile][kTile];  // G w (8 x k)
        for (int i = 0; i < kTile; ++i)
          for (int b = 0; b < k; ++b) {
            double s = 0.0;
            for (int a = 0; a < k; ++a) {
              const float wv = flipped ? src[(k - 1 - a) * k + (k - 1 - b)] : src[a * k + b];
              s += gm[i][a] * wv;
            }
            e[i][b] = s;
          }
        const size_t at = flipped ? static_cast<size_t>(c) * O + o : static_cast<size_t>(o) * C + c;
        for (int i = 0; i < kTile; ++i)
          for (int j = 0; j < kTile; ++j) {
            double s = 0.0;
            for (int b = 0; b < k; ++b) s += e[i][b] * gm[j][b];
            u[static_cast<size_t>(i * kTile + j) * O * C + at] = static_cast<float>(s);
          }
      }
  };
  if (!pool || pool->threads() <= 1 || O < 2) {
    rows(0, O);
    return;
  }
  pool->parallel_for(O, [&](int o) { rows(o, o + 1); });
}

template <int m>
void forward_all(GemmBlockFn gemm, float* y, const float* xt, const float* u, const float* bias,
                 const ConvGeometry& g, int out_channels, ThreadPool* pool) {
  const Tiling t = tiling(g, out_channels);
  const int runs = (t.total + t.run - 1) / t.run;
  auto task = [&](int r) {
    const int t0 = r * t.run;
    forward_run<m>(gemm, y, xt, u, bias, g, t, out_channels, t0, std::min(t.run, t.total - t0));
  };
  if (!pool || pool->threads() <= 1 || runs < 2)
    for (int r = 0; r < runs; ++r) task(r);
  else
    pool->parallel_for(runs, [&](int r) { task(r); });
}

// scratch: the transformed weights u (64 x O x C), then x channels-last (B, H, W, c_pad).
void forward_dispatch(GemmBlockFn gemm, float* y, float* scratch, const float* x,
                      const float* bias, const ConvGeometry& g, int out_channels,
                      ThreadPool* pool) {
  const float* u = scratch;
  float* xt = scratch + static_cast<size_t>(kBins) * out_channels * g.channels;
  to_channels_last(xt, x, g, tiling(g, out_channels).c_pad, pool);
  switch (g.kernel_h) {
    case 3: return forward_all<6>(gemm, y, xt, u, bias, g, out_channels, pool);
    case 5: return forward_all<4>(gemm, y, xt, u, bias, g, out_channels, pool);
    default: return forward_all<2>(gemm, y, xt, u, bias, g, out_channels, pool);
  }
}

// The weight gradient's partial sums dU (64, O, C) of the images [b0, b1), in runs of tiles;
// xt: x channels-last (B, H, W, c_pad).
template <int m>
void weight_grad_images(GemmBlockFn gemm, float* du, const float* dy, const float* xt,
                        const ConvGeometry& g, const Tiling& t, int out_channels, int b0,
                        int b1) {
  const int C = g.channels, O = out_channels;
  float* v = run_buffer(0);   // (64, n, c_pad)
  float* dm = run_buffer(1);  // (64, O, n)
  const int end = b1 * t.per_image;
  for (int t0 = b0 * t.per_image; t0 < end; t0 += t.run) {
    const int count = std::min(t.run, end - t0);
    const int n = round_up(count, L);
    const size_t ldv_bin = static_cast<size_t>(n) * t.c_pad, ldm_bin = static_cast<size_t>(O) * n;
    input_transform_run(v, xt, g, t, t0, count, n);
    for (int o = 0; o < O; ++o)
      for (int l0 = 0; l0 < n; l0 += L)
        output_grad_transform<m>(dm + static_cast<size_t>(o) * n + l0, ldm_bin, dy, g, t, O, o,
                                 t0 + l0, std::max(0, std::min(L, count - l0)));
    // dU[bin] (O, C) += dM[bin] (O, n) @ V[bin] (n, C)
    for (int bin = 0; bin < kBins; ++bin)
      gemm(du + static_cast<size_t>(bin) * O * C, C, dm + bin * ldm_bin, n, v + bin * ldv_bin,
           t.c_pad, O, C, n, false, false, true);
  }
}

}  // namespace

// ---- [SECTION] entry points ----------------------------------------------------------------------
bool winograd_supports(const ConvGeometry& g, int out_channels) {
  // Output pixel (oh, ow) reads the window whose corner is (oh - pad_top, ow - pad_left), as for
  // any stride-1 geometry; rows and columns outside the input read zeros, whatever the padding.
  const int k = g.kernel_h;
  if (g.stride != 1 || g.kernel_w != k || (k != 3 && k != 5 && k != 7)) return false;
  if (g.batch <= 0 || g.out_h <= 0 || g.out_w <= 0 || g.channels <= 0 || out_channels <= 0)
    return false;
  return tiling(g, out_channels).run >= L;
}

// The transformed weights, then the input channels-last.
size_t winograd_weights_floats(const ConvGeometry& g, int out_channels) {
  const size_t input = static_cast<size_t>(g.batch) * g.height * g.width *
                       round_up(std::max(g.channels, 1), L);
  return static_cast<size_t>(kBins) * out_channels * g.channels + input;
}

void conv2d_forward_winograd(GemmBlockFn gemm, float* y, float* scratch, const float* x,
                             const float* w, const float* bias, const ConvGeometry& g,
                             int out_channels, ThreadPool* pool) {
  require(winograd_supports(g, out_channels), "conv2d forward",
          "the Winograd path does not take this shape (kernel " + std::to_string(g.kernel_h) +
              ", stride " + std::to_string(g.stride) + ")");
  transform_weights(scratch, w, out_channels, g.channels, g.kernel_h, false, pool);
  forward_dispatch(gemm, y, scratch, x, bias, g, out_channels, pool);
}

void conv2d_input_grad_winograd(GemmBlockFn gemm, float* dx, float* scratch, const float* dy,
                                const float* w, const ConvGeometry& g, int out_channels,
                                ThreadPool* pool) {
  const ConvGeometry t = input_gradient_geometry(g, out_channels);
  require(g.stride == 1 && winograd_supports(t, g.channels), "conv2d input gradient",
          "the Winograd path does not take this shape (kernel " + std::to_string(g.kernel_h) +
              ", stride " + std::to_string(g.stride) + ")");
  transform_weights(scratch, w, out_channels, g.channels, g.kernel_h, true, pool);
  forward_dispatch(gemm, dx, scratch, dy, nullptr, t, g.channels, pool);
}

int winograd_weight_grad_groups(const ConvGeometry& g) { return std::max(1, std::min(g.batch, 8)); }

// The image groups' partial sums, then the input channels-last.
size_t winograd_weight_grad_floats(const ConvGeometry& g, int out_channels) {
  const size_t input = static_cast<size_t>(g.batch) * g.height * g.width *
                       round_up(std::max(g.channels, 1), L);
  return static_cast<size_t>(winograd_weight_grad_groups(g)) * kBins * out_channels * g.channels +
         input;
}

void conv2d_weight_grad_winograd(GemmBlockFn gemm, float* dweight, float* scratch,
                                 const float* dy, const float* x, const ConvGeometry& g,
                                 int out_channels, ThreadPool* pool) {
  require(winograd_supports(g, out_channels), "conv2d weight gradient",
          "the Winograd path does not take this shape (kernel " + std::to_string(g.kernel_h) +
              ", stride " + std::to_string(g.stride) + ")");
  const Tiling t = tiling(g, out_channels);
  const int groups = winograd_weight_grad_groups(g), O = out_channels, C = g.channels;
  const int k = g.kernel_h;
  const size_t du_floats = static_cast<size_t>(kBins) * O * C;
  float* xt = scratch + groups * du_floats;
  to_channels_last(xt, x, g, t.c_pad, pool);
  // Each group of images sums into its own dU (scratch + group * du_floats), zeroed first.
  auto group_task = [&](int group) {
    float* du = scratch + static_cast<size_t>(group) * du_floats;
    std::fill(du, du + du_floats, 0.0f);
    const int b0 = static_cast<int>(static_cast<long>(g.batch) * group / groups);
    const int b1 = static_cast<int>(static_cast<long>(g.batch) * (group + 1) / groups);
    switch (k) {
      case 3: return weight_grad_images<6>(gemm, du, dy, xt, g, t, O, b0, b1);
      case 5: return weight_grad_images<4>(gemm, du, dy, xt, g, t, O, b0, b1);
      default: return weight_grad_images<2>(gemm, du, dy, xt, g, t, O, b0, b1);
    }
  };
  const bool split = pool && pool->threads() > 1 && groups > 1;
  if (split)
    pool->parallel_for(groups, [&](int group) { group_task(group); });
  else
    for (int group = 0; group < groups; ++group) group_task(group);
  // dU = group 0 + group 1 + ... in that order for every element (into group 0's sums), over
  // element ranges; then dw (O, C, k, k) += G^T dU G.
  constexpr size_t kRange = size_t{1} << 14;
  const int ranges = static_cast<int>((du_floats + kRange - 1) / kRange);
  auto add_range = [&](int r) {
    const size_t i0 = static_cast<size_t>(r) * kRange, i1 = std::min(du_floats, i0 + kRange);
    for (int group = 1; group < groups; ++group) {
      const float* partial = scratch + group * du_floats;
      for (size_t i = i0; i < i1; ++i) scratch[i] += partial[i];
    }
  };
  if (split && ranges > 1)
    pool->parallel_for(ranges, [&](int r) { add_range(r); });
  else
    for (int r = 0; r < ranges; ++r) add_range(r);
  double gm[kTile][kTile] = {};
  for (int j = 0; j < kTile; ++j)
    for (int c = 0; c < k; ++c) gm[j][c] = g_entry(j, c, k);
  auto fold = [&](int o0, int o1) {
    for (int o = o0; o < o1; ++o)
      for (int c = 0; c < C; ++c) {
        const size_t at = static_cast<size_t>(o) * C + c;
        float du[kTile][kTile];
        for (int bin = 0; bin < kBins; ++bin) du[bin / kTile][bin % kTile] = scratch[bin * O * C + at];
        double e[kTile][kTile];  // G^T dU (k x 8)
        for (int a = 0; a < k; ++a)
          for (int j = 0; j < kTile; ++j) {
            double s = 0.0;
            for (int i = 0; i < kTile; ++i) s += gm[i][a] * du[i][j];
            e[a][j] = s;
          }
        float* dst = dweight + at * k * k;
        for (int a = 0; a < k; ++a)
          for (int b = 0; b < k; ++b) {
            double s = 0.0;
            for (int j = 0; j < kTile; ++j) s += e[a][j] * gm[j][b];
            dst[a * k + b] += static_cast<float>(s);
          }
      }
  };
  if (split && O > 1)
    pool->parallel_for(O, [&](int o) { fold(o, o + 1); });
  else
    fold(0, O);
}

}  // namespace cnnlab::kernels
