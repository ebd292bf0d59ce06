// Portable SIMD through GCC/Clang vector extensions: one source compiles to AVX-512, AVX2 or SSE
// registers natively and to v128 in WebAssembly SIMD. For kernels whose work is naturally "the
// same arithmetic on kVectorLanes independent items" (tiles, channels, maps), where a micro-kernel
// per instruction set would only repeat itself.
#pragma once

#include <cstring>

namespace cnnlab::kernels {

#if defined(__AVX512F__)
inline constexpr int kVectorLanes = 16;
#elif defined(__AVX2__)
inline constexpr int kVectorLanes = 8;
#else
inline constexpr int kVectorLanes = 4;
#endif
// kVectorLanes floats, element-wise arithmetic with +, -, * (a float operand is broadcast).
using VectorF = float __attribute__((vector_size(kVectorLanes * sizeof(float))));

// Unaligned load / store of kVectorLanes floats.
inline VectorF load_vector(const float* p) {
  VectorF v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store_vector(float* p, VectorF v) { std::memcpy(p, &v, sizeof v); }

}  // namespace cnnlab::kernels
