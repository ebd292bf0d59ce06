// Scalar references of max and average pooling (valid windows: OH = (H - K) / stride + 1).
#include <algorithm>
#include <limits>

#include "kernels/variants.h"

namespace cnnlab::kernels {

void maxpool2d_forward_scalar(float* y, int32_t* argmax, const float* x, int batch, int channels,
                              int height, int width, int kernel, int stride, int out_h,
                              int out_w) {
  const size_t in_plane = static_cast<size_t>(height) * width;
  const size_t out_plane = static_cast<size_t>(out_h) * out_w;
  const size_t planes = static_cast<size_t>(batch) * channels;
  for (size_t p = 0; p < planes; ++p) {
    const float* xp = x + p * in_plane;
    float* yp = y + p * out_plane;
    int32_t* ap = argmax + p * out_plane;
    for (int oh = 0; oh < out_h; ++oh)
      maxpool2d_row_scalar(yp + oh * out_w, ap + oh * out_w, xp, width, kernel, stride, oh, 0,
                           out_w);
  }
}

void maxpool2d_row_scalar(float* y_row, int32_t* argmax_row, const float* x_plane, int width,
                          int kernel, int stride, int oh, int ow_begin, int out_w) {
  for (int ow = ow_begin; ow < out_w; ++ow) {
    // The first maximum in row-major window order wins ties; a NaN is kept (propagates).
    int best = (oh * stride) * width + ow * stride;
    float best_value = x_plane[best];
    for (int kh = 0; kh < kernel; ++kh)
      for (int kw = 0; kw < kernel; ++kw) {
        const int idx = (oh * stride + kh) * width + ow * stride + kw;
        const float v = x_plane[idx];
        if (v > best_value || (v != v && best_value == best_value)) {
          best_value = v;
          best = idx;
        }
      }
    y_row[ow] = best_value;
    argmax_row[ow] = best;
  }
}

void maxpool2d_backward_scalar(float* dx, const float* dy, const int32_t* argmax, int batch,
                               int channels, int height, int width, int out_h, int out_w) {
  const size_t in_plane = static_cast<size_t>(height) * width;
  const size_t out_plane = static_cast<size_t>(out_h) * out_w;
  const size_t planes = static_cast<size_t>(batch) * channels;
  std::fill(dx, dx + planes * in_plane, 0.0f);
  for (size_t p = 0; p < planes; ++p) {
    float* dxp = dx + p * in_plane;
    const float* dyp = dy + p * out_plane;
    const int32_t* ap = argmax + p * out_plane;
    for (size_t o = 0; o < out_plane; ++o) dxp[ap[o]] += dyp[o];
  }
}

void avgpool2d_forward_scalar(float* y, const float* x, int batch, int channels, int height,
                              int width, int kernel, int stride, int out_h, int out_w) {
  const size_t in_plane = static_cast<size_t>(height) * width;
  const size_t out_plane = static_cast<size_t>(out_h) * out_w;
  const size_t planes = static_cast<size_t>(batch) * channels;
  const float inv = 1.0f / static_cast<float>(kernel * kernel);
  for (size_t p = 0; p < planes; ++p) {
    const float* xp = x + p * in_plane;
    float* yp = y + p * out_plane;
    for (int oh = 0; oh < out_h; ++oh)
      for (int ow = 0; ow < out_w; ++ow) {
        float sum = 0.0f;
        for (int kh = 0; kh < kernel; ++kh)
          for (int kw = 0; kw < kernel; ++kw)
            sum += xp[(oh * stride + kh) * width + ow * stride + kw];
        yp[oh * out_w + ow] = sum * inv;
      }
  }
}

void avgpool2d_backward_scalar(float* dx, const float* dy, int batch, int channels, int height,
                               int width, int kernel, int stride, int out_h, int out_w) {
  const size_t in_plane = static_cast<size_t>(height) * width;
  const size_t out_plane = static_cast<size_t>(out_h) * out_w;
  const size_t planes = static_cast<size_t>(batch) * channels;
  const float inv = 1.0f / static_cast<float>(kernel * kernel);
  std::fill(dx, dx + planes * in_plane, 0.0f);
  for (size_t p = 0; p < planes; ++p) {
    float* dxp = dx + p * in_plane;
    const float* dyp = dy + p * out_plane;
    for (int oh = 0; oh < out_h; ++oh)
      for (int ow = 0; ow < out_w; ++ow) {
        const float g = dyp[oh * out_w + ow] * inv;
        for (int kh = 0; kh < kernel; ++kh)
          for (int kw = 0; kw < kernel; ++kw) dxp[(oh * stride + kh) * width + ow * stride + kw] += g;
      }
  }
}

}  // namespace cnnlab::kernels
