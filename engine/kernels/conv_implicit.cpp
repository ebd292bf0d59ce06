// The instruction-set-independent half of the implicit-GEMM convolution (conv_implicit.h): packing
// the weights into the micro-kernels' A layout, the transposed geometry of the input gradient,
// and the split of images and pixel ranges over a ThreadPool.
#include <algorithm>

#include "core/thread_pool.h"
#include "kernels/conv_implicit.h"
#include "kernels/variants.h"

namespace cnnlab::kernels {

size_t conv_packed_weights_floats(int rows, int depth, int mr) {
  return static_cast<size_t>(implicit::round_up(rows, mr)) * static_cast<size_t>(depth);
}

void pack_conv_weights(float* a_packed, const float* w, int out_channels, int channels,
                       int kernel_h, int kernel_w, int mr, int kc, bool for_input_gradient) {
  const int taps = kernel_h * kernel_w;
  // A (M, K): forward  A[o][(c*KH + kh)*KW + kw] = w[o][c][kh][kw]                (M = Co)
  //           dx       A[c][(o*KH + kh)*KW + kw] = w[o][c][KH-1-kh][KW-1-kw]       (M = C)
  const int M = for_input_gradient ? channels : out_channels;
  const int K = (for_input_gradient ? out_channels : channels) * taps;
  auto a = [&](int i, int k) -> float {
    if (!for_input_gradient) return w[static_cast<size_t>(i) * K + k];
    const int o = k / taps, tap = k % taps;
    const int flipped = taps - 1 - tap;  // (KH-1-kh)*KW + (KW-1-kw)
    return w[(static_cast<size_t>(o) * channels + i) * taps + flipped];
  };
  const int m_pad = implicit::round_up(M, mr);
  const implicit::DepthBlocks blocks = implicit::depth_blocks(K, kc);
  for (int pc = 0; pc < K; pc += blocks.size) {
    const int depth = std::min(blocks.size, K - pc);
    float* block = a_packed + static_cast<size_t>(pc) * m_pad;
    for (int ir = 0; ir < m_pad; ir += mr) {
      float* d = block + static_cast<size_t>(ir) * depth;
      for (int k = 0; k < depth; ++k)
        for (int r = 0; r < mr; ++r)
          d[static_cast<size_t>(k) * mr + r] = ir + r < M ? a(ir + r, pc + k) : 0.0f;
    }
  }
}

ConvGeometry input_gradient_geometry(const ConvGeometry& g, int out_channels) {
  // dx[c, h, w] = sum over o, kh', kw' of w[o, c, KH-1-kh', KW-1-kw'] * dy[o, h - pt' + kh',
  // w - pl' + kw'] with pt' = KH-1-pad_top: a stride-1 convolution of dy, zero outside it.
  ConvGeometry t{};
  t.batch = g.batch;
  t.channels = out_channels;
  t.height = g.out_h;
  t.width = g.out_w;
  t.kernel_h = g.kernel_h;
  t.kernel_w = g.kernel_w;
  t.stride = 1;
  t.pad_top = g.kernel_h - 1 - g.pad_top;
  t.pad_left = g.kernel_w - 1 - g.pad_left;
  t.out_h = g.height;
  t.out_w = g.width;
  return t;
}

void conv_implicit_parallel(ConvBlockFn block, int nr, float* y, const float* x,
                            const float* a_packed, const float* bias, const ConvGeometry& g,
                            int rows, ThreadPool* pool) {
  const int images = g.batch, P = g.out_h * g.out_w;
  if (images <= 0 || P <= 0 || rows <= 0) return;
  const int threads = pool ? pool->threads() : 1;
  const double flops = 2.0 * rows * static_cast<double>(P) * images * g.col_rows();
  if (threads <= 1 || flops < 2.0e5) {
    for (int b = 0; b < images; ++b) block(y, x, a_packed, bias, g, rows, b, 0, P);
    return;
  }
  // Tasks are (image, pixel range) pairs, up to 4 per thread claimed as threads come free (see
  // gemm_parallel); an image is split only when there are too few images, in ranges of whole
  // slivers of at least 4 slivers.
  const int wanted = threads * 4;
  int panels = 1;
  if (images < wanted)
    panels = std::max(1, std::min((wanted + images - 1) / images, P / (4 * nr)));
  const int width = implicit::round_up((P + panels - 1) / panels, nr);
  panels = (P + width - 1) / width;
  pool->parallel_for(images * panels, [&](int t) {
    const int b = t / panels, p0 = (t % panels) * width;
    block(y, x, a_packed, bias, g, rows, b, p0, std::min(P, p0 + width));
  });
}

int conv_weight_grad_groups(const ConvGeometry& g) {
  // With few columns (conv1: K = 3*k*k) the column split alone cannot keep two threads busy, so
  // such layers also split the batch into 4 groups of images (by shape, never by thread count).
  constexpr int kFewColumns = 256, kGroups = 4;
  return g.col_rows() >= kFewColumns ? 1 : std::max(1, std::min(g.batch, kGroups));
}

void conv_weight_grad_parallel(ConvWeightGradBlockFn block, int nr, float* dw, float* scratch,
                               const float* dy, const float* x, const ConvGeometry& g, int M,
                               ThreadPool* pool) {
  const int K = g.col_rows(), images = g.batch;
  if (images <= 0 || K <= 0 || M <= 0) return;
  const int groups = conv_weight_grad_groups(g);
  const size_t dw_floats = static_cast<size_t>(M) * K;
  // Group 0 accumulates into dw itself; groups 1.. into zeroed partial sums, added in order below.
  if (groups > 1) std::fill(scratch, scratch + (groups - 1) * dw_floats, 0.0f);
  auto group_dw = [&](int group) { return group == 0 ? dw : scratch + (group - 1) * dw_floats; };
  auto group_images = [&](int group, int* b0, int* b1) {
    *b0 = static_cast<int>(static_cast<long>(images) * group / groups);
    *b1 = static_cast<int>(static_cast<long>(images) * (group + 1) / groups);
  };
  const int threads = pool ? pool->threads() : 1;
  const double flops = 2.0 * M * static_cast<double>(K) * g.out_h * g.out_w * images;
  int slabs = 1;
  if (threads > 1 && flops >= 2.0e5)
    slabs = std::max(1, std::min((threads * 4 + groups - 1) / groups, (K + nr - 1) / nr));
  const int width = implicit::round_up((K + slabs - 1) / slabs, nr);
  slabs = (K + width - 1) / width;
  auto task = [&](int t) {
    const int group = t / slabs, n0 = (t % slabs) * width;
    int b0, b1;
    group_images(group, &b0, &b1);
    block(group_dw(group), dy, x, g, M, b0, b1, n0, std::min(K, n0 + width));
  };
  if (slabs * groups == 1 || !pool)
    for (int t = 0; t < slabs * groups; ++t) task(t);
  else
    pool->parallel_for(slabs * groups, [&](int t) { task(t); });
  for (int group = 1; group < groups; ++group) {
    const float* partial = group_dw(group);
    for (size_t i = 0; i < dw_floats; ++i) dw[i] += partial[i];
  }
}

void conv_bias_grad_lanes(float* dbias, const float* dy, int batch, int out_channels, int plane,
                          int channel_begin, int channel_end) {
  // conv_grad_to_gemm_lanes' sums without its copy: 16 partial sums per channel, then the tail.
  constexpr int kLanes = 16;
  const size_t P = static_cast<size_t>(plane);
  for (int c = channel_begin; c < channel_end; ++c) {
    float lanes[kLanes] = {};
    float tail = 0.0f;
    for (int b = 0; b < batch; ++b) {
      const float* src = dy + (static_cast<size_t>(b) * out_channels + c) * P;
      size_t p = 0;
      for (; p + kLanes <= P; p += kLanes)
        for (int l = 0; l < kLanes; ++l) lanes[l] += src[p + l];
      for (; p < P; ++p) tail += src[p];
    }
    float sum = tail;
    for (int l = 0; l < kLanes; ++l) sum += lanes[l];
    dbias[c] += sum;
  }
}

}  // namespace cnnlab::kernels
