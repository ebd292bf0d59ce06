// Tensor: float32, contiguous, row-major (NCHW for images), 64-byte aligned.
// A Tensor owns its buffer; kernels see only raw pointers and sizes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace cnnlab {

// Up to 4 dimensions. Images are (N, C, H, W); dense activations (N, F); weights as documented
// by each layer. Unused trailing dimensions are absent (rank says how many are used).
struct Shape {
  int rank = 0;
  std::array<int, 4> dims{0, 0, 0, 0};

  Shape() = default;
  Shape(std::initializer_list<int> d);

  int operator[](int i) const { return dims[static_cast<size_t>(i)]; }
  int& operator[](int i) { return dims[static_cast<size_t>(i)]; }
  size_t count() const;             // product of the used dimensions (1 for rank 0)
  size_t count_from(int axis) const;  // product of dims[axis..rank)
  std::string str() const;          // "(64, 3, 32, 32)"
  bool operator==(const Shape& o) const;
  bool operator!=(const Shape& o) const { return !(*this == o); }
};

class Tensor {
 public:
  static constexpr size_t kAlignment = 64;

  Tensor() = default;
  explicit Tensor(Shape shape);  // zero-filled
  Tensor(const Tensor& other);
  Tensor& operator=(const Tensor& other);
  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(Tensor&&) noexcept = default;

  const Shape& shape() const { return shape_; }
  int dim(int i) const { return shape_[i]; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  float& operator[](size_t i) { return data_.get()[i]; }
  float operator[](size_t i) const { return data_.get()[i]; }

  // Changes the shape. Keeps the buffer when it is large enough (no reallocation while the
  // batch size only shrinks), otherwise reallocates. Contents are unspecified afterwards
  // unless the element count is unchanged.
  void resize(Shape shape);
  // Same element count, new shape (Flatten). Throws on a count mismatch.
  void reshape(Shape shape);
  void fill(float value);
  void zero() { fill(0.0f); }

 private:
  struct AlignedFree {
    void operator()(float* p) const;
  };
  Shape shape_;
  size_t size_ = 0;
  size_t capacity_ = 0;
  std::unique_ptr<float[], AlignedFree> data_;
};

}  // namespace cnnlab
