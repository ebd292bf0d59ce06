// Kernels: the scalar references against hand-computed cases, then every variant compiled in this
// build (variants.h: GEMM block functions and whole kernel sets) against the scalar reference on
// awkward sizes. Sizes stay small: this file also runs under ASan and under node.
//
// [SECTION] index
//   helpers
//   scalar references by hand (GEMM, maxpool, softmax-xent, Adam, SGD, dense, conv regrouping)
//   GEMM variants vs scalar (sizes, transposes, accumulate, threads)
//   im2col / col2im (geometry, padding, adjointness, variants)
//   implicit-GEMM convolution vs the im2col references
//   Winograd convolution vs the im2col references
//   pooling, elementwise, optimiser variants vs scalar
//   entry points (kernels.h) vs scalar
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "kernels/variants.h"

using namespace cnnlab;
using namespace cnnlab::kernels;

// ---- [SECTION] helpers -------------------------------------------------------------------------
namespace {

std::vector<float> random_vector(size_t n, uint64_t seed, float lo = -1.0f, float hi = 1.0f) {
  Rng rng = Rng::stream(seed, RngStream::kInit);
  std::vector<float> v(n);
  for (auto& x : v) x = lo + (hi - lo) * rng.uniform();
  return v;
}

// Largest |a - b| relative to (1 + |b|): GEMMs with different summation orders differ by rounding.
double max_rel_diff(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  double worst = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = std::fabs(static_cast<double>(a[i]) - b[i]) / (1.0 + std::fabs(b[i]));
    if (!(d <= worst)) worst = d;  // NaN counts as the worst
  }
  return worst;
}

// Largest |a - b| relative to the largest |b| (at least 1): for methods whose rounding scales
// with the magnitude of the whole result rather than of each element (Winograd's transforms).
double max_diff_of_largest(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  double worst = 0.0, largest = 1.0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = std::fabs(static_cast<double>(a[i]) - b[i]);
    if (!(d <= worst)) worst = d;  // NaN counts as the worst
    largest = std::max(largest, std::fabs(static_cast<double>(b[i])));
  }
  return worst / largest;
}

int same_pad_total(int in, int k, int stride, int out) {
  const int total = (out - 1) * stride + k - in;
  return total > 0 ? total : 0;
}

ConvGeometry make_geometry(int batch, int channels, int h, int w, int k, int stride, bool same) {
  ConvGeometry g{};
  g.batch = batch;
  g.channels = channels;
  g.height = h;
  g.width = w;
  g.kernel_h = k;
  g.kernel_w = k;
  g.stride = stride;
  if (same) {
    g.out_h = (h + stride - 1) / stride;
    g.out_w = (w + stride - 1) / stride;
    g.pad_top = same_pad_total(h, k, stride, g.out_h) / 2;
    g.pad_left = same_pad_total(w, k, stride, g.out_w) / 2;
  } else {
    g.out_h = (h - k) / stride + 1;
    g.out_w = (w - k) / stride + 1;
    g.pad_top = g.pad_left = 0;
  }
  return g;
}

size_t col_size(const ConvGeometry& g) {
  return static_cast<size_t>(g.col_rows()) * g.col_cols();
}
size_t input_size(const ConvGeometry& g) {
  return static_cast<size_t>(g.batch) * g.channels * g.height * g.width;
}

}  // namespace

// ---- [SECTION] scalar references by hand -------------------------------------------------------
TEST_CASE("gemm_scalar: a 2x3 @ 3x2 product by hand, all transposes, accumulate") {
  const float A[] = {1, 2, 3, 4, 5, 6};        // (2, 3)
  const float At[] = {1, 4, 2, 5, 3, 6};       // (3, 2) = A^T stored
  const float B[] = {7, 8, 9, 10, 11, 12};     // (3, 2)
  const float Bt[] = {7, 9, 11, 8, 10, 12};    // (2, 3) = B^T stored
  const float expected[] = {58, 64, 139, 154};  // A @ B
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      CAPTURE(ta);
      CAPTURE(tb);
      float C[4] = {0, 0, 0, 0};
      gemm_scalar(C, 2, ta ? At : A, ta ? 2 : 3, tb ? Bt : B, tb ? 3 : 2, 2, 2, 3, ta, tb, false);
      for (int i = 0; i < 4; ++i) CHECK(C[i] == expected[i]);
      gemm_scalar(C, 2, ta ? At : A, ta ? 2 : 3, tb ? Bt : B, tb ? 3 : 2, 2, 2, 3, ta, tb, true);
      for (int i = 0; i < 4; ++i) CHECK(C[i] == 2 * expected[i]);
    }
  // K = 0: C is zeroed, or kept when accumulating.
  float C[4] = {1, 1, 1, 1};
  gemm_scalar(C, 2, A, 0, B, 2, 2, 2, 0, false, false, true);
  CHECK(C[0] == 1.0f);
  gemm_scalar(C, 2, A, 0, B, 2, 2, 2, 0, false, false, false);
  CHECK(C[3] == 0.0f);
}

TEST_CASE("maxpool2d_forward/backward_scalar: a 4x4 plane with known argmax") {
  const float x[] = {1, 5, 2, 0,   //
                     3, 4, 8, 8,   // tie at (1,2),(1,3): first wins
                     -1, -2, 0, 0,  //
                     -3, -9, 7, 6};
  float y[4];
  int32_t argmax[4];
  maxpool2d_forward_scalar(y, argmax, x, 1, 1, 4, 4, 2, 2, 2, 2);
  CHECK(y[0] == 5);
  CHECK(y[1] == 8);
  CHECK(y[2] == -1);
  CHECK(y[3] == 7);
  CHECK(argmax[0] == 1);
  CHECK(argmax[1] == 6);
  CHECK(argmax[2] == 8);
  CHECK(argmax[3] == 14);
  const float dy[] = {10, 20, 30, 40};
  float dx[16];
  std::fill(dx, dx + 16, 99.0f);
  maxpool2d_backward_scalar(dx, dy, argmax, 1, 1, 4, 4, 2, 2);
  float expected[16] = {};
  expected[1] = 10;
  expected[6] = 20;
  expected[8] = 30;
  expected[14] = 40;
  for (int i = 0; i < 16; ++i) CHECK(dx[i] == expected[i]);
  // Overlapping windows (3x3, stride 1): all four contain the 8 at index 6 (the first of the
  // tie), so backward scatter-adds every gradient into it.
  float y2[4];
  int32_t a2[4];
  maxpool2d_forward_scalar(y2, a2, x, 1, 1, 4, 4, 3, 1, 2, 2);
  for (int i = 0; i < 4; ++i) {
    CHECK(y2[i] == 8);
    CHECK(a2[i] == 6);
  }
  maxpool2d_backward_scalar(dx, dy, a2, 1, 1, 4, 4, 2, 2);
  CHECK(dx[6] == 100.0f);
  CHECK(dx[7] == 0.0f);
}

TEST_CASE("avgpool2d_scalar: a 4x4 plane by hand") {
  float x[16];
  for (int i = 0; i < 16; ++i) x[i] = static_cast<float>(i);
  float y[4];
  avgpool2d_forward_scalar(y, x, 1, 1, 4, 4, 2, 2, 2, 2);
  CHECK(y[0] == doctest::Approx(2.5));   // (0 + 1 + 4 + 5) / 4
  CHECK(y[3] == doctest::Approx(12.5));  // (10 + 11 + 14 + 15) / 4
  const float dy[] = {4, 8, 12, 16};
  float dx[16];
  avgpool2d_backward_scalar(dx, dy, 1, 1, 4, 4, 2, 2, 2, 2);
  CHECK(dx[0] == 1.0f);
  CHECK(dx[5] == 1.0f);
  CHECK(dx[2] == 2.0f);
  CHECK(dx[15] == 4.0f);
}

