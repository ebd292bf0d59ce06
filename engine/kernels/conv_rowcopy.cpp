// im2col / col2im by row segments: for each (channel, kh, kw) row of the column matrix and each
// output row, the in-bounds span of output columns is computed once, so the inner loop is a
// plain (stride 1: contiguous) copy or add with no per-pixel bounds test. Portable C++ that
// compilers vectorise; used by the native and the wasm variant sets.
#include <algorithm>

#include "kernels/variants.h"

namespace cnnlab::kernels {

namespace {

// Output columns ow whose input column iw = ow * stride + offset lies in [0, width): [lo, hi).
inline void valid_span(int out_w, int stride, int offset, int width, int* lo, int* hi) {
  // iw >= 0  <=>  ow >= ceil(-offset / stride);  iw < width  <=>  ow <= (width - 1 - offset) / stride
  int first = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  int last = width - 1 - offset < 0 ? -1 : (width - 1 - offset) / stride;
  *lo = std::min(first, out_w);
  *hi = std::max(*lo, std::min(last + 1, out_w));
}

}  // namespace

// Stride 1 with out_w == width (`same` padding): each column-matrix row of one image is the
// input plane shifted by (dh, dw) = (kh - pad_top, kw - pad_left), so the valid rows are ONE
// contiguous copy; the |dw| columns that wrapped around from the neighbouring row are then zeroed.
void im2col_shifted_planes(float* col, const float* x, const ConvGeometry& g, int image_begin,
                           int image_end) {
  const size_t cols = static_cast<size_t>(g.col_cols());
  const int W = g.width;
  const long plane = static_cast<long>(g.out_h) * W, in_plane = static_cast<long>(g.height) * W;
  for (int c = 0; c < g.channels; ++c)
    for (int kh = 0; kh < g.kernel_h; ++kh)
      for (int kw = 0; kw < g.kernel_w; ++kw) {
        const size_t row = (static_cast<size_t>(c) * g.kernel_h + kh) * g.kernel_w + kw;
        const ShiftedRow s = shifted_row(g, kh, kw);
        const int dw = s.dw, oh0 = s.row_begin, oh1 = s.row_end;
        const long shift = s.shift, c0 = s.copy_begin, c1 = s.copy_end;
        for (int b = image_begin; b < image_end; ++b) {
          const float* xp = x + (static_cast<size_t>(b) * g.channels + c) * in_plane;
          float* o = col + row * cols + b * plane;
          std::fill(o, o + c0, 0.0f);
          std::copy(xp + c0 + shift, xp + c1 + shift, o + c0);
          std::fill(o + c1, o + plane, 0.0f);
          if (dw > 0)
            for (int oh = oh0; oh < oh1; ++oh) std::fill(o + oh * W + W - dw, o + oh * W + W, 0.0f);
          else if (dw < 0)
            for (int oh = oh0; oh < oh1; ++oh) std::fill(o + oh * W, o + oh * W - dw, 0.0f);
        }
      }
}

void im2col_rowcopy(float* col, const float* x, const ConvGeometry& g, int image_begin,
                    int image_end) {
  if (g.stride == 1 && g.out_w == g.width && g.kernel_w <= g.width) {
    im2col_shifted_planes(col, x, g, image_begin, image_end);
    return;
  }
  const size_t cols = static_cast<size_t>(g.col_cols());
  const size_t plane = static_cast<size_t>(g.out_h) * g.out_w;
  const size_t in_plane = static_cast<size_t>(g.height) * g.width;
  const int S = g.stride, OW = g.out_w;
  for (int c = 0; c < g.channels; ++c)
    for (int kh = 0; kh < g.kernel_h; ++kh)
      for (int kw = 0; kw < g.kernel_w; ++kw) {
        const size_t row = (static_cast<size_t>(c) * g.kernel_h + kh) * g.kernel_w + kw;
        const int offset = kw - g.pad_left;
        int lo, hi;
        valid_span(OW, S, offset, g.width, &lo, &hi);
        for (int b = image_begin; b < image_end; ++b) {
          const float* xp = x + (static_cast<size_t>(b) * g.channels + c) * in_plane;
          float* o = col + row * cols + b * plane;
          for (int oh = 0; oh < g.out_h; ++oh, o += OW) {
            const int ih = oh * S - g.pad_top + kh;
            if (ih < 0 || ih >= g.height) {
              std::fill(o, o + OW, 0.0f);
              continue;
            }
            const float* src = xp + static_cast<size_t>(ih) * g.width + offset;  // src[ow * S]
            for (int ow = 0; ow < lo; ++ow) o[ow] = 0.0f;
            if (S == 1)
              for (int ow = lo; ow < hi; ++ow) o[ow] = src[ow];
            else
              for (int ow = lo; ow < hi; ++ow) o[ow] = src[ow * S];
            for (int ow = hi; ow < OW; ++ow) o[ow] = 0.0f;
          }
        }
      }
}

void col2im_rowcopy(float* dx, const float* dcol, const ConvGeometry& g, int image_begin,
                    int image_end) {
  const size_t cols = static_cast<size_t>(g.col_cols());
  const size_t plane = static_cast<size_t>(g.out_h) * g.out_w;
  const size_t in_plane = static_cast<size_t>(g.height) * g.width;
  const int S = g.stride, OW = g.out_w;
  std::fill(dx + image_begin * g.channels * in_plane, dx + image_end * g.channels * in_plane, 0.0f);
  for (int c = 0; c < g.channels; ++c)
    for (int kh = 0; kh < g.kernel_h; ++kh)
      for (int kw = 0; kw < g.kernel_w; ++kw) {
        const size_t row = (static_cast<size_t>(c) * g.kernel_h + kh) * g.kernel_w + kw;
        const int offset = kw - g.pad_left;
        int lo, hi;
        valid_span(OW, S, offset, g.width, &lo, &hi);
        for (int b = image_begin; b < image_end; ++b) {
          float* xp = dx + (static_cast<size_t>(b) * g.channels + c) * in_plane;
          const float* in = dcol + row * cols + b * plane;
          for (int oh = 0; oh < g.out_h; ++oh, in += OW) {
            const int ih = oh * S - g.pad_top + kh;
            if (ih < 0 || ih >= g.height) continue;
            float* dst = xp + static_cast<size_t>(ih) * g.width + offset;  // dst[ow * S]
            if (S == 1)
              for (int ow = lo; ow < hi; ++ow) dst[ow] += in[ow];
            else
              for (int ow = lo; ow < hi; ++ow) dst[ow * S] += in[ow];
          }
        }
      }
}

void conv_grad_to_gemm_lanes(float* dyt, float* dbias, const float* dy, int batch,
                             int out_channels, int plane, int channel_begin, int channel_end) {
  // 16 partial sums per channel (vectorisable, unlike one serial float sum), added at the end.
  constexpr int kLanes = 16;
  const size_t P = static_cast<size_t>(plane);
  const size_t cols = static_cast<size_t>(batch) * P;
  for (int c = channel_begin; c < channel_end; ++c) {
    float lanes[kLanes] = {};
    float tail = 0.0f;
    for (int b = 0; b < batch; ++b) {
      const float* src = dy + (static_cast<size_t>(b) * out_channels + c) * P;
      float* dst = dyt + static_cast<size_t>(c) * cols + b * P;
      size_t p = 0;
      for (; p + kLanes <= P; p += kLanes)
        for (int l = 0; l < kLanes; ++l) {
          dst[p + l] = src[p + l];
          lanes[l] += src[p + l];
        }
      for (; p < P; ++p) {
        dst[p] = src[p];
        tail += src[p];
      }
    }
    if (dbias) {
      float sum = tail;
      for (int l = 0; l < kLanes; ++l) sum += lanes[l];
      dbias[c] += sum;
    }
  }
}

}  // namespace cnnlab::kernels
