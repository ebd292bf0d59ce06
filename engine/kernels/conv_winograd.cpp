// Winograd convolution F(m x m, k x k) on T x T tiles, for stride-1 square kernels k = 3, 5, 7:
// F(6x6, 3x3) and F(4x4, 5x5) on 8 x 8 tiles, F(4x4, 7x7) on 10 x 10 tiles (m = T + 1 - k output
// pixels a side). Why: a k x k convolution costs k*k multiply-adds per output and input channel;
// on tiles it costs T*T / (m*m) in the transformed domain (k=7: 6.25 instead of 49; k=5: 4
// instead of 25; k=3: 1.8 instead of 9), plus the transforms, which are linear in the channels,
// not in their product.
//
// For one tile d (T x T input pixels) and one kernel g (k x k), with the matrices of the
// Toom-Cook construction on T - 1 finite points and infinity:
//
//   U = G g G^T  (T x T)   V = B^T d B  (T x T)   y = A^T (U .* V) A  (m x m)
//
// The points: 0, 1, -1, 2, -2, 1/2, -1/2 for T = 8 (NNPACK's F(6x6, 3x3) points; rounding about
// 5e-6 of the largest output here), and also 3/2, -3/2 for T = 10 (about 1e-4: the best of the
// sets tried; larger points grow the transforms' coefficients and their rounding).
//
// Summed over input channels, U .* V is, for each of the T*T bins, a product of matrices:
//   M[bin] (Co, tiles) = U[bin] (Co, C) @ V[bin] (C, tiles)
// which runs on the build's GEMM block (the same micro-kernels as everything else). The input
// gradient is the same forward pass on dy with the flipped, transposed kernel; the weight
// gradient is the forward pass differentiated:
//   dM = A dy A^T (T x T per tile of dy),  dU[bin] (Co, C) += dM[bin] (Co, tiles) @ V[bin]^T,
//   dw = G^T dU G  (k x k).
//
// Transforms work on L channels (input) or L tiles (output) at once, one per SIMD lane
// (kernels/vector_lanes.h: 16 lanes with AVX-512, 8 with AVX2, 4 in WebAssembly SIMD and
// elsewhere), so one source serves every build. Work is split over threads by runs of tiles
// (forward, input gradient) and by 8 fixed groups of images (weight gradient, partial sums added
// in order), never by thread count, so 1 and 2 threads give bit-identical results.
//
// Buffers: the transformed weights (or the weight gradient's partial sums) and a channels-last
// copy of the input are caller-owned scratch; the per-run V and M matrices use two per-thread
// static buffers of kRunFloats.
//
// [SECTION] index
//   the transform matrices
//   tiles and runs of tiles
//   transforms of one tile or group of L tiles
//   forward over a run of tiles
//   weight gradient
//   entry points
#include <algorithm>
#include <cstring>
#include <string>

#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/variants.h"
#include "kernels/vector_lanes.h"