TEST_CASE("softmax_xent_scalar: known logits") {
  // Logits (0, ln 2, ln 3): probabilities 1/6, 2/6, 3/6.
  const float logits[] = {0.0f, std::log(2.0f), std::log(3.0f),  //
                          1000.0f, 0.0f, -1000.0f};              // extreme: must stay finite
  const int32_t labels[] = {1, 2};
  float probs[6], losses[2], d[6];
  softmax_xent_forward_scalar(probs, losses, logits, labels, 2, 3);
  CHECK(probs[0] == doctest::Approx(1.0 / 6));
  CHECK(probs[1] == doctest::Approx(2.0 / 6));
  CHECK(probs[2] == doctest::Approx(3.0 / 6));
  CHECK(losses[0] == doctest::Approx(std::log(3.0)));
  CHECK(probs[3] == doctest::Approx(1.0));
  CHECK(losses[1] == doctest::Approx(2000.0));
  softmax_xent_backward_scalar(d, probs, labels, 2, 3);
  CHECK(d[0] == doctest::Approx(1.0 / 12));
  CHECK(d[1] == doctest::Approx((2.0 / 6 - 1) / 2));
  CHECK(d[5] == doctest::Approx(-0.5));
}

TEST_CASE("adam_update_scalar and sgd_update_scalar: one step by hand") {
  // Adam, t = 1: m = 0.1 g, v = 0.001 g^2, bc1 = 0.1, bc2 = 0.001 -> step = lr * g / (|g| + eps').
  float w[] = {1.0f, -2.0f};
  float m[] = {0.0f, 0.0f};
  float v[] = {0.0f, 0.0f};
  const float g[] = {0.5f, -4.0f};
  adam_update_scalar(w, m, v, g, 2, 0.01f, 0.9f, 0.999f, 1e-8f, 0.1f, 0.001f, 0.0f, 0.0f);
  CHECK(m[0] == doctest::Approx(0.05));
  CHECK(v[1] == doctest::Approx(0.016));
  CHECK(w[0] == doctest::Approx(1.0 - 0.01).epsilon(1e-6));
  CHECK(w[1] == doctest::Approx(-2.0 + 0.01).epsilon(1e-6));
  // AdamW decoupled decay and L2 on top: w -= lr*wd*w with the OLD w; l2 adds to the gradient.
  float w2[] = {2.0f};
  float m2[] = {0.0f}, v2[] = {0.0f};
  const float g2[] = {1.0f};
  adam_update_scalar(w2, m2, v2, g2, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0.1f, 0.001f, 0.5f, 0.25f);
  // g' = 1 + 0.5*2 = 2 -> adam step 0.1; decay 0.1*0.25*2 = 0.05.
  CHECK(w2[0] == doctest::Approx(2.0 - 0.1 - 0.05).epsilon(1e-6));

  // SGD momentum 0.9 from v = 1: g' = g + l2 w = 1 + 0.1*1; v = 0.9 + 1.1 = 2.0.
  float ws[] = {1.0f}, vs[] = {1.0f};
  const float gs[] = {1.0f};
  sgd_update_scalar(ws, vs, gs, 1, 0.1f, 0.9f, false, 0.1f);
  CHECK(vs[0] == doctest::Approx(2.0));
  CHECK(ws[0] == doctest::Approx(1.0 - 0.2));
  float wn[] = {1.0f}, vn[] = {1.0f};
  sgd_update_scalar(wn, vn, gs, 1, 0.1f, 0.9f, true, 0.1f);
  CHECK(wn[0] == doctest::Approx(1.0 - 0.1 * (1.1 + 0.9 * 2.0)));
  const float sq[] = {3.0f, 4.0f};
  CHECK(sum_squares_scalar(sq, 2) == 25.0);
  float sc[] = {1.0f, -2.0f};
  scale_scalar(sc, 2, 3.0f);
  CHECK(sc[1] == -6.0f);
}

TEST_CASE("dense_scalar: forward and backward by hand; via_gemm agrees") {
  const float x[] = {1, 2, 3, 4, 5, 6};  // (B=2, I=3)
  const float w[] = {1, 0, -1, 2, 1, 0};  // (O=2, I=3)
  const float b[] = {0.5f, -1.0f};
  float y[4];
  dense_forward_scalar(y, x, w, b, 2, 3, 2, nullptr);
  CHECK(y[0] == -1.5f);  // 1 - 3 + 0.5
  CHECK(y[1] == 3.0f);   // 2 + 2 - 1
  CHECK(y[2] == -1.5f);  // 4 - 6 + 0.5
  CHECK(y[3] == 12.0f);  // 8 + 5 - 1
  const float dy[] = {1, 2, 3, 4};
  float dx[6], dw[6] = {}, db[2] = {};
  dense_backward_scalar(dx, dw, db, dy, x, w, 2, 3, 2, nullptr);
  // dw = dy^T x: row0 = 1*(1,2,3) + 3*(4,5,6); row1 = 2*(1,2,3) + 4*(4,5,6).
  const float dw_expected[] = {13, 17, 21, 18, 24, 30};
  for (int i = 0; i < 6; ++i) CHECK(dw[i] == dw_expected[i]);
  CHECK(db[0] == 4.0f);
  CHECK(db[1] == 6.0f);
  // dx = dy w: row0 = 1*(1,0,-1) + 2*(2,1,0) = (5,2,-1).
  CHECK(dx[0] == 5.0f);
  CHECK(dx[1] == 2.0f);
  CHECK(dx[2] == -1.0f);

  int count = 0;
  const GemmVariant* variants = gemm_variants(&count);
  ThreadPool pool(2);
  const int B = 5, I = 37, O = 19;
  auto xs = random_vector(B * I, 1), ws = random_vector(O * I, 2), bs = random_vector(O, 3);
  auto dys = random_vector(B * O, 4);
  std::vector<float> y_ref(B * O), dx_ref(B * I), dw_ref(O * I, 0.5f), db_ref(O, 0.25f);
  dense_forward_scalar(y_ref.data(), xs.data(), ws.data(), bs.data(), B, I, O, nullptr);
  dense_backward_scalar(dx_ref.data(), dw_ref.data(), db_ref.data(), dys.data(), xs.data(),
                        ws.data(), B, I, O, nullptr);
  for (int v = 0; v < count; ++v) {
    CAPTURE(std::string(variants[v].name));
    std::vector<float> y2(B * O), dx2(B * I), dw2(O * I, 0.5f), db2(O, 0.25f);
    dense_forward_via_gemm(variants[v].fn, y2.data(), xs.data(), ws.data(), bs.data(), B, I, O,
                           &pool);
    dense_backward_via_gemm(variants[v].fn, dx2.data(), dw2.data(), db2.data(), dys.data(),
                            xs.data(), ws.data(), B, I, O, &pool);
    CHECK(max_rel_diff(y2, y_ref) < 1e-5);
    CHECK(max_rel_diff(dx2, dx_ref) < 1e-5);
    CHECK(max_rel_diff(dw2, dw_ref) < 1e-5);
    CHECK(max_rel_diff(db2, db_ref) < 1e-5);
  }
}

TEST_CASE("conv regrouping by hand: (Co, B*P) <-> (B, Co, P) with bias") {
  // B=2, Co=2, P=3: yt rows are channels, columns (b, p).
  const float yt[] = {1, 2, 3, 4, 5, 6,  //
                      7, 8, 9, 10, 11, 12};
  const float bias[] = {100, 200};
  float y[12];
  conv_output_from_gemm_scalar(y, yt, bias, 2, 2, 3, 0, 2);
  const float expected[] = {101, 102, 103, 207, 208, 209, 104, 105, 106, 210, 211, 212};
  for (int i = 0; i < 12; ++i) CHECK(y[i] == expected[i]);
  float dyt[12];
  float dbias[] = {1.0f, 2.0f};
  conv_grad_to_gemm_scalar(dyt, dbias, expected, 2, 2, 3, 0, 2);
  CHECK(dyt[0] == 101);
  CHECK(dyt[3] == 104);
  CHECK(dyt[6] == 207);
  CHECK(dbias[0] == 1 + 101 + 102 + 103 + 104 + 105 + 106);
  CHECK(dbias[1] == 2 + 207 + 208 + 209 + 210 + 211 + 212);
}

