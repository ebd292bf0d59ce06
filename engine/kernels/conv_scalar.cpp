// Scalar references of the convolution helpers: im2col / col2im and the regrouping between the
// GEMM's (Co, B*P) layout and the layers' (B, Co, P) layout.
#include <algorithm>
#include <cstring>

#include "kernels/variants.h"

namespace cnnlab::kernels {

void im2col_scalar(float* col, const float* x, const ConvGeometry& g, int image_begin,
                   int image_end) {
  const size_t cols = static_cast<size_t>(g.col_cols());
  const size_t plane = static_cast<size_t>(g.out_h) * g.out_w;
  for (int c = 0; c < g.channels; ++c)
    for (int kh = 0; kh < g.kernel_h; ++kh)
      for (int kw = 0; kw < g.kernel_w; ++kw) {
        const size_t row = (static_cast<size_t>(c) * g.kernel_h + kh) * g.kernel_w + kw;
        float* out = col + row * cols;
        for (int b = image_begin; b < image_end; ++b) {
          const float* xp = x + (static_cast<size_t>(b) * g.channels + c) * g.height * g.width;
          float* o = out + b * plane;
          for (int oh = 0; oh < g.out_h; ++oh) {
            const int ih = oh * g.stride - g.pad_top + kh;
            for (int ow = 0; ow < g.out_w; ++ow) {
              const int iw = ow * g.stride - g.pad_left + kw;
              const bool inside = ih >= 0 && ih < g.height && iw >= 0 && iw < g.width;
              o[static_cast<size_t>(oh) * g.out_w + ow] =
                  inside ? xp[static_cast<size_t>(ih) * g.width + iw] : 0.0f;
            }
          }
        }
      }
}

void col2im_scalar(float* dx, const float* dcol, const ConvGeometry& g, int image_begin,
                   int image_end) {
  const size_t cols = static_cast<size_t>(g.col_cols());
  const size_t plane = static_cast<size_t>(g.out_h) * g.out_w;
  const size_t image = static_cast<size_t>(g.channels) * g.height * g.width;
  std::fill(dx + image_begin * image, dx + image_end * image, 0.0f);
  for (int c = 0; c < g.channels; ++c)
    for (int kh = 0; kh < g.kernel_h; ++kh)
      for (int kw = 0; kw < g.kernel_w; ++kw) {
        const size_t row = (static_cast<size_t>(c) * g.kernel_h + kh) * g.kernel_w + kw;
        const float* in = dcol + row * cols;
        for (int b = image_begin; b < image_end; ++b) {
          float* xp = dx + (static_cast<size_t>(b) * g.channels + c) * g.height * g.width;
          const float* i = in + b * plane;
          for (int oh = 0; oh < g.out_h; ++oh) {
            const int ih = oh * g.stride - g.pad_top + kh;
            if (ih < 0 || ih >= g.height) continue;
            for (int ow = 0; ow < g.out_w; ++ow) {
              const int iw = ow * g.stride - g.pad_left + kw;
              if (iw < 0 || iw >= g.width) continue;
              xp[static_cast<size_t>(ih) * g.width + iw] += i[static_cast<size_t>(oh) * g.out_w + ow];
            }
          }
        }
      }
}

void conv_output_from_gemm_scalar(float* y, const float* yt, const float* bias, int batch,
                                  int out_channels, int plane, int channel_begin,
                                  int channel_end) {
  const size_t P = static_cast<size_t>(plane);
  const size_t cols = static_cast<size_t>(batch) * P;
  for (int b = 0; b < batch; ++b)
    for (int c = channel_begin; c < channel_end; ++c) {
      const float add = bias ? bias[c] : 0.0f;
      const float* src = yt + static_cast<size_t>(c) * cols + b * P;
      float* dst = y + (static_cast<size_t>(b) * out_channels + c) * P;
      for (size_t p = 0; p < P; ++p) dst[p] = src[p] + add;
    }
}

void conv_grad_to_gemm_scalar(float* dyt, float* dbias, const float* dy, int batch,
                              int out_channels, int plane, int channel_begin, int channel_end) {
  const size_t P = static_cast<size_t>(plane);
  const size_t cols = static_cast<size_t>(batch) * P;
  for (int c = channel_begin; c < channel_end; ++c) {
    float sum = 0.0f;
    for (int b = 0; b < batch; ++b) {
      const float* src = dy + (static_cast<size_t>(b) * out_channels + c) * P;
      float* dst = dyt + static_cast<size_t>(c) * cols + b * P;
      for (size_t p = 0; p < P; ++p) {
        dst[p] = src[p];
        sum += src[p];
      }
    }
    if (dbias) dbias[c] += sum;
  }
}

}  // namespace cnnlab::kernels
