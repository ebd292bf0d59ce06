// Convolution as an implicit GEMM, shared by every instruction set (included by the files that
// define a GEMM micro-kernel; the variants are named conv_<MR>x<NR>_<isa> after their tile).
//
//   y (Co, P) of one image = A (Co, K) @ columns (K, P),  K = C*KH*KW, P = OH*OW
//
// is the im2col + GEMM product, but the column matrix is never written to memory: each depth
// block's B panel (the GEMM's packed slivers, NR output pixels wide, k-major) is packed straight
// from the image, and the micro-kernel stores its tile straight into y (B, Co, OH, OW) (rows P
// apart), so neither im2col's column matrix nor the (Co, B*P) -> (B, Co, P) regrouping exists.
// The bias is added once per output after the last depth block, as the im2col path does.
//
// A (the weights) is packed ONCE per call into caller-owned scratch (pack_conv_weights, in the
// depth blocks and MR-row slivers the micro-kernel reads); the B panel uses the GEMM's per-thread
// static buffers (gemm_packed.h), and the weight gradient one more per-thread static staging
// block of NR x KC floats. Nothing here allocates.
//
// The weight gradient, dw (Co, K) += dy_b (Co, P) @ columns_b^T summed over images, is the same
// trick with the roles turned: the columns are the B operand transposed, so each NR-row sliver of
// them is written small (staging, in L1) and transposed into the B panel by the GEMM's pack.
//
// [SECTION] index
//   depth blocks and valid spans
//   packing B from the image (general; shifted planes for stride 1, `same` width)
//   forward / input-gradient block
//   weight-gradient block
//
// Results: each output is the sum over the same depth blocks in the same order whatever the
// column split, so splitting images and pixel ranges over threads gives bit-identical results.
#pragma once

#include <algorithm>
#include <cstddef>

#include "kernels/gemm_packed.h"
#include "kernels/kernels.h"