TEST_CASE("im2col_scalar: a 1-channel 3x3 image, 2x2 kernel, same padding (extra at bottom/right)") {
  // x = 1..9; same, k=2, stride 1: out 3x3, total pad 1 -> top/left 0, bottom/right 1.
  float x[9];
  for (int i = 0; i < 9; ++i) x[i] = static_cast<float>(i + 1);
  ConvGeometry g = make_geometry(1, 1, 3, 3, 2, 1, true);
  CHECK(g.pad_top == 0);
  CHECK(g.pad_left == 0);
  std::vector<float> col(col_size(g));
  im2col_scalar(col.data(), x, g, 0, g.batch);
  // Row (kh=0, kw=0): the image itself; row (kh=1, kw=1): shifted up-left, zeros at bottom/right.
  const float row0[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const float row3[] = {5, 6, 0, 8, 9, 0, 0, 0, 0};
  for (int i = 0; i < 9; ++i) CHECK(col[i] == row0[i]);
  for (int i = 0; i < 9; ++i) CHECK(col[27 + i] == row3[i]);
  // 3x3 same: pad 1 each side; centre row equals the image, corner (0,0) row starts with zeros.
  ConvGeometry g3 = make_geometry(1, 1, 3, 3, 3, 1, true);
  CHECK(g3.pad_top == 1);
  std::vector<float> col3(col_size(g3));
  im2col_scalar(col3.data(), x, g3, 0, g3.batch);
  for (int i = 0; i < 9; ++i) CHECK(col3[4 * 9 + i] == row0[i]);
  CHECK(col3[0] == 0.0f);
  CHECK(col3[4] == 1.0f);  // (kh=0,kw=0) at output (1,1) reads input (0,0)
  // col2im sums overlapping windows: with all-ones dcol every pixel gets its window count.
  std::vector<float> ones(col3.size(), 1.0f), dx(9);
  col2im_scalar(dx.data(), ones.data(), g3, 0, g3.batch);
  CHECK(dx[0] == 4.0f);
  CHECK(dx[1] == 6.0f);
  CHECK(dx[4] == 9.0f);
}

// ---- [SECTION] GEMM variants vs scalar ---------------------------------------------------------
TEST_CASE("every GEMM variant matches gemm_scalar on awkward sizes, transposes, accumulate, threads") {
  int count = 0;
  const GemmVariant* variants = gemm_variants(&count);
  REQUIRE(count >= 1);
  ThreadPool pool(2);
  const int sizes[] = {1, 3, 7, 17, 33, 65};
  const int big_n[] = {1, 5, 16, 31, 129, 300};
  uint64_t seed = 10;
  for (int M : sizes)
    for (int N : big_n)
      for (int K : {1, 3, 17, 40}) {
        auto A = random_vector(static_cast<size_t>(M) * K, seed++);
        auto B = random_vector(static_cast<size_t>(K) * N, seed++);
        auto C0 = random_vector(static_cast<size_t>(M) * N, seed++);
        for (int ta = 0; ta < 2; ++ta)
          for (int tb = 0; tb < 2; ++tb)
            for (int acc = 0; acc < 2; ++acc) {
              std::vector<float> ref = C0;
              gemm_scalar(ref.data(), N, A.data(), ta ? M : K, B.data(), tb ? K : N, M, N, K, ta,
                          tb, acc);
              for (int v = 0; v < count; ++v)
                for (ThreadPool* p : {static_cast<ThreadPool*>(nullptr), &pool}) {
                  std::vector<float> out = C0;
                  gemm_parallel(variants[v].fn, out.data(), A.data(), B.data(), M, N, K, ta, tb,
                                acc, p);
                  const double diff = max_rel_diff(out, ref);
                  if (!(diff < 1e-5)) {
                    INFO(variants[v].name << " M=" << M << " N=" << N << " K=" << K << " ta=" << ta
                                          << " tb=" << tb << " acc=" << acc
                                          << " threads=" << (p ? 2 : 1));
                    CHECK(diff < 1e-5);
                  }
                }
            }
      }
}

TEST_CASE("GEMM variants on conv-like shapes split over two threads (N large, K odd)") {
  int count = 0;
  const GemmVariant* variants = gemm_variants(&count);
  ThreadPool pool(2);
  struct Case {
    int M, N, K;
    bool ta, tb;
  };
  // forward W (Co, K) @ col (K, N); weight grad dYt (Co, N) @ col^T; input grad W^T @ dYt.
  const Case cases[] = {{32, 1027, 27, false, false},
                        {32, 27, 1027, false, true},
                        {27, 1027, 32, true, false},
                        {70, 45, 288, false, false},
                        {130, 3, 19, false, false}};
  uint64_t seed = 1000;
  for (const Case& c : cases) {
    const int lda = c.ta ? c.M : c.K, ldb = c.tb ? c.K : c.N;
    auto A = random_vector(static_cast<size_t>(c.M) * c.K, seed++);
    auto B = random_vector(static_cast<size_t>(c.K) * c.N, seed++);
    std::vector<float> ref(static_cast<size_t>(c.M) * c.N);
    gemm_scalar(ref.data(), c.N, A.data(), lda, B.data(), ldb, c.M, c.N, c.K, c.ta, c.tb, false);
    for (int v = 0; v < count; ++v) {
      CAPTURE(std::string(variants[v].name));
      CAPTURE(c.M);
      CAPTURE(c.N);
      CAPTURE(c.K);
      std::vector<float> out(ref.size(), 7.0f);
      gemm_parallel(variants[v].fn, out.data(), A.data(), B.data(), c.M, c.N, c.K, c.ta, c.tb,
                    false, &pool);
      CHECK(max_rel_diff(out, ref) < 2e-5);
    }
  }
}

TEST_CASE("GEMM variants: K = 0 zeroes C (or keeps it when accumulating); empty M or N is a no-op") {
  int count = 0;
  const GemmVariant* variants = gemm_variants(&count);
  for (int v = 0; v < count; ++v) {
    CAPTURE(std::string(variants[v].name));
    std::vector<float> C(6 * 35, 3.0f);
    const float dummy = 1.0f;
    gemm_parallel(variants[v].fn, C.data(), &dummy, &dummy, 6, 35, 0, false, false, true, nullptr);
    CHECK(C[0] == 3.0f);
    gemm_parallel(variants[v].fn, C.data(), &dummy, &dummy, 6, 35, 0, true, true, false, nullptr);
    CHECK(C[6 * 35 - 1] == 0.0f);
    C[0] = 5.0f;
    gemm_parallel(variants[v].fn, C.data(), &dummy, &dummy, 0, 35, 4, false, false, false, nullptr);
    gemm_parallel(variants[v].fn, C.data(), &dummy, &dummy, 6, 0, 4, false, false, false, nullptr);
    CHECK(C[0] == 5.0f);
  }
}

// ---- [SECTION] im2col / col2im -----------------------------------------------------------------
TEST_CASE("col2im is the adjoint of im2col, and every variant matches the scalar reference") {
  int set_count = 0;
  const KernelSet* sets = kernel_sets(&set_count);
  uint64_t seed = 2000;
  for (int k = 1; k <= 7; ++k)
    for (int stride : {1, 2})
      for (bool same : {true, false}) {
        const int h = 9, w = 8;  // odd and even sides
        if (!same && k > w) continue;
        ConvGeometry g = make_geometry(2, 3, h, w, k, stride, same);
        CAPTURE(k);
        CAPTURE(stride);
        CAPTURE(same);
        auto x = random_vector(input_size(g), seed++);
        auto y = random_vector(col_size(g), seed++);
        std::vector<float> col(col_size(g)), dx(input_size(g));
        im2col_scalar(col.data(), x.data(), g, 0, g.batch);
        col2im_scalar(dx.data(), y.data(), g, 0, g.batch);
        double lhs = 0.0, rhs = 0.0;
        for (size_t i = 0; i < col.size(); ++i) lhs += static_cast<double>(col[i]) * y[i];
        for (size_t i = 0; i < dx.size(); ++i) rhs += static_cast<double>(x[i]) * dx[i];
        CHECK(lhs == doctest::Approx(rhs).epsilon(1e-5));
        for (int s = 1; s < set_count; ++s) {
          CAPTURE(std::string(sets[s].name));
          std::vector<float> col2(col.size(), 5.0f), dx2(dx.size(), 5.0f);
          sets[s].im2col(col2.data(), x.data(), g, 0, g.batch);
          sets[s].col2im(dx2.data(), y.data(), g, 0, g.batch);
          CHECK(col2 == col);
          CHECK(max_rel_diff(dx2, dx) < 1e-6);
        }
      }
}

TEST_CASE("threaded overloads give bit-identical results to the single-threaded entry points") {
  ThreadPool pool(2);
  // Big enough to be split (the overloads run inline below ~32K floats).
  for (int k : {3, 4}) {
    for (int stride : {1, 2}) {
      ConvGeometry g = make_geometry(5, 3, 33, 30, k, stride, true);
      CAPTURE(k);
      CAPTURE(stride);
      auto x = random_vector(input_size(g), 300 + k);
      std::vector<float> c1(col_size(g)), c2(col_size(g), 9.0f);
      im2col(c1.data(), x.data(), g);
      im2col(c2.data(), x.data(), g, &pool);
      CHECK(c1 == c2);
      std::vector<float> d1(input_size(g)), d2(input_size(g), 9.0f);
      col2im(d1.data(), c1.data(), g);
      col2im(d2.data(), c1.data(), g, &pool);
      CHECK(d1 == d2);
    }
  }
  const int B = 6, Co = 7, P = 33 * 31;
  auto yt = random_vector(static_cast<size_t>(B) * Co * P, 310);
  auto bias = random_vector(Co, 311);
  std::vector<float> y1(yt.size()), y2(yt.size());
  conv_output_from_gemm(y1.data(), yt.data(), bias.data(), B, Co, P);
  conv_output_from_gemm(y2.data(), yt.data(), bias.data(), B, Co, P, &pool);
  CHECK(y1 == y2);
  std::vector<float> t1(yt.size()), t2(yt.size()), db1(Co, 0.5f), db2(Co, 0.5f);
  conv_grad_to_gemm(t1.data(), db1.data(), y1.data(), B, Co, P);
  conv_grad_to_gemm(t2.data(), db2.data(), y1.data(), B, Co, P, &pool);
  CHECK(t1 == t2);
  CHECK(db1 == db2);
  // Pooling 2x2 (fast path) and 3x3 stride 2 (reference path) over 6*7 planes of 34x31.
  for (int kernel : {2, 3}) {
    const int H = 34, W = 31, OH = (H - kernel) / 2 + 1, OW = (W - kernel) / 2 + 1;
    const size_t out_n = static_cast<size_t>(B) * Co * OH * OW;
    auto x = random_vector(static_cast<size_t>(B) * Co * H * W, 320 + kernel);
    std::vector<float> p1(out_n), p2(out_n);
    std::vector<int32_t> a1(out_n), a2(out_n);
    maxpool2d_forward(p1.data(), a1.data(), x.data(), B, Co, H, W, kernel, 2, OH, OW);
    maxpool2d_forward(p2.data(), a2.data(), x.data(), B, Co, H, W, kernel, 2, OH, OW, &pool);
    CHECK(p1 == p2);
    CHECK(a1 == a2);
    auto dy = random_vector(out_n, 330);
    std::vector<float> dx1(x.size()), dx2(x.size(), 4.0f);
    maxpool2d_backward(dx1.data(), dy.data(), a1.data(), B, Co, H, W, OH, OW);
    maxpool2d_backward(dx2.data(), dy.data(), a1.data(), B, Co, H, W, OH, OW, &pool);
    CHECK(dx1 == dx2);
  }
  // ReLU over a length that is not a multiple of the split alignment.
  const size_t n = 100003;
  auto x = random_vector(n, 340), dy = random_vector(n, 341);
  std::vector<float> r1(n), r2(n), g1(n), g2(n);
  relu_forward(r1.data(), x.data(), n);
  relu_forward(r2.data(), x.data(), n, &pool);
  CHECK(r1 == r2);
  relu_backward(g1.data(), dy.data(), r1.data(), n);
  relu_backward(g2.data(), dy.data(), r1.data(), n, &pool);
  CHECK(g1 == g2);
  // min/max/sum in one pass, threaded or not: same extremes, sums equal to rounding.
  float lo1, hi1, lo2, hi2;
  double s1, s2, exact = 0.0;
  for (float v : x) exact += v;
  min_max_sum(&lo1, &hi1, &s1, x.data(), n);
  min_max_sum(&lo2, &hi2, &s2, x.data(), n, &pool);
  CHECK(lo1 == *std::min_element(x.begin(), x.end()));
  CHECK(hi1 == *std::max_element(x.begin(), x.end()));
  CHECK(lo2 == lo1);
  CHECK(hi2 == hi1);
  CHECK(s1 == doctest::Approx(exact).epsilon(1e-6));
  CHECK(s2 == doctest::Approx(exact).epsilon(1e-6));
  const float small[] = {NAN, 2.0f, -3.0f};  // NaN skipped; works below one lane group
  min_max_sum(&lo1, &hi1, &s1, small, 3);
  CHECK(lo1 == -3.0f);
  CHECK(hi1 == 2.0f);
  CHECK(std::isnan(s1));
  // A null pool runs inline.
  relu_forward(r2.data(), dy.data(), n, nullptr);
  relu_forward(r1.data(), dy.data(), n);
  CHECK(r1 == r2);
}

TEST_CASE("im2col: stride 2 same padding with an even kernel pads bottom/right") {
  // in 8, k 4, stride 2 -> out 4, total pad (4-1)*2 + 4 - 8 = 2 -> top 1, bottom 1.
  // in 7, k 2, stride 2 -> out 4, total pad 3*2 + 2 - 7 = 1 -> top 0, bottom 1.
  ConvGeometry g = make_geometry(1, 1, 7, 7, 2, 2, true);
  CHECK(g.out_h == 4);
  CHECK(g.pad_top == 0);
  std::vector<float> x(49);
  for (int i = 0; i < 49; ++i) x[i] = static_cast<float>(i + 1);
  std::vector<float> col(col_size(g));
  im2col_scalar(col.data(), x.data(), g, 0, g.batch);
  // Row (kh=1, kw=1) at output (3, 3) reads input (7, 7): padding -> 0; at (2, 2) reads (5, 5).
  const size_t row = 3, cols = 16;
  CHECK(col[row * cols + 15] == 0.0f);
  CHECK(col[row * cols + 10] == x[5 * 7 + 5]);
}

// ---- [SECTION] implicit-GEMM convolution vs the im2col references -----------------------------
namespace {

// y (B, Co, P) = w (Co, K) @ im2col(x) + bias, from the scalar references.
std::vector<float> reference_conv_forward(const std::vector<float>& x, const std::vector<float>& w,
                                          const std::vector<float>& bias, const ConvGeometry& g,
                                          int co) {
  const int P = g.out_h * g.out_w;
  std::vector<float> col(col_size(g)), yt(static_cast<size_t>(co) * g.col_cols());
  std::vector<float> y(static_cast<size_t>(g.batch) * co * P);
  im2col_scalar(col.data(), x.data(), g, 0, g.batch);
  gemm_scalar(yt.data(), g.col_cols(), w.data(), g.col_rows(), col.data(), g.col_cols(), co,
              g.col_cols(), g.col_rows(), false, false, false);
  conv_output_from_gemm_scalar(y.data(), yt.data(), bias.data(), g.batch, co, P, 0, co);
  return y;
}

// dx (B, C, H, W) = col2im(w^T @ dy regrouped), from the scalar references.
std::vector<float> reference_conv_input_grad(const std::vector<float>& dy,
                                             const std::vector<float>& w, const ConvGeometry& g,
                                             int co) {
  const int P = g.out_h * g.out_w;
  std::vector<float> dyt(static_cast<size_t>(co) * g.col_cols()), dcol(col_size(g));
  std::vector<float> dx(input_size(g));
  conv_grad_to_gemm_scalar(dyt.data(), nullptr, dy.data(), g.batch, co, P, 0, co);
  gemm_scalar(dcol.data(), g.col_cols(), w.data(), g.col_rows(), dyt.data(), g.col_cols(),
              g.col_rows(), g.col_cols(), co, true, false, false);
  col2im_scalar(dx.data(), dcol.data(), g, 0, g.batch);
  return dx;
}

// dw (Co, K) + dy regrouped @ im2col(x)^T, from the scalar references.
std::vector<float> reference_conv_weight_grad(std::vector<float> dw, const std::vector<float>& dy,
                                              const std::vector<float>& x, const ConvGeometry& g,
                                              int co) {
  const int P = g.out_h * g.out_w;
  std::vector<float> dyt(static_cast<size_t>(co) * g.col_cols()), col(col_size(g));
  conv_grad_to_gemm_scalar(dyt.data(), nullptr, dy.data(), g.batch, co, P, 0, co);
  im2col_scalar(col.data(), x.data(), g, 0, g.batch);
  gemm_scalar(dw.data(), g.col_rows(), dyt.data(), g.col_cols(), col.data(), g.col_cols(), co,
              g.col_rows(), g.col_cols(), false, true, true);
  return dw;
}

}  // namespace

TEST_CASE("every implicit-GEMM conv tile matches im2col + GEMM: k 1..11, strides, paddings") {
  int count = 0;
  const ConvImplicitVariant* variants = conv_implicit_variants(&count);
  REQUIRE(count >= 1);
  ThreadPool pool(2);
  uint64_t seed = 5000;
  struct Case {
    int batch, channels, h, w, co;
  };
  // Odd and even sides, Co not a multiple of any tile's rows; the last case has more output
  // pixels than one B panel (NC) holds.
  const Case cases[] = {{2, 3, 13, 11, 5}, {1, 9, 7, 12, 11}, {2, 2, 37, 33, 3}};
  for (const Case& c : cases)
    for (int k = 1; k <= 11; ++k)
      for (int stride : {1, 2})
        for (bool same : {true, false}) {
          if (!same && (k > c.h || k > c.w)) continue;
          if (c.h > 20 && k % 4 != 3) continue;  // the large image: a few kernels only
          const ConvGeometry g = make_geometry(c.batch, c.channels, c.h, c.w, k, stride, same);
          CAPTURE(c.h);
          CAPTURE(k);
          CAPTURE(stride);
          CAPTURE(same);
          const int co = c.co, P = g.out_h * g.out_w;
          auto x = random_vector(input_size(g), seed++);
          auto w = random_vector(static_cast<size_t>(co) * g.col_rows(), seed++);
          auto bias = random_vector(co, seed++);
          auto dy = random_vector(static_cast<size_t>(g.batch) * co * P, seed++);
          const auto y_ref = reference_conv_forward(x, w, bias, g, co);
          const auto dw0 = random_vector(w.size(), seed++);  // dw accumulates onto this
          const auto dw_ref = reference_conv_weight_grad(dw0, dy, x, g, co);
          std::vector<float> partials(static_cast<size_t>(conv_weight_grad_groups(g) - 1) *
                                      w.size());
          const bool dx_ok = stride == 1;
          const auto dx_ref =
              dx_ok ? reference_conv_input_grad(dy, w, g, co) : std::vector<float>();
          for (int v = 0; v < count; ++v) {
            CAPTURE(std::string(variants[v].name));
            const int taps = k * k;
            std::vector<float> packed(std::max(
                conv_packed_weights_floats(co, c.channels * taps, variants[v].mr),
                conv_packed_weights_floats(c.channels, co * taps, variants[v].mr)));
            pack_conv_weights(packed.data(), w.data(), co, c.channels, k, k, variants[v].mr,
                              variants[v].kc, false);
            std::vector<float> y1(y_ref.size(), 7.0f), y2(y_ref.size(), -7.0f);
            conv_implicit_parallel(variants[v].block, variants[v].nr, y1.data(), x.data(),
                                   packed.data(), bias.data(), g, co, nullptr);
            conv_implicit_parallel(variants[v].block, variants[v].nr, y2.data(), x.data(),
                                   packed.data(), bias.data(), g, co, &pool);
            CHECK(max_rel_diff(y1, y_ref) < 1e-5);
            CHECK(y1 == y2);  // the split over threads never changes a sum
            std::vector<float> dw1 = dw0, dw2 = dw0;
            conv_weight_grad_parallel(variants[v].weight_grad, variants[v].nr, dw1.data(),
                                      partials.data(), dy.data(), x.data(), g, co, nullptr);
            conv_weight_grad_parallel(variants[v].weight_grad, variants[v].nr, dw2.data(),
                                      partials.data(), dy.data(), x.data(), g, co, &pool);
            // Its sums run over B*P products (up to 2,400 here), rounded in two orders.
            CHECK(max_rel_diff(dw1, dw_ref) < 5e-5);
            CHECK(dw1 == dw2);
            if (!dx_ok) continue;
            pack_conv_weights(packed.data(), w.data(), co, c.channels, k, k, variants[v].mr,
                              variants[v].kc, true);
            const ConvGeometry t = input_gradient_geometry(g, co);
            std::vector<float> dx1(dx_ref.size(), 3.0f), dx2(dx_ref.size(), -3.0f);
            conv_implicit_parallel(variants[v].block, variants[v].nr, dx1.data(), dy.data(),
                                   packed.data(), nullptr, t, c.channels, nullptr);
            conv_implicit_parallel(variants[v].block, variants[v].nr, dx2.data(), dy.data(),
                                   packed.data(), nullptr, t, c.channels, &pool);
            CHECK(max_rel_diff(dx1, dx_ref) < 1e-5);
            CHECK(dx1 == dx2);
          }
        }
}

TEST_CASE("conv entry points: implicit where the dispatch picks it, stride 2 refused for dx") {
  ThreadPool pool(2);
  const int co = 6;
  const ConvGeometry same1 = make_geometry(3, 10, 9, 9, 5, 1, true);
  CHECK(conv_forward_uses_implicit(same1, co));
  CHECK(conv_input_grad_uses_implicit(same1, co));
  // Strided and `valid` shapes keep the column matrix; so does dx of a 3-channel input.
  CHECK_FALSE(conv_forward_uses_implicit(make_geometry(3, 10, 9, 9, 5, 2, true), co));
  CHECK_FALSE(conv_input_grad_uses_implicit(make_geometry(3, 10, 9, 9, 5, 2, true), co));
  CHECK_FALSE(conv_forward_uses_implicit(make_geometry(3, 10, 9, 9, 5, 1, false), co));
  CHECK_FALSE(conv_input_grad_uses_implicit(make_geometry(3, 3, 9, 9, 5, 1, true), co));
  CHECK(conv_weight_grad_uses_implicit(same1, co));
  CHECK_FALSE(conv_weight_grad_uses_implicit(make_geometry(3, 10, 9, 9, 5, 2, true), co));
  auto x = random_vector(input_size(same1), 90), w = random_vector(co * same1.col_rows(), 91);
  auto bias = random_vector(co, 92);
  std::vector<float> scratch(conv_implicit_scratch_floats(same1, co));
  std::vector<float> y(static_cast<size_t>(same1.batch) * co * 81);
  conv2d_forward_implicit(y.data(), scratch.data(), x.data(), w.data(), bias.data(), same1, co,
                          &pool);
  CHECK(max_rel_diff(y, reference_conv_forward(x, w, bias, same1, co)) < 1e-5);
  std::vector<float> dx(input_size(same1));
  conv2d_input_grad_implicit(dx.data(), scratch.data(), y.data(), w.data(), same1, co, &pool);
  CHECK(max_rel_diff(dx, reference_conv_input_grad(y, w, same1, co)) < 1e-5);
  // Weight and bias gradients accumulate onto what is there.
  std::vector<float> partials(conv_weight_grad_scratch_floats(same1, co));
  std::vector<float> dw(w.size(), 0.25f), db(co, 0.5f), db_ref(co, 0.5f);
  conv2d_weight_grad_implicit(dw.data(), db.data(), partials.data(), y.data(), x.data(), same1, co,
                              &pool);
  CHECK(max_rel_diff(dw, reference_conv_weight_grad(std::vector<float>(w.size(), 0.25f), y, x,
                                                    same1, co)) < 5e-5);
  std::vector<float> unused(static_cast<size_t>(co) * same1.col_cols());
  conv_grad_to_gemm_scalar(unused.data(), db_ref.data(), y.data(), same1.batch, co, 81, 0, co);
  CHECK(max_rel_diff(db, db_ref) < 1e-5);
  const ConvGeometry strided = make_geometry(1, 10, 9, 9, 3, 2, true);
  CHECK_THROWS_AS(conv2d_input_grad_implicit(dx.data(), scratch.data(), y.data(), w.data(),
                                             strided, co, nullptr),
                  Error);
}

// ---- [SECTION] Winograd convolution vs the im2col references ----------------------------------
// The transforms round in proportion to the whole result's magnitude, so errors are measured
// against its largest value: about 5e-6 on 8 x 8 tiles (k = 3, 5) and 1e-4 on the 10 x 10 tiles
// of k = 7 (the bounds below leave a margin of 2 to 4). A wrong tap, edge or channel is an error
// of order 1 on these inputs.
TEST_CASE("Winograd convolution matches im2col + GEMM on every GEMM variant: k 3, 5, 7, edges") {
  int count = 0;
  const GemmVariant* gemms = gemm_variants(&count);
  REQUIRE(count >= 1);
  ThreadPool pool(2);
  uint64_t seed = 9000;
  struct Case {
    int batch, channels, h, w, co;
  };
  // Sides that are not multiples of any tile (m = 6, 4, 2), a 1-pixel-wide image, channel counts
  // that are not multiples of a GEMM tile, more images than the weight gradient's 8 groups, and
  // more tiles than one run.
  const Case cases[] = {{3, 5, 13, 11, 7}, {1, 1, 7, 1, 3}, {9, 17, 9, 10, 9}, {2, 3, 37, 33, 2}};
  for (const Case& c : cases)
    for (int k : {3, 5, 7})
      for (bool same : {true, false}) {
        if (!same && (k > c.h || k > c.w)) continue;
        const ConvGeometry g = make_geometry(c.batch, c.channels, c.h, c.w, k, 1, same);
        CAPTURE(c.h);
        CAPTURE(c.w);
        CAPTURE(k);
        CAPTURE(same);
        const int co = c.co, P = g.out_h * g.out_w;
        const double bound = k == 7 ? 4e-4 : 2e-5;
        REQUIRE(winograd_supports(g, co));
        auto x = random_vector(input_size(g), seed++);
        auto w = random_vector(static_cast<size_t>(co) * g.col_rows(), seed++);
        auto bias = random_vector(co, seed++);
        auto dy = random_vector(static_cast<size_t>(g.batch) * co * P, seed++);
        const auto y_ref = reference_conv_forward(x, w, bias, g, co);
        const auto dx_ref = reference_conv_input_grad(dy, w, g, co);
        const auto dw0 = random_vector(w.size(), seed++);  // dw accumulates onto this
        const auto dw_ref = reference_conv_weight_grad(dw0, dy, x, g, co);
        const ConvGeometry t = input_gradient_geometry(g, co);
        REQUIRE(winograd_supports(t, c.channels));
        std::vector<float> weights(std::max(winograd_weights_floats(g, co),
                                            winograd_weights_floats(t, c.channels)));
        std::vector<float> partials(winograd_weight_grad_floats(g, co));
        for (int v = 0; v < count; ++v) {
          CAPTURE(std::string(gemms[v].name));
          std::vector<float> y1(y_ref.size(), 7.0f), y2(y_ref.size(), -7.0f);
          conv2d_forward_winograd(gemms[v].fn, y1.data(), weights.data(), x.data(), w.data(),
                                  bias.data(), g, co, nullptr);
          conv2d_forward_winograd(gemms[v].fn, y2.data(), weights.data(), x.data(), w.data(),
                                  bias.data(), g, co, &pool);
          CHECK(max_diff_of_largest(y1, y_ref) < bound);
          CHECK(y1 == y2);  // the split over threads never changes a result
          std::vector<float> dx1(dx_ref.size(), 3.0f), dx2(dx_ref.size(), -3.0f);
          conv2d_input_grad_winograd(gemms[v].fn, dx1.data(), weights.data(), dy.data(), w.data(),
                                     g, co, nullptr);
          conv2d_input_grad_winograd(gemms[v].fn, dx2.data(), weights.data(), dy.data(), w.data(),
                                     g, co, &pool);
          CHECK(max_diff_of_largest(dx1, dx_ref) < bound);
          CHECK(dx1 == dx2);
          std::vector<float> dw1 = dw0, dw2 = dw0;
          conv2d_weight_grad_winograd(gemms[v].fn, dw1.data(), partials.data(), dy.data(),
                                      x.data(), g, co, nullptr);
          conv2d_weight_grad_winograd(gemms[v].fn, dw2.data(), partials.data(), dy.data(),
                                      x.data(), g, co, &pool);
          CHECK(max_diff_of_largest(dw1, dw_ref) < bound);
          CHECK(dw1 == dw2);
        }
      }
}

TEST_CASE("Winograd: which shapes take it, and a shape it does not take is refused by name") {
  const int co = 64;
  // The `cnn` preset's second convolution (32 -> 64 channels, 16 x 16, `same`).
  for (int k : {5, 7}) {
    const ConvGeometry conv2 = make_geometry(64, 32, 16, 16, k, 1, true);
    CHECK(conv_forward_uses_winograd(conv2, co));
    CHECK(conv_input_grad_uses_winograd(conv2, co));
    CHECK(conv_weight_grad_uses_winograd(conv2, co));
  }
  // conv1 (3 input channels), stride 2, kernels other than 3/5/7, too few output channels.
  CHECK_FALSE(conv_forward_uses_winograd(make_geometry(64, 3, 32, 32, 7, 1, true), 32));
  CHECK_FALSE(conv_forward_uses_winograd(make_geometry(4, 32, 16, 16, 7, 2, true), co));
  CHECK_FALSE(conv_forward_uses_winograd(make_geometry(4, 32, 16, 16, 9, 1, true), co));
  CHECK_FALSE(conv_forward_uses_winograd(make_geometry(4, 32, 16, 16, 4, 1, true), co));
  CHECK_FALSE(conv_forward_uses_winograd(make_geometry(4, 32, 16, 16, 7, 1, true), 4));
  CHECK_FALSE(winograd_supports(make_geometry(4, 32, 16, 16, 7, 2, true), co));
  // More channels than a run of tiles' buffers hold at one SIMD group: refused, never wrong.
  CHECK_FALSE(winograd_supports(make_geometry(1, 100000, 8, 8, 3, 1, true), 8));
  // Through the entry points with scratch sized as they say (dx's copy of dy is the larger one
  // here: 32 channels of dy against 16 of x; ASan checks the bounds).
  ThreadPool pool(2);
  const ConvGeometry g = make_geometry(3, 16, 11, 9, 5, 1, true);
  const int wide = 32;
  REQUIRE(conv_forward_uses_winograd(g, wide));
  REQUIRE(conv_input_grad_uses_winograd(g, wide));
  auto gx = random_vector(input_size(g), 71), gw = random_vector(wide * g.col_rows(), 72);
  auto gb = random_vector(wide, 73);
  std::vector<float> gs(conv_winograd_scratch_floats(g, wide));
  std::vector<float> gy(static_cast<size_t>(g.batch) * wide * g.out_h * g.out_w);
  conv2d_forward_winograd(gy.data(), gs.data(), gx.data(), gw.data(), gb.data(), g, wide, &pool);
  CHECK(max_rel_diff(gy, reference_conv_forward(gx, gw, gb, g, wide)) < 1e-4);
  auto gdy = random_vector(gy.size(), 74);
  std::vector<float> gdx(input_size(g));
  conv2d_input_grad_winograd(gdx.data(), gs.data(), gdy.data(), gw.data(), g, wide, &pool);
  CHECK(max_rel_diff(gdx, reference_conv_input_grad(gdy, gw, g, wide)) < 1e-4);
  std::vector<float> gpart(conv_weight_grad_winograd_scratch_floats(g, wide));
  std::vector<float> gdw(gw.size(), 0.25f), gdb(wide, 0.5f), gdb_ref(wide, 0.5f);
  if (conv_weight_grad_uses_winograd(g, wide)) {
    conv2d_weight_grad_winograd(gdw.data(), gdb.data(), gpart.data(), gdy.data(), gx.data(), g,
                                wide, &pool);
    CHECK(max_rel_diff(gdw, reference_conv_weight_grad(std::vector<float>(gw.size(), 0.25f), gdy,
                                                       gx, g, wide)) < 5e-4);
    std::vector<float> unused(static_cast<size_t>(wide) * g.col_cols());
    conv_grad_to_gemm_scalar(unused.data(), gdb_ref.data(), gdy.data(), g.batch, wide,
                             g.out_h * g.out_w, 0, wide);
    CHECK(max_rel_diff(gdb, gdb_ref) < 1e-5);
  }
  const ConvGeometry strided = make_geometry(1, 32, 9, 9, 7, 2, true);
  std::vector<float> x(input_size(strided)), w(static_cast<size_t>(co) * strided.col_rows());
  std::vector<float> y(static_cast<size_t>(co) * strided.out_h * strided.out_w), scratch(64);
  try {
    conv2d_forward_winograd(y.data(), scratch.data(), x.data(), w.data(), nullptr, strided, co,
                            nullptr);
    FAIL("a stride-2 shape was taken");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("stride 2") != std::string::npos);
  }
}