namespace cnnlab::kernels {

namespace {

// ---- [SECTION] the transform matrices -----------------------------------------------------------
// The tile a kernel size uses.
constexpr int tile_for_kernel(int k) { return k == 7 ? 10 : 8; }

// The finite points of T x T tiles: a_j for j < T - 1.
template <int T>
constexpr double point(int j) {
  constexpr double kPoints[] = {0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 1.5, -1.5};
  static_assert(T - 1 <= static_cast<int>(sizeof kPoints / sizeof kPoints[0]), "too few points");
  return kPoints[j];
}

template <int T>
struct Matrices {
  // B^T (T x T): row j < T - 1 holds the coefficients of prod_{l != j} (x - a_l) over the finite
  // points, row T - 1 those of prod_l (x - a_l) (the point at infinity). For T = 8:
  //   -1    0   21/4    0   -21/4    0    1   0
  //    0    1    1   -17/4  -17/4    1    1   0
  //    0   -1    1    17/4  -17/4   -1    1   0
  //    0   1/2  1/4   -5/2   -5/4    2    1   0
  //    0  -1/2  1/4    5/2   -5/4   -2    1   0
  //    0    2    4    -5/2    -5    1/2   1   0
  //    0   -2    4     5/2    -5   -1/2   1   0
  //    0   -1    0    21/4     0  -21/4   0   1
  float bt[T][T];
  // 1 / prod_{l != j} (a_j - a_l): G's row scale (G[j][c] = a_j^c * inv_f[j]).
  double inv_f[T - 1];
  constexpr Matrices() : bt(), inv_f() {
    for (int j = 0; j < T; ++j) {
      double poly[T + 1] = {1.0};  // coefficients, lowest first
      int degree = 0;
      double f = 1.0;
      for (int l = 0; l < T - 1; ++l) {
        if (l == j) continue;
        if (j < T - 1) f *= point<T>(j) - point<T>(l);
        // poly *= (x - a_l)
        for (int e = degree + 1; e > 0; --e) poly[e] = poly[e - 1] - point<T>(l) * poly[e];
        poly[0] = -point<T>(l) * poly[0];
        ++degree;
      }
      for (int n = 0; n < T; ++n) bt[j][n] = static_cast<float>(poly[n]);
      if (j < T - 1) inv_f[j] = 1.0 / f;
    }
  }
};

// A^T (m x T): row i = a_j^i for the finite points, and 1 at infinity in the last row only.
template <int T, int m>
struct OutputTransform {
  float at[m][T];
  constexpr OutputTransform() : at() {
    for (int i = 0; i < m; ++i) {
      for (int j = 0; j < T - 1; ++j) {
        double p = 1.0;
        for (int e = 0; e < i; ++e) p *= point<T>(j);
        at[i][j] = static_cast<float>(p);
      }
      at[i][T - 1] = i == m - 1 ? 1.0f : 0.0f;
    }
  }
};

// G (T x k): G[j][c] = a_j^c / f_j, and the last row 1 at c = k - 1 (in double: the weight
// transforms run once per call).
template <int T>
double g_entry(int j, int c, int k) {
  static constexpr Matrices<T> kM{};
  if (j == T - 1) return c == k - 1 ? 1.0 : 0.0;
  double p = kM.inv_f[j];
  for (int e = 0; e < c; ++e) p *= point<T>(j);
  return p;
}

// ---- [SECTION] tiles and runs of tiles -----------------------------------------------------------
// L tiles or channels at once, one per SIMD lane.
constexpr int L = kVectorLanes;
using vfloat = VectorF;

// Floats of each per-thread buffer (V and M): bins x channels x tiles of a run.
constexpr size_t kRunFloats = size_t{1} << 18;

int round_up(int n, int m) { return (n + m - 1) / m * m; }

// How an output plane of g splits into m x m tiles, and runs of tiles over the whole batch
// (tile t = (image * tiles_h + ty) * tiles_w + tx). The input is read channels-last with its
// channels padded to whole SIMD groups (c_pad).
struct Tiling {
  int T, bins, m, tiles_h, tiles_w, per_image, total;
  int run;    // tiles per run (a multiple of L, at most 64)
  int c_pad;  // g.channels rounded up to L
};
Tiling tiling(const ConvGeometry& g, int out_channels) {
  Tiling t{};
  t.T = tile_for_kernel(g.kernel_h);
  t.bins = t.T * t.T;
  t.m = t.T + 1 - g.kernel_h;
  t.tiles_h = (g.out_h + t.m - 1) / t.m;
  t.tiles_w = (g.out_w + t.m - 1) / t.m;
  t.per_image = t.tiles_h * t.tiles_w;
  t.total = g.batch * t.per_image;
  t.c_pad = round_up(std::max(g.channels, 1), L);
  // Runs of up to 64 tiles whose V (bins x run x c_pad) and M (bins x Co x run) fit the buffers.
  const size_t widest = static_cast<size_t>(std::max(t.c_pad, std::max(out_channels, 1)));
  const size_t fit = kRunFloats / (static_cast<size_t>(t.bins) * widest);
  t.run = static_cast<int>(std::min<size_t>(64, fit / L * L));
  return t;
}

float* run_buffer(int which) {
  alignas(64) static thread_local float buffers[2][kRunFloats];
  return buffers[which];
}

vfloat load(const float* p) { return load_vector(p); }
void store(float* p, vfloat v) { store_vector(p, v); }

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

// ---- [SECTION] transforms of one tile or group of L tiles ---------------------------------------
// The 1-D transforms on T values (a tile's row or column): get(k) reads value k, put(j, v)
// writes result j. For T = 8 written out from the matrices' even/odd pairs (about half the
// operations of the dense products; the same values up to rounding); dense otherwise.
//   B^T: rows of Matrices<T>::bt;  A^T (m x T): sum_j a_j^i M_j (+ M_{T-1} in the last row).
template <int T, class Get, class Put>
inline void transform_bt(Get get, Put put) {
  if constexpr (T == 8) {
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
  } else {
    static constexpr Matrices<T> kM{};
    vfloat d[T];
    for (int k = 0; k < T; ++k) d[k] = get(k);
    for (int j = 0; j < T; ++j) {
      vfloat s = kM.bt[j][0] * d[0];
      for (int k = 1; k < T; ++k)
        if (kM.bt[j][k] != 0.0f) s += kM.bt[j][k] * d[k];
      put(j, s);
    }
  }
}
template <int T, int m, class Get, class Put>
inline void transform_at(Get get, Put put) {
  static constexpr OutputTransform<T, m> kA{};
  if constexpr (T == 8) {
    const vfloat m0 = get(0), m7 = get(7);
    const vfloat m1 = get(1), m2 = get(2), m3 = get(3), m4 = get(4), m5 = get(5), m6 = get(6);
    const vfloat s1 = m1 + m2, d1 = m1 - m2, s2 = m3 + m4, d2 = m3 - m4, s3 = m5 + m6,
                 d3 = m5 - m6;
    float up = 1.0f, down = 1.0f;  // 2^i, 2^-i
    for (int i = 0; i < m; ++i, up *= 2.0f, down *= 0.5f) {
      vfloat v = i % 2 == 0 ? s1 + up * s2 + down * s3 : d1 + up * d2 + down * d3;
      if (i == 0) v += m0;
      if (i == m - 1) v += m7;
      put(i, v);
    }
  } else {
    vfloat d[T];
    for (int k = 0; k < T; ++k) d[k] = get(k);
    for (int i = 0; i < m; ++i) {
      vfloat s = kA.at[i][0] * d[0];
      for (int k = 1; k < T; ++k)
        if (kA.at[i][k] != 0.0f) s += kA.at[i][k] * d[k];
      put(i, s);
    }
  }
}

// V rows of one tile for the channel group [c0, c0 + L): the T x T input patch at the tile's
// corner in xt (B, H, W, c_pad), transformed to B^T d B, stored at v[bin * ldv_bin] (v already
// offset to the tile's row and c0).
template <int T>
void input_transform(float* v, size_t ldv_bin, const float* xt, const ConvGeometry& g,
                     const Tiling& t, int tile, int c0) {
  const int image = tile / t.per_image, in_image = tile % t.per_image;
  const int h0 = in_image / t.tiles_w * t.m - g.pad_top;
  const int w0 = in_image % t.tiles_w * t.m - g.pad_left;
  const float* src = xt + static_cast<size_t>(image) * g.height * g.width * t.c_pad + c0;
  // Rows [i0, i1) and columns [j0, j1) of the patch lie inside the input; the rest reads zero.
  const int i0 = std::max(0, -h0), i1 = std::max(i0, std::min(T, g.height - h0));
  const int j0 = std::max(0, -w0), j1 = std::max(j0, std::min(T, g.width - w0));
  auto at = [&](int i, int j) {
    return i >= i0 && i < i1 && j >= j0 && j < j1
               ? load(src + (static_cast<size_t>(h0 + i) * g.width + (w0 + j)) * t.c_pad)
               : vfloat{};
  };
  // Columns: e = B^T d; then rows: V = e B.
  vfloat e[T][T];
  for (int j = 0; j < T; ++j)
    transform_bt<T>([&](int k) { return at(k, j); }, [&](int i, vfloat x) { e[i][j] = x; });
  for (int i = 0; i < T; ++i)
    transform_bt<T>([&](int k) { return e[i][k]; }, [&](int j, vfloat x) {
      store(v + static_cast<size_t>(i * T + j) * ldv_bin, x);
    });
}

// The m x m outputs of channel o for tiles [t0, t0 + count): A^T M A (+ bias) from
// mm[bin * ldm_bin + lane], stored into y (B, O, OH, OW) where inside the output.
template <int T, int m>
void output_transform(float* y, const float* mm, size_t ldm_bin, float bias,
                      const ConvGeometry& g, const Tiling& t, int out_channels, int o, int t0,
                      int count) {
  vfloat e[m][T];
  for (int j = 0; j < T; ++j)
    transform_at<T, m>(
        [&](int k) { return load(mm + static_cast<size_t>(k * T + j) * ldm_bin); },
        [&](int i, vfloat x) { e[i][j] = x; });
  vfloat out[m][m];
  for (int i = 0; i < m; ++i)
    transform_at<T, m>([&](int k) { return e[i][k]; },
                       [&](int j, vfloat x) { out[i][j] = x + bias; });
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

// dM = A dy A^T (T x T) for channel o of dy (B, O, OH, OW) and tiles [t0, t0 + L) (lanes past
// count zero), stored at dm[bin * ldm_bin + lane].
template <int T, int m>
void output_grad_transform(float* dm, size_t ldm_bin, const float* dy, const ConvGeometry& g,
                           const Tiling& t, int out_channels, int o, int t0, int count) {
  static constexpr OutputTransform<T, m> kA{};
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
  // e (T x m) = A d; dM = e A^T.
  vfloat e[T][m];
  for (int i = 0; i < T; ++i)
    for (int j = 0; j < m; ++j) {
      vfloat s = kA.at[0][i] * load(patch[0][j]);
      for (int k = 1; k < m; ++k) s += kA.at[k][i] * load(patch[k][j]);
      e[i][j] = s;
    }
  for (int i = 0; i < T; ++i)
    for (int j = 0; j < T; ++j) {
      vfloat s = kA.at[0][j] * e[i][0];
      for (int k = 1; k < m; ++k) s += kA.at[k][j] * e[i][k];
      store(dm + static_cast<size_t>(i * T + j) * ldm_bin, s);
    }
}

// V (bins, n, c_pad) of the tiles [t0, t0 + count) of xt (B, H, W, c_pad); the rows of the run
// past count (up to n) zeroed.
template <int T>
void input_transform_run(float* v, const float* xt, const ConvGeometry& g, const Tiling& t,
                         int t0, int count, int n) {
  const size_t ldv_bin = static_cast<size_t>(n) * t.c_pad;
  for (int l = 0; l < count; ++l)
    for (int c0 = 0; c0 < t.c_pad; c0 += L)
      input_transform<T>(v + static_cast<size_t>(l) * t.c_pad + c0, ldv_bin, xt, g, t, t0 + l,
                         c0);
  for (int bin = 0; bin < t.bins; ++bin)
    std::fill(v + bin * ldv_bin + static_cast<size_t>(count) * t.c_pad, v + (bin + 1) * ldv_bin,
              0.0f);
}

// ---- [SECTION] forward over a run of tiles -------------------------------------------------------
// y (B, O, OH, OW) for tiles [t0, t0 + count) = the convolution of xt (B, H, W, c_pad) whose
// weights are transformed in u (bins x O x C), plus bias (O; may be null).
template <int T, int m>
void forward_run(GemmBlockFn gemm, float* y, const float* xt, const float* u, const float* bias,
                 const ConvGeometry& g, const Tiling& t, int out_channels, int t0, int count) {
  const int C = g.channels, O = out_channels;
  const int n = round_up(count, L);
  float* v = run_buffer(0);   // (bins, n, c_pad)
  float* mm = run_buffer(1);  // (bins, O, n)
  const size_t ldv_bin = static_cast<size_t>(n) * t.c_pad, ldm_bin = static_cast<size_t>(O) * n;
  input_transform_run<T>(v, xt, g, t, t0, count, n);
  // M[bin] (O, n) = U[bin] (O, C) @ V[bin]^T (C, n)
  for (int bin = 0; bin < t.bins; ++bin)
    gemm(mm + bin * ldm_bin, n, u + static_cast<size_t>(bin) * O * C, C, v + bin * ldv_bin,
         t.c_pad, O, n, C, false, true, false);
  for (int o = 0; o < O; ++o)
    for (int l0 = 0; l0 < count; l0 += L)
      output_transform<T, m>(y, mm + static_cast<size_t>(o) * n + l0, ldm_bin,
                             bias ? bias[o] : 0.0f, g, t, O, o, t0 + l0, std::min(L, count - l0));
}

// Weights w (O, C, k, k) transformed into u (bins, O, C): U = G w G^T per (o, c). flipped: u
// holds the input gradient's kernel instead, w'(c, o, kh, kw) = w(o, c, k-1-kh, k-1-kw), as
// (bins, C, O).
template <int T>
void transform_weights(float* u, const float* w, int O, int C, int k, bool flipped,
                       ThreadPool* pool) {
  double gm[T][T] = {};
  for (int j = 0; j < T; ++j)
    for (int c = 0; c < k; ++c) gm[j][c] = g_entry<T>(j, c, k);
  auto rows = [&](int o0, int o1) {
    for (int o = o0; o < o1; ++o)
      for (int c = 0; c < C; ++c) {
        const float* src = w + (static_cast<size_t>(o) * C + c) * k * k;
        double e[T][T];  // G w (T x k)
        for (int i = 0; i < T; ++i)
          for (int b = 0; b < k; ++b) {
            double s = 0.0;
            for (int a = 0; a < k; ++a) {
              const float wv = flipped ? src[(k - 1 - a) * k + (k - 1 - b)] : src[a * k + b];
              s += gm[i][a] * wv;
            }
            e[i][b] = s;
          }
        const size_t at = flipped ? static_cast<size_t>(c) * O + o : static_cast<size_t>(o) * C + c;
        for (int i = 0; i < T; ++i)
          for (int j = 0; j < T; ++j) {
            double s = 0.0;
            for (int b = 0; b < k; ++b) s += e[i][b] * gm[j][b];
            u[static_cast<size_t>(i * T + j) * O * C + at] = static_cast<float>(s);
          }
      }
  };
  if (!pool || pool->threads() <= 1 || O < 2) {
    rows(0, O);
    return;
  }
  pool->parallel_for(O, [&](int o) { rows(o, o + 1); });
}

template <int T, int m>
void forward_all(GemmBlockFn gemm, float* y, const float* xt, const float* u, const float* bias,
                 const ConvGeometry& g, int out_channels, ThreadPool* pool) {
  const Tiling t = tiling(g, out_channels);
  const int runs = (t.total + t.run - 1) / t.run;
  auto task = [&](int r) {
    const int t0 = r * t.run;
    forward_run<T, m>(gemm, y, xt, u, bias, g, t, out_channels, t0,
                      std::min(t.run, t.total - t0));
  };
  if (!pool || pool->threads() <= 1 || runs < 2)
    for (int r = 0; r < runs; ++r) task(r);
  else
    pool->parallel_for(runs, [&](int r) { task(r); });
}

// y = the convolution of x (B, C, H, W) by w (O, C, k, k) (flipped: by the input gradient's
// kernel of w (C, O, k, k), see transform_weights), plus bias. scratch: the transformed weights
// (bins x O x C), then x channels-last (B, H, W, c_pad).
void forward(GemmBlockFn gemm, float* y, float* scratch, const float* x, const float* w,
             bool flipped, const float* bias, const ConvGeometry& g, int out_channels,
             ThreadPool* pool) {
  const Tiling t = tiling(g, out_channels);
  float* u = scratch;
  float* xt = scratch + static_cast<size_t>(t.bins) * out_channels * g.channels;
  // The weights as stored: (O, C) unflipped, (C, O) for the input gradient.
  const int w_out = flipped ? g.channels : out_channels, w_in = flipped ? out_channels : g.channels;
  to_channels_last(xt, x, g, t.c_pad, pool);
  switch (g.kernel_h) {
    case 3:
      transform_weights<8>(u, w, w_out, w_in, 3, flipped, pool);
      return forward_all<8, 6>(gemm, y, xt, u, bias, g, out_channels, pool);
    case 5:
      transform_weights<8>(u, w, w_out, w_in, 5, flipped, pool);
      return forward_all<8, 4>(gemm, y, xt, u, bias, g, out_channels, pool);
    default:
      transform_weights<10>(u, w, w_out, w_in, 7, flipped, pool);
      return forward_all<10, 4>(gemm, y, xt, u, bias, g, out_channels, pool);
  }
}

// ---- [SECTION] weight gradient -------------------------------------------------------------------
// The weight gradient's partial sums dU (bins, O, C) of the images [b0, b1), in runs of tiles;
// xt: x channels-last (B, H, W, c_pad).
template <int T, int m>
void weight_grad_images(GemmBlockFn gemm, float* du, const float* dy, const float* xt,
                        const ConvGeometry& g, const Tiling& t, int out_channels, int b0,
                        int b1) {
  const int C = g.channels, O = out_channels;
  float* v = run_buffer(0);   // (bins, n, c_pad)
  float* dm = run_buffer(1);  // (bins, O, n)
  const int end = b1 * t.per_image;
  for (int t0 = b0 * t.per_image; t0 < end; t0 += t.run) {
    const int count = std::min(t.run, end - t0);
    const int n = round_up(count, L);
    const size_t ldv_bin = static_cast<size_t>(n) * t.c_pad, ldm_bin = static_cast<size_t>(O) * n;
    input_transform_run<T>(v, xt, g, t, t0, count, n);
    for (int o = 0; o < O; ++o)
      for (int l0 = 0; l0 < n; l0 += L)
        output_grad_transform<T, m>(dm + static_cast<size_t>(o) * n + l0, ldm_bin, dy, g, t, O,
                                    o, t0 + l0, std::max(0, std::min(L, count - l0)));
    // dU[bin] (O, C) += dM[bin] (O, n) @ V[bin] (n, C)
    for (int bin = 0; bin < t.bins; ++bin)
      gemm(du + static_cast<size_t>(bin) * O * C, C, dm + bin * ldm_bin, n, v + bin * ldv_bin,
           t.c_pad, O, C, n, false, false, true);
  }
}

// dw (O, C, k, k) += G^T dU G for dU (bins, O, C), output channels [o0, o1).
template <int T>
void fold_weight_grad(float* dweight, const float* du, int O, int C, int k, int o0, int o1) {
  double gm[T][T] = {};
  for (int j = 0; j < T; ++j)
    for (int c = 0; c < k; ++c) gm[j][c] = g_entry<T>(j, c, k);
  for (int o = o0; o < o1; ++o)
    for (int c = 0; c < C; ++c) {
      const size_t at = static_cast<size_t>(o) * C + c;
      double e[T][T];  // G^T dU (k x T)
      for (int a = 0; a < k; ++a)
        for (int j = 0; j < T; ++j) {
          double s = 0.0;
          for (int i = 0; i < T; ++i) s += gm[i][a] * du[static_cast<size_t>(i * T + j) * O * C + at];
          e[a][j] = s;
        }
      float* dst = dweight + at * k * k;
      for (int a = 0; a < k; ++a)
        for (int b = 0; b < k; ++b) {
          double s = 0.0;
          for (int j = 0; j < T; ++j) s += e[a][j] * gm[j][b];
          dst[a * k + b] += static_cast<float>(s);
        }
    }
}

template <int T, int m>
void weight_grad(GemmBlockFn gemm, float* dweight, float* scratch, const float* dy,
                 const float* x, const ConvGeometry& g, int out_channels, ThreadPool* pool) {
  const Tiling t = tiling(g, out_channels);
  const int groups = std::max(1, std::min(g.batch, 8)), O = out_channels, C = g.channels;
  const size_t du_floats = static_cast<size_t>(t.bins) * O * C;
  float* xt = scratch + groups * du_floats;
  to_channels_last(xt, x, g, t.c_pad, pool);
  // Each group of images sums into its own dU (scratch + group * du_floats), zeroed first.
  auto group_task = [&](int group) {
    float* du = scratch + static_cast<size_t>(group) * du_floats;
    std::fill(du, du + du_floats, 0.0f);
    const int b0 = static_cast<int>(static_cast<long>(g.batch) * group / groups);
    const int b1 = static_cast<int>(static_cast<long>(g.batch) * (group + 1) / groups);
    weight_grad_images<T, m>(gemm, du, dy, xt, g, t, O, b0, b1);
  };
  const bool split = pool && pool->threads() > 1 && groups > 1;
  if (split)
    pool->parallel_for(groups, [&](int group) { group_task(group); });
  else
    for (int group = 0; group < groups; ++group) group_task(group);
  // dU = group 0 + group 1 + ... in that order for every element (into group 0's sums), over
  // element ranges; then dw += G^T dU G.
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
  const int k = g.kernel_h;
  if (split && O > 1)
    pool->parallel_for(O, [&](int o) { fold_weight_grad<T>(dweight, scratch, O, C, k, o, o + 1); });
  else
    fold_weight_grad<T>(dweight, scratch, O, C, k, 0, O);
}

constexpr int kWeightGradGroups = 8;

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

namespace {
size_t channels_last_floats(const ConvGeometry& g) {
  return static_cast<size_t>(g.batch) * g.height * g.width * round_up(std::max(g.channels, 1), L);
}
int weight_grad_groups(const ConvGeometry& g) {
  return std::max(1, std::min(g.batch, kWeightGradGroups));
}
std::string refused(const ConvGeometry& g) {
  return "the Winograd path does not take this shape (kernel " + std::to_string(g.kernel_h) +
         "x" + std::to_string(g.kernel_w) + ", stride " + std::to_string(g.stride) + ")";
}
}  // namespace

uint64_t winograd_multiply_adds(const ConvGeometry& g, int out_channels) {
  const Tiling t = tiling(g, out_channels);
  return static_cast<uint64_t>(t.total) * static_cast<uint64_t>(t.bins) *
         static_cast<uint64_t>(g.channels) * static_cast<uint64_t>(out_channels);
}

// The transformed weights, then the input channels-last.
size_t winograd_weights_floats(const ConvGeometry& g, int out_channels) {
  const int T = tile_for_kernel(g.kernel_h);
  return static_cast<size_t>(T * T) * out_channels * g.channels + channels_last_floats(g);
}

// The image groups' partial sums, then the input channels-last.
size_t winograd_weight_grad_floats(const ConvGeometry& g, int out_channels) {
  const int T = tile_for_kernel(g.kernel_h);
  return static_cast<size_t>(weight_grad_groups(g)) * T * T * out_channels * g.channels +
         channels_last_floats(g);
}

void conv2d_forward_winograd(GemmBlockFn gemm, float* y, float* scratch, const float* x,
                             const float* w, const float* bias, const ConvGeometry& g,
                             int out_channels, ThreadPool* pool) {
  require(winograd_supports(g, out_channels), "conv2d forward", refused(g));
  forward(gemm, y, scratch, x, w, false, bias, g, out_channels, pool);
}

void conv2d_input_grad_winograd(GemmBlockFn gemm, float* dx, float* scratch, const float* dy,
                                const float* w, const ConvGeometry& g, int out_channels,
                                ThreadPool* pool) {
  const ConvGeometry t = input_gradient_geometry(g, out_channels);
  require(g.stride == 1 && winograd_supports(t, g.channels), "conv2d input gradient", refused(g));
  forward(gemm, dx, scratch, dy, w, true, nullptr, t, g.channels, pool);
}

void conv2d_weight_grad_winograd(GemmBlockFn gemm, float* dweight, float* scratch,
                                 const float* dy, const float* x, const ConvGeometry& g,
                                 int out_channels, ThreadPool* pool) {
  require(winograd_supports(g, out_channels), "conv2d weight gradient", refused(g));
  switch (g.kernel_h) {
    case 3: return weight_grad<8, 6>(gemm, dweight, scratch, dy, x, g, out_channels, pool);
    case 5: return weight_grad<8, 4>(gemm, dweight, scratch, dy, x, g, out_channels, pool);
    default: return weight_grad<10, 4>(gemm, dweight, scratch, dy, x, g, out_channels, pool);
  }
}

}  // namespace cnnlab::kernels
