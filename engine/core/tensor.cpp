#include "core/tensor.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <new>

#include "core/error.h"

namespace cnnlab {

Shape::Shape(std::initializer_list<int> d) {
  require(d.size() <= 4, "Shape", "at most 4 dimensions");
  rank = static_cast<int>(d.size());
  int i = 0;
  for (int v : d) dims[static_cast<size_t>(i++)] = v;
}

size_t Shape::count() const { return count_from(0); }

size_t Shape::count_from(int axis) const {
  size_t n = 1;
  for (int i = axis; i < rank; ++i) n *= static_cast<size_t>(dims[static_cast<size_t>(i)]);
  return n;
}

std::string Shape::str() const {
  std::string s = "(";
  for (int i = 0; i < rank; ++i) {
    if (i) s += ", ";
    s += std::to_string(dims[static_cast<size_t>(i)]);
  }
  return s + ")";
}

bool Shape::operator==(const Shape& o) const {
  if (rank != o.rank) return false;
  for (int i = 0; i < rank; ++i)
    if (dims[static_cast<size_t>(i)] != o.dims[static_cast<size_t>(i)]) return false;
  return true;
}

void Tensor::AlignedFree::operator()(float* p) const { std::free(p); }

static float* allocate_aligned(size_t count) {
  if (count == 0) return nullptr;
  size_t bytes = count * sizeof(float);
  bytes = (bytes + Tensor::kAlignment - 1) / Tensor::kAlignment * Tensor::kAlignment;
  void* p = std::aligned_alloc(Tensor::kAlignment, bytes);
  if (!p)
    throw Error("Tensor", "out of memory allocating " + std::to_string(bytes / (1024 * 1024)) +
                              " MB");
  return static_cast<float*>(p);
}

Tensor::Tensor(Shape shape) {
  resize(shape);
  zero();
}

Tensor::Tensor(const Tensor& other) : Tensor() { *this = other; }

Tensor& Tensor::operator=(const Tensor& other) {
  if (this == &other) return *this;
  resize(other.shape_);
  if (size_) std::copy(other.data(), other.data() + size_, data());
  return *this;
}

void Tensor::resize(Shape shape) {
  for (int i = 0; i < shape.rank; ++i)
    require(shape[i] >= 0, "Tensor", "negative dimension in shape " + shape.str());
  size_t n = shape.count();
  if (shape.rank == 0) n = 0;
  // The product can wrap around size_t (32 bits in wasm: (65536, 65536) would give an empty
  // tensor, 2^30 floats a 0-byte buffer); such a shape is a clear out-of-memory, never a wrap.
  const bool empty = std::any_of(shape.dims.begin(), shape.dims.begin() + shape.rank,
                                 [](int d) { return d == 0; });
  if (!empty) {
    constexpr size_t kMaxElements = (SIZE_MAX - Tensor::kAlignment) / sizeof(float);
    size_t checked = 1;
    for (int i = 0; i < shape.rank; ++i) {
      const size_t d = static_cast<size_t>(shape[i]);
      if (checked > kMaxElements / d)
        throw Error("Tensor", "out of memory: shape " + shape.str() +
                                  " needs more bytes than this build can address");
      checked *= d;
    }
  }
  if (n > capacity_) {
    data_.reset(allocate_aligned(n));
    capacity_ = n;
  }
  shape_ = shape;
  size_ = n;
}

void Tensor::reshape(Shape shape) {
  require(shape.count() == size_, "Tensor",
          "cannot reshape " + shape_.str() + " to " + shape.str());
  shape_ = shape;
}

void Tensor::fill(float value) {
  if (size_) std::fill(data(), data() + size_, value);
}

}  // namespace cnnlab