// ---- [SECTION] pooling, elementwise, optimiser variants vs scalar ------------------------------
TEST_CASE("every kernel set matches the scalar set: regrouping, pooling, elementwise, loss, optim") {
  int set_count = 0;
  const KernelSet* sets = kernel_sets(&set_count);
  REQUIRE(set_count >= 1);
  const KernelSet& ref = sets[0];
  for (int s = 1; s < set_count; ++s) {
    const KernelSet& ks = sets[s];
    CAPTURE(std::string(ks.name));
    // Regrouping (B=3, Co=5, P=7*7-2 odd plane).
    {
      const int B = 3, Co = 5, P = 47;
      auto yt = random_vector(static_cast<size_t>(B) * Co * P, 1);
      auto bias = random_vector(Co, 2);
      std::vector<float> y1(yt.size()), y2(yt.size());
      ref.conv_output_from_gemm(y1.data(), yt.data(), bias.data(), B, Co, P, 0, Co);
      ks.conv_output_from_gemm(y2.data(), yt.data(), bias.data(), B, Co, P, 0, Co);
      CHECK(y1 == y2);
      std::vector<float> d1(yt.size()), d2(yt.size()), db1(Co, 1.0f), db2(Co, 1.0f);
      ref.conv_grad_to_gemm(d1.data(), db1.data(), y1.data(), B, Co, P, 0, Co);
      ks.conv_grad_to_gemm(d2.data(), db2.data(), y1.data(), B, Co, P, 0, Co);
      CHECK(d1 == d2);
      CHECK(max_rel_diff(db2, db1) < 1e-5);
    }
    // Pooling: window 2 stride 2 on odd sides, window 3 stride 2 and window 3 stride 1.
    for (int kernel : {2, 3})
      for (int stride : {1, 2}) {
        const int B = 2, C = 3, H = 11, W = 9;
        const int OH = (H - kernel) / stride + 1, OW = (W - kernel) / stride + 1;
        CAPTURE(kernel);
        CAPTURE(stride);
        auto x = random_vector(static_cast<size_t>(B) * C * H * W, 3);
        const size_t out_n = static_cast<size_t>(B) * C * OH * OW;
        std::vector<float> y1(out_n), y2(out_n);
        std::vector<int32_t> a1(out_n), a2(out_n);
        ref.maxpool2d_forward(y1.data(), a1.data(), x.data(), B, C, H, W, kernel, stride, OH, OW);
        ks.maxpool2d_forward(y2.data(), a2.data(), x.data(), B, C, H, W, kernel, stride, OH, OW);
        CHECK(y1 == y2);
        CHECK(a1 == a2);
        auto dy = random_vector(out_n, 4);
        std::vector<float> dx1(x.size()), dx2(x.size(), 3.0f);
        ref.maxpool2d_backward(dx1.data(), dy.data(), a1.data(), B, C, H, W, OH, OW);
        ks.maxpool2d_backward(dx2.data(), dy.data(), a1.data(), B, C, H, W, OH, OW);
        CHECK(max_rel_diff(dx2, dx1) < 1e-6);
        ref.avgpool2d_forward(y1.data(), x.data(), B, C, H, W, kernel, stride, OH, OW);
        ks.avgpool2d_forward(y2.data(), x.data(), B, C, H, W, kernel, stride, OH, OW);
        CHECK(max_rel_diff(y2, y1) < 1e-6);
        ref.avgpool2d_backward(dx1.data(), dy.data(), B, C, H, W, kernel, stride, OH, OW);
        ks.avgpool2d_backward(dx2.data(), dy.data(), B, C, H, W, kernel, stride, OH, OW);
        CHECK(max_rel_diff(dx2, dx1) < 1e-6);
      }
    // Elementwise on a length that is not a multiple of any vector width.
    {
      const size_t n = 1031;
      auto x = random_vector(n, 5), dy = random_vector(n, 6);
      auto mask = random_vector(n, 7, 0.0f, 2.0f);
      std::vector<float> y1(n), y2(n), d1(n), d2(n);
      ref.relu_forward(y1.data(), x.data(), n);
      ks.relu_forward(y2.data(), x.data(), n);
      CHECK(y1 == y2);
      ref.relu_backward(d1.data(), dy.data(), y1.data(), n);
      ks.relu_backward(d2.data(), dy.data(), y1.data(), n);
      CHECK(d1 == d2);
      ref.scale_by_mask(y1.data(), x.data(), mask.data(), n);
      ks.scale_by_mask(y2.data(), x.data(), mask.data(), n);
      CHECK(y1 == y2);
      CHECK(ks.sum_squares(x.data(), n) == doctest::Approx(ref.sum_squares(x.data(), n)));
      std::vector<float> s1 = x, s2 = x;
      ref.scale(s1.data(), n, 0.37f);
      ks.scale(s2.data(), n, 0.37f);
      CHECK(s1 == s2);
    }
    // Loss.
    {
      const int B = 5, K = 10;
      auto logits = random_vector(B * K, 8, -5.0f, 5.0f);
      const int32_t labels[] = {0, 9, 3, 3, 7};
      std::vector<float> p1(B * K), p2(B * K), l1(B), l2(B), g1(B * K), g2(B * K);
      ref.softmax_xent_forward(p1.data(), l1.data(), logits.data(), labels, B, K);
      ks.softmax_xent_forward(p2.data(), l2.data(), logits.data(), labels, B, K);
      CHECK(max_rel_diff(p2, p1) < 1e-6);
      CHECK(max_rel_diff(l2, l1) < 1e-6);
      ref.softmax_xent_backward(g1.data(), p1.data(), labels, B, K);
      ks.softmax_xent_backward(g2.data(), p1.data(), labels, B, K);
      CHECK(max_rel_diff(g2, g1) < 1e-6);
    }
    // Optimisers: several steps on a length not a multiple of the vector width.
    {
      const size_t n = 77;
      auto w0 = random_vector(n, 9);
      for (int nesterov = 0; nesterov < 2; ++nesterov) {
        std::vector<float> w1 = w0, w2 = w0, v1(n, 0.0f), v2(n, 0.0f);
        for (int step = 0; step < 3; ++step) {
          auto g = random_vector(n, 20 + step);
          ref.sgd_update(w1.data(), v1.data(), g.data(), n, 0.05f, 0.9f, nesterov, 1e-3f);
          ks.sgd_update(w2.data(), v2.data(), g.data(), n, 0.05f, 0.9f, nesterov, 1e-3f);
        }
        CHECK(max_rel_diff(w2, w1) < 1e-6);
        CHECK(max_rel_diff(v2, v1) < 1e-6);
      }
      std::vector<float> w1 = w0, w2 = w0, m1(n, 0.0f), m2(n, 0.0f), q1(n, 0.0f), q2(n, 0.0f);
      for (int step = 1; step <= 3; ++step) {
        auto g = random_vector(n, 30 + step);
        const float bc1 = 1.0f - std::pow(0.9f, static_cast<float>(step));
        const float bc2 = 1.0f - std::pow(0.999f, static_cast<float>(step));
        ref.adam_update(w1.data(), m1.data(), q1.data(), g.data(), n, 1e-3f, 0.9f, 0.999f, 1e-8f,
                        bc1, bc2, 1e-4f, 1e-2f);
        ks.adam_update(w2.data(), m2.data(), q2.data(), g.data(), n, 1e-3f, 0.9f, 0.999f, 1e-8f,
                       bc1, bc2, 1e-4f, 1e-2f);
      }
      CHECK(max_rel_diff(w2, w1) < 1e-6);
      CHECK(max_rel_diff(m2, m1) < 1e-6);
      CHECK(max_rel_diff(q2, q1) < 1e-6);
    }
  }
}

