// The instruction-set-independent half of the implicit-GEMM convolution (conv_implicit.h): packing
// the weights into the micro-kernels' A layout, the transposed geometry of the input gradient,
// the split of images and pixel ranges (forward, dx) or image groups and dw columns (weight
// gradient) over a ThreadPool, and the bias gradient's sums.
#include <algorithm>

#include "core/thread_pool.h"
#include "kernels/conv_implicit.h"
#include "kernels/variants.h"

namespace cnnlab::kernels {

size_t conv_packed_weights_floats(int rows, int depth, int mr) {
  return static_cast<size_t>(implicit::round_up(rows, mr)) * static_cast<size_t>(depth);
}

namespace {

// pack_conv_weights for depth blocks [block_begin, block_end) of implicit::depth_blocks(K, kc).
void pack_conv_weight_blocks(float* a_packed, const float* w, int out_channels, int channels,
                             int kernel_h, int kernel_w, int mr, int kc, bool for_input_gradient,
                             int block_begin, int block_end) {
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
  for (int b = block_begin; b < block_end; ++b) {
    const int pc = b * blocks.size;
    if (pc >= K) break;
    const int depth = std::min(blocks.size, K - pc);
    float* packed = a_packed + static_cast<size_t>(pc) * m_pad;
    for (int ir = 0; ir < m_pad; ir += mr) {
      float* d = packed + static_cast<size_t>(ir) * depth;
      for (int k = 0; k < depth; ++k)
        for (int r = 0; r < mr; ++r)
          d[static_cast<size_t>(k) * mr + r] = ir + r < M ? a(ir + r, pc + k) : 0.0f;
    }
  }
}

}  // namespace

void pack_conv_weights(float* a_packed, const float* w, int out_channels, int channels,
                       int kernel_h, int kernel_w, int mr, int kc, bool for_input_gradient) {
  const int K = (for_input_gradient ? out_channels : channels) * kernel_h * kernel_w;
  pack_conv_weight_blocks(a_packed, w, out_channels, channels, kernel_h, kernel_w, mr, kc,
                          for_input_gradient, 0, implicit::depth_blocks(K, kc).count);
}

void pack_conv_weights(float* a_packed, const float* w, int out_channels, int channels,
                       int kernel_h, int kernel_w, int mr, int kc, bool for_input_gradient,
                       ThreadPool* pool) {
  // One task per depth block: a serial pack between the parallel passes would let the pool's
  // threads fall asleep (they spin only briefly), and on a busy machine a sleeping thread is slow
  // to get its core back.
  const int K = (for_input_gradient ? out_channels : channels) * kernel_h * kernel_w;
  const int count = implicit::depth_blocks(K, kc).count;
  auto pack = [&](int block) {
    pack_conv_weight_blocks(a_packed, w, out_channels, channels, kernel_h, kernel_w, mr, kc,
                            for_input_gradient, block, block + 1);
  };
  if (pool && count > 1)
    pool->parallel_for(count, [&](int block) { pack(block); });
  else
    for (int block = 0; block < count; ++block) pack(block);
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
  const double flops_per_pixel = 2.0 * rows * g.col_rows();
  if (threads <= 1 || flops_per_pixel * P * images < 2.0e5) {
    for (int b = 0; b < images; ++b) block(y, x, a_packed, bias, g, rows, b, 0, P);
    return;
  }
  // Tasks are (image, pixel range) pairs of about kTaskFlops (ranges of at least 2 whole slivers),
  // claimed as threads come free. Short tasks matter on a busy machine: a thread descheduled
  // while it holds a task stalls the whole pass until it runs again (see gemm_parallel), and an
  // image of a 7x7 layer is 50 MFLOP. Splitting an image costs little: its columns are still
  // packed once, and only the (L2-resident) packed weights are read again.
  constexpr double kTaskFlops = 8.0e6;
  const int width = std::min(
      implicit::round_up(P, nr),
      std::max(2 * nr, implicit::round_up(static_cast<int>(kTaskFlops / flops_per_pixel), nr)));
  const int panels = (P + width - 1) / width;
  pool->parallel_for(images * panels, [&](int t) {
    const int b = t / panels, p0 = (t % panels) * width;
    block(y, x, a_packed, bias, g, rows, b, p0, std::min(P, p0 + width));
  });
}

int conv_weight_grad_groups(const ConvGeometry& g) {
  // The batch is summed in 8 groups of images (a fixed number: never the thread count), each into
  // its own partial sums, so that tasks stay short (a group's share of a few dw columns) and
  // layers with few columns (conv1: K = 3*k*k) still split over threads.
  constexpr int kGroups = 8;
  return std::max(1, std::min(g.batch, kGroups));
}

void conv_weight_grad_parallel(ConvWeightGradBlockFn block, int nr, float* dw, float* scratch,
                               const float* dy, const float* x, const ConvGeometry& g, int M,
                               ThreadPool* pool) {
  const int K = g.col_rows(), images = g.batch;
  if (images <= 0 || K <= 0 || M <= 0) return;
  const int groups = conv_weight_grad_groups(g);
  const size_t dw_floats = static_cast<size_t>(M) * K;
  // Group 0 accumulates into dw itself; groups 1.. into partial sums (each task zeroes its own
  // part first), added in order below.
  auto group_dw = [&](int group) { return group == 0 ? dw : scratch + (group - 1) * dw_floats; };
  const int threads = pool ? pool->threads() : 1;
  const double flops = 2.0 * M * static_cast<double>(K) * g.out_h * g.out_w * images;
  const bool split = pool && threads > 1 && flops >= 2.0e5;
  // About 16 tasks per thread, in column slabs of whole slivers (see conv_implicit_parallel).
  int slabs = 1;
  if (split) slabs = std::max(1, std::min((threads * 16 + groups - 1) / groups, (K + nr - 1) / nr));
  const int width = implicit::round_up((K + slabs - 1) / slabs, nr);
  slabs = (K + width - 1) / width;
  auto task = [&](int t) {
    const int group = t / slabs, n0 = (t % slabs) * width;
    const int b0 = static_cast<int>(static_cast<long>(images) * group / groups);
    const int b1 = static_cast<int>(static_cast<long>(images) * (group + 1) / groups);
    const int n1 = std::min(K, n0 + width);
    if (group > 0)
      for (int i = 0; i < M; ++i) {
        float* row = group_dw(group) + static_cast<size_t>(i) * K;
        std::fill(row + n0, row + n1, 0.0f);
      }
    block(group_dw(group), dy, x, g, M, b0, b1, n0, n1);
  };
  if (!split)
    for (int t = 0; t < slabs * groups; ++t) task(t);
  else
    pool->parallel_for(slabs * groups, [&](int t) { task(t); });
  if (groups == 1) return;
  // dw += partial 1, partial 2, ... in that order for every element, over element ranges.
  constexpr size_t kRange = size_t{1} << 14;
  const int ranges = static_cast<int>((dw_floats + kRange - 1) / kRange);
  auto add_range = [&](int r) {
    const size_t i0 = static_cast<size_t>(r) * kRange, i1 = std::min(dw_floats, i0 + kRange);
    for (int group = 1; group < groups; ++group) {
      const float* partial = group_dw(group);
      for (size_t i = i0; i < i1; ++i) dw[i] += partial[i];
    }
  };
  if (!split || ranges == 1)
    for (int r = 0; r < ranges; ++r) add_range(r);
  else
    pool->parallel_for(ranges, [&](int r) { add_range(r); });
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