namespace cnnlab::kernels::implicit {

// ---- [SECTION] depth blocks and valid spans -----------------------------------------------------
inline int round_up(int n, int m) { return (n + m - 1) / m * m; }

// K split into `count` depth blocks of `size` (the last may be shorter), as gemm_packed.h does.
struct DepthBlocks {
  int count, size;
};
inline DepthBlocks depth_blocks(int K, int KC) {
  const int count = std::max(1, (K + KC - 1) / KC);
  return {count, (K + count - 1) / count};
}

// Output pixels q with input column iw = q * stride + offset inside [0, width): [lo, hi) of
// [0, out_w).
inline void valid_span(int out_w, int stride, int offset, int width, int* lo, int* hi) {
  const int first = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  const int last = width - 1 - offset < 0 ? -1 : (width - 1 - offset) / stride;
  *lo = std::min(first, out_w);
  *hi = std::max(*lo, std::min(last + 1, out_w));
}

// ---- [SECTION] packing B from the image ---------------------------------------------------------
// Packs B for depth rows [pc, pc + kc) and output pixels [p0, p0 + nc) of one image into NR-pixel
// slivers, k-major: Bp[(j / NR) * NR * kc + k * NR + j % NR] = column (pc + k, p0 + j) of the
// image's im2col matrix (zero in padding and past nc). x_image: (C, H, W) = g's channels, height,
// width. Rows r = (c * KH + kh) * KW + kw, as im2col.
template <int NR>
void pack_b_from_image(float* Bp, const float* x_image, const ConvGeometry& g, int pc, int kc,
                       int p0, int nc) {
  const int OW = g.out_w, S = g.stride, H = g.height, W = g.width;
  const int KH = g.kernel_h, KW = g.kernel_w;
  const size_t in_plane = static_cast<size_t>(H) * W;
  // A sliver's pixels as output-row segments: row oh, columns [ow0, ow0 + len), at sliver
  // position at. At most NR segments (one per pixel when OW = 1).
  struct Segment {
    int oh, ow0, len, at;
  };
  Segment segments[NR];
  for (int jr = 0; jr < nc; jr += NR) {
    const int nr = std::min(NR, nc - jr);
    int count = 0;
    for (int at = 0, q = p0 + jr; at < nr; ++count) {
      const int oh = q / OW, ow0 = q % OW, len = std::min(nr - at, OW - ow0);
      segments[count] = {oh, ow0, len, at};
      at += len;
      q += len;
    }
    float* sliver = Bp + static_cast<size_t>(jr) * kc;
    int c = pc / (KH * KW), kh = pc % (KH * KW) / KW, kw = pc % KW;
    for (int k = 0; k < kc; ++k) {
      float* d = sliver + static_cast<size_t>(k) * NR;
      const float* plane = x_image + static_cast<size_t>(c) * in_plane;
      const int offset = kw - g.pad_left;
      int lo, hi;
      valid_span(OW, S, offset, W, &lo, &hi);
      for (int s = 0; s < count; ++s) {
        const Segment& seg = segments[s];
        float* o = d + seg.at - seg.ow0;  // o[ow] for ow in [ow0, ow0 + len)
        const int end = seg.ow0 + seg.len;
        const int ih = seg.oh * S - g.pad_top + kh;
        if (ih < 0 || ih >= H) {
          for (int ow = seg.ow0; ow < end; ++ow) o[ow] = 0.0f;
          continue;
        }
        const float* src = plane + static_cast<size_t>(ih) * W + offset;  // src[ow * S]
        const int a = std::min(std::max(lo, seg.ow0), end), b = std::max(a, std::min(hi, end));
        for (int ow = seg.ow0; ow < a; ++ow) o[ow] = 0.0f;
        if (S == 1)
          for (int ow = a; ow < b; ++ow) o[ow] = src[ow];
        else
          for (int ow = a; ow < b; ++ow) o[ow] = src[ow * S];
        for (int ow = b; ow < end; ++ow) o[ow] = 0.0f;
      }
      for (int j = nr; j < NR; ++j) d[j] = 0.0f;
      if (++kw == KW) {
        kw = 0;
        if (++kh == KH) {
          kh = 0;
          ++c;
        }
      }
    }
  }
}

// Stride 1 with out_w == width (`same` padding): writes T[k * ld + (q - q0)] = column (pc + k, q)
// of the image's im2col matrix for pixels q in [q0, q1) (ld >= q1 - q0; columns past q1 - q0
// zeroed up to ld). Each row is the input plane shifted by (kh - pad_top, kw - pad_left): one
// contiguous copy, then the few columns that wrapped around from the neighbouring row are zeroed
// (im2col_shifted_planes' scheme, for a pixel range and depth block).
inline void im2col_block_shifted(float* T, int ld, const float* x_image, const ConvGeometry& g,
                                 int pc, int kc, int q0, int q1) {
  const int W = g.width, KH = g.kernel_h, KW = g.kernel_w;
  const long in_plane = static_cast<long>(g.height) * W;
  const int n = q1 - q0;
  int c = pc / (KH * KW), kh = pc % (KH * KW) / KW, kw = pc % KW;
  for (int k = 0; k < kc; ++k) {
    float* t = T + static_cast<size_t>(k) * ld - q0;  // t[q] for q in [q0, q1)
    const float* plane = x_image + c * in_plane;
    const ShiftedRow s = shifted_row(g, kh, kw);
    const int dw = s.dw, oh0 = s.row_begin, oh1 = s.row_end;
    const long shift = s.shift, c0 = s.copy_begin, c1 = s.copy_end;
    const long lo = std::min<long>(q1, std::max<long>(q0, c0));
    const long hi = std::max(lo, std::min<long>(q1, c1));
    for (long q = q0; q < lo; ++q) t[q] = 0.0f;
    if (hi > lo) std::copy(plane + lo + shift, plane + hi + shift, t + lo);
    for (long q = hi; q < q1; ++q) t[q] = 0.0f;
    if (dw != 0) {
      // Columns [W - dw, W) (dw > 0) or [0, -dw) (dw < 0) of the copied rows read the wrong row.
      // Column by column (strided stores): a few floats a row, where a memset call per row
      // (what compilers make of a row loop) cost more than the row's whole copy.
      const int z0 = dw > 0 ? W - dw : 0, z1 = dw > 0 ? W : -dw;
      const int r0 = std::max(oh0, q0 / W), r1 = std::min(oh1, (q1 + W - 1) / W);
      for (int z = z0; z < z1; ++z)
        for (int oh = r0; oh < r1; ++oh) {
          const long q = static_cast<long>(oh) * W + z;
          if (q >= q0 && q < q1) t[q] = 0.0f;
        }
    }
    for (int j = n; j < ld; ++j) t[q0 + j] = 0.0f;
    if (++kw == KW) {
      kw = 0;
      if (++kh == KH) {
        kh = 0;
        ++c;
      }
    }
  }
}

// ---- [SECTION] forward / input-gradient block ---------------------------------------------------
// y (M, P) of image `image` (y: (B, M, OH, OW)), pixels [p_begin, p_end) = A @ columns, plus
// bias (M) when not null. a_packed: A (M, K) packed by pack_conv_weights with this tile's MR and
// KC. x: (B, C, H, W) of g.
//   - stride 1, `same` width: each depth block's columns are written by im2col_block_shifted into
//     the per-thread B buffer (KC x NC, in L2) and the micro-kernel reads full slivers there in
//     place (Traits::kDirectBBytes > 0) or from one packed sliver;
//   - any other shape: pack_b_from_image packs the slivers directly (slower, general).
template <class Traits>
void conv_block(float* y, const float* x, const float* a_packed, const float* bias,
                const ConvGeometry& g, int M, int image, int p_begin, int p_end) {
  constexpr int MR = Traits::MR, NR = Traits::NR, NC = Traits::NC;
  const int K = g.col_rows(), P = g.out_h * g.out_w;
  const int m_pad = round_up(M, MR);
  const DepthBlocks blocks = depth_blocks(K, Traits::KC);
  const bool shifted = g.stride == 1 && g.out_w == g.width && g.kernel_w <= g.width;
  const bool in_place = Traits::kDirectBBytes > 0;
  float* Bp = packed::b_buffer<Traits>();      // KC x NC
  float* sliver = packed::a_buffer<Traits>();  // MC x KC >= NR x KC: one packed sliver
  const float* x_image = x + static_cast<size_t>(image) * g.channels * g.height * g.width;
  float* y_image = y + static_cast<size_t>(image) * M * P;
  for (int j0 = p_begin; j0 < p_end; j0 += NC) {
    const int nc = std::min(NC, p_end - j0);
    const int ld = round_up(nc, NR);
    for (int pc = 0; pc < K; pc += blocks.size) {
      const int kc = std::min(blocks.size, K - pc);
      if (shifted)
        im2col_block_shifted(Bp, ld, x_image, g, pc, kc, j0, j0 + nc);
      else
        pack_b_from_image<NR>(Bp, x_image, g, pc, kc, j0, nc);
      const float* a_block = a_packed + static_cast<size_t>(pc) * m_pad;
      for (int jr = 0; jr < nc; jr += NR) {
        const int nr = std::min(NR, nc - jr);
        const float* b = Bp + static_cast<size_t>(jr) * kc;
        size_t b_stride = NR;
        if (shifted && in_place) {
          b = Bp + jr;
          b_stride = static_cast<size_t>(ld);
        } else if (shifted) {
          Traits::pack_cols(sliver, Bp + jr, static_cast<size_t>(ld), NR, NR, kc);
          b = sliver;
        }
        for (int ir = 0; ir < M; ir += MR) {
          Traits::micro(kc, a_block + static_cast<size_t>(ir) * kc, b, b_stride,
                        y_image + static_cast<size_t>(ir) * P + j0 + jr, P, std::min(MR, M - ir),
                        nr, pc > 0);
        }
      }
    }
    if (bias)
      for (int i = 0; i < M; ++i) {
        float* row = y_image + static_cast<size_t>(i) * P + j0;
        const float add = bias[i];
        for (int j = 0; j < nc; ++j) row[j] += add;
      }
  }
}

// ---- [SECTION] weight-gradient block ------------------------------------------------------------
// Any geometry: T[r * ld + (q - q0)] = column (r0 + r, q) of the image's im2col matrix for
// rows r < rows and pixels q in [q0, q1) (the general, per-pixel version of im2col_block_shifted
// with rows and pixels in the same roles).
inline void im2col_block_general(float* T, int ld, const float* x_image, const ConvGeometry& g,
                                 int r0, int rows, int q0, int q1) {
  const int KH = g.kernel_h, KW = g.kernel_w, OW = g.out_w;
  for (int r = 0; r < rows; ++r) {
    const int row = r0 + r, c = row / (KH * KW), kh = row % (KH * KW) / KW, kw = row % KW;
    const float* plane = x_image + static_cast<size_t>(c) * g.height * g.width;
    float* t = T + static_cast<size_t>(r) * ld;
    for (int q = q0; q < q1; ++q) {
      const int ih = q / OW * g.stride - g.pad_top + kh, iw = q % OW * g.stride - g.pad_left + kw;
      const bool inside = ih >= 0 && ih < g.height && iw >= 0 && iw < g.width;
      t[q - q0] = inside ? plane[static_cast<size_t>(ih) * g.width + iw] : 0.0f;
    }
  }
}

// dw (M, K) += sum over images [image_begin, image_end) of dy_b (M, P) @ columns_b^T (P, K), for
// the columns [n_begin, n_end) of dw only (dw rows K apart). dy: (B, M, OH, OW); x: (B, C, H, W).
// Images are summed in order, each over depth blocks of pixels in order, so the result does not
// depend on how the caller splits columns or on the thread count.
//   For each image and pixel block: A = dy's block is packed (transposing) once; each NR-column
//   sliver of B is im2col's rows for those columns, written small (NR x KC, in L1) and transposed
//   into the per-thread B buffer, so the column matrix never exists whole.
template <class Traits>
void conv_weight_grad_block(float* dw, const float* dy, const float* x, const ConvGeometry& g,
                            int M, int image_begin, int image_end, int n_begin, int n_end) {
  constexpr int MR = Traits::MR, NR = Traits::NR, KC = Traits::KC, MC = Traits::MC,
                NC = Traits::NC;
  const int K = g.col_rows(), P = g.out_h * g.out_w;
  const DepthBlocks blocks = depth_blocks(P, KC);
  const bool shifted = g.stride == 1 && g.out_w == g.width && g.kernel_w <= g.width;
  float* Ap = packed::a_buffer<Traits>();  // MC x KC
  float* Bp = packed::b_buffer<Traits>();  // KC x NC
  alignas(64) static thread_local float staging[NR * KC];
  const size_t in_image = static_cast<size_t>(g.channels) * g.height * g.width;
  for (int b = image_begin; b < image_end; ++b) {
    const float* x_image = x + static_cast<size_t>(b) * in_image;
    const float* dy_image = dy + static_cast<size_t>(b) * M * P;
    for (int pc = 0; pc < P; pc += blocks.size) {
      const int kc = std::min(blocks.size, P - pc);
      for (int n0 = n_begin; n0 < n_end; n0 += NC) {
        const int nc = std::min(NC, n_end - n0);
        for (int jr = 0; jr < nc; jr += NR) {
          const int nr = std::min(NR, nc - jr);
          if (shifted)
            im2col_block_shifted(staging, kc, x_image, g, n0 + jr, nr, pc, pc + kc);
          else
            im2col_block_general(staging, kc, x_image, g, n0 + jr, nr, pc, pc + kc);
          Traits::pack_rows(Bp + static_cast<size_t>(jr) * kc, staging, static_cast<size_t>(kc),
                            nr, NR, kc);
        }
        for (int ic = 0; ic < M; ic += MC) {
          const int mc = std::min(MC, M - ic);
          for (int ir = 0; ir < mc; ir += MR)
            Traits::pack_rows(Ap + static_cast<size_t>(ir) * kc,
                              dy_image + static_cast<size_t>(ic + ir) * P + pc,
                              static_cast<size_t>(P), std::min(MR, mc - ir), MR, kc);
          for (int jr = 0; jr < nc; jr += NR)
            for (int ir = 0; ir < mc; ir += MR)
              Traits::micro(kc, Ap + static_cast<size_t>(ir) * kc,
                            Bp + static_cast<size_t>(jr) * kc, NR,
                            dw + static_cast<size_t>(ic + ir) * K + n0 + jr, K,
                            std::min(MR, mc - ir), std::min(NR, nc - jr), true);
        }
      }
    }
  }
}

}  // namespace cnnlab::kernels::implicit