TEST_CASE("maxpool variants keep the reference's tie and NaN rules") {
  int set_count = 0;
  const KernelSet* sets = kernel_sets(&set_count);
  // 2 images x 2 channels of 6x10: ties everywhere (many equal values) and a few NaNs, -0/+0.
  const int B = 2, C = 2, H = 6, W = 10, OH = 3, OW = 5;
  std::vector<float> x(static_cast<size_t>(B) * C * H * W);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((i * 7) % 3);
  x[3] = NAN;
  x[12] = NAN;
  x[13] = NAN;
  x[40] = -0.0f;
  x[41] = 0.0f;
  const size_t out_n = static_cast<size_t>(B) * C * OH * OW;
  std::vector<float> y_ref(out_n);
  std::vector<int32_t> a_ref(out_n);
  sets[0].maxpool2d_forward(y_ref.data(), a_ref.data(), x.data(), B, C, H, W, 2, 2, OH, OW);
  CHECK(std::isnan(y_ref[1]));  // the window holding x[3] and x[12], x[13]
  CHECK(a_ref[1] == 3);          // the first NaN wins
  for (int s = 1; s < set_count; ++s) {
    CAPTURE(std::string(sets[s].name));
    std::vector<float> y(out_n);
    std::vector<int32_t> a(out_n);
    sets[s].maxpool2d_forward(y.data(), a.data(), x.data(), B, C, H, W, 2, 2, OH, OW);
    CHECK(a == a_ref);
    for (size_t i = 0; i < out_n; ++i)
      CHECK(std::memcmp(&y[i], &y_ref[i], sizeof(float)) == 0);  // bit-identical, NaN included
    // ReLU: NaN and -0 map to +0 like the reference.
    std::vector<float> r_ref(x.size()), r(x.size());
    sets[0].relu_forward(r_ref.data(), x.data(), x.size());
    sets[s].relu_forward(r.data(), x.data(), x.size());
    CHECK(std::memcmp(r.data(), r_ref.data(), r.size() * sizeof(float)) == 0);
  }
}

TEST_CASE("maxpool 2x2 variants match the reference on rows of 1 to 40 outputs") {
  // Full 16-output blocks, masked tails of every length, odd widths (the last column unused).
  int set_count = 0;
  const KernelSet* sets = kernel_sets(&set_count);
  for (int W = 2; W <= 81; ++W) {
    CAPTURE(W);
    const int B = 1, C = 2, H = 5, OH = 2, OW = W / 2;
    auto x = random_vector(static_cast<size_t>(B) * C * H * W, 11);
    for (size_t i = 0; i < x.size(); i += 5) x[i] = 0.5f;  // ties
    const size_t out_n = static_cast<size_t>(B) * C * OH * OW;
    // One guard element past the end: a store beyond the row would change it.
    std::vector<float> y_ref(out_n + 1, 7.0f);
    std::vector<int32_t> a_ref(out_n + 1, -7);
    sets[0].maxpool2d_forward(y_ref.data(), a_ref.data(), x.data(), B, C, H, W, 2, 2, OH, OW);
    for (int s = 1; s < set_count; ++s) {
      CAPTURE(std::string(sets[s].name));
      std::vector<float> y(out_n + 1, 7.0f);
      std::vector<int32_t> a(out_n + 1, -7);
      sets[s].maxpool2d_forward(y.data(), a.data(), x.data(), B, C, H, W, 2, 2, OH, OW);
      CHECK(y == y_ref);
      CHECK(a == a_ref);
    }
  }
}

// ---- [SECTION] entry points vs scalar ----------------------------------------------------------
TEST_CASE("entry points: variant_name, gemm and a conv forward through im2col + gemm") {
  CHECK(std::string(variant_name()).size() > 0);
  CHECK(std::string(variant_name()) == active_kernel_set().name);
  ThreadPool pool(2);
  // A conv forward exactly as the layers do it, compared with a direct convolution.
  const int B = 2, C = 3, H = 10, W = 7, Co = 5;
  for (int k : {1, 3, 4}) {
    ConvGeometry g = make_geometry(B, C, H, W, k, 1, true);
    auto x = random_vector(input_size(g), 40 + k);
    auto wts = random_vector(static_cast<size_t>(Co) * g.col_rows(), 50 + k);
    auto bias = random_vector(Co, 60 + k);
    std::vector<float> col(col_size(g)), yt(static_cast<size_t>(Co) * g.col_cols());
    im2col(col.data(), x.data(), g);
    gemm(yt.data(), wts.data(), col.data(), Co, g.col_cols(), g.col_rows(), false, false, false,
         &pool);
    const int P = g.out_h * g.out_w;
    std::vector<float> y(static_cast<size_t>(B) * Co * P);
    conv_output_from_gemm(y.data(), yt.data(), bias.data(), B, Co, P);
    std::vector<float> direct(y.size());
    for (int b = 0; b < B; ++b)
      for (int o = 0; o < Co; ++o)
        for (int oh = 0; oh < g.out_h; ++oh)
          for (int ow = 0; ow < g.out_w; ++ow) {
            double sum = bias[o];
            for (int c = 0; c < C; ++c)
              for (int kh = 0; kh < k; ++kh)
                for (int kw = 0; kw < k; ++kw) {
                  const int ih = oh - g.pad_top + kh, iw = ow - g.pad_left + kw;
                  if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                  sum += static_cast<double>(
                             wts[((static_cast<size_t>(o) * C + c) * k + kh) * k + kw]) *
                         x[((static_cast<size_t>(b) * C + c) * H + ih) * W + iw];
                }
            direct[((static_cast<size_t>(b) * Co + o) * g.out_h + oh) * g.out_w + ow] =
                static_cast<float>(sum);
          }
    CAPTURE(k);
    CHECK(max_rel_diff(y, direct) < 1e-5);
  }
  // Dense entry points against the references.
  const int Bd = 4, I = 13, O = 6;
  auto xd = random_vector(Bd * I, 70), wd = random_vector(O * I, 71), bd = random_vector(O, 72);
  std::vector<float> y1(Bd * O), y2(Bd * O);
  dense_forward_scalar(y1.data(), xd.data(), wd.data(), bd.data(), Bd, I, O, nullptr);
  dense_forward(y2.data(), xd.data(), wd.data(), bd.data(), Bd, I, O, &pool);
  CHECK(max_rel_diff(y2, y1) < 1e-5);
  auto dy = random_vector(Bd * O, 73);
  std::vector<float> dx1(Bd * I), dx2(Bd * I), dw1(O * I, 0.0f), dw2(O * I, 0.0f), db1(O, 0.0f),
      db2(O, 0.0f);
  dense_backward_scalar(dx1.data(), dw1.data(), db1.data(), dy.data(), xd.data(), wd.data(), Bd, I,
                        O, nullptr);
  dense_backward(dx2.data(), dw2.data(), db2.data(), dy.data(), xd.data(), wd.data(), Bd, I, O,
                 &pool);
  CHECK(max_rel_diff(dx2, dx1) < 1e-5);
  CHECK(max_rel_diff(dw2, dw1) < 1e-5);
  CHECK(max_rel_diff(db2, db1) < 1e-5);
  // dx may be null (first layer).
  dense_backward(nullptr, dw2.data(), db2.data(), dy.data(), xd.data(), wd.data(), Bd, I, O,
                 nullptr);
  CHECK(max_rel_diff(dw2, dw1) > 0.0);  // accumulated a second time
}
