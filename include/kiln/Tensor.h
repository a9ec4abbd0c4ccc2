//===- Tensor.h - element types and dense tensors -----------------*- C++ -*-===//
//
// Part of Kiln's public API: the tensors a Session takes and returns.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TENSOR_H
#define KILN_TENSOR_H

#include "kiln/Status.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiln {

/// Element types, numbered as ONNX's TensorProto.DataType.
enum class DType : int {
  Float32 = 1,
  UInt8 = 2,
  Int8 = 3,
  UInt16 = 4,
  Int16 = 5,
  Int32 = 6,
  Int64 = 7,
  Bool = 9,
  Float16 = 10,
  Float64 = 11,
  UInt32 = 12,
  UInt64 = 13,
  BFloat16 = 16,
};

/// Bytes per element.
size_t dtypeSize(DType t);
/// Bytes of a dense `dtype` tensor of `shape`, or nullopt when a dimension
/// is negative or the count passes 2^62 (a shape read from a file or an
/// artifact, which may be damaged).
std::optional<uint64_t> checkedByteSize(DType dtype,
                                        const std::vector<int64_t> &shape);
/// ONNX's lower-case name: "float32", "int64", "bool", ...
const char *dtypeName(DType t);
std::optional<DType> parseDType(std::string_view name);
/// The DType for an ONNX TensorProto.DataType number, if Kiln supports it.
std::optional<DType> dtypeFromOnnx(int onnxType);

/// A dense, C-ordered tensor that shares its storage on copy.
class Tensor {
public:
  Tensor() = default;

  /// Uninitialised storage, 64-byte aligned; throws std::bad_alloc when the
  /// host has no memory for it.
  static Tensor allocate(DType dtype, std::vector<int64_t> shape);
  /// The same, or an error that names the tensor and its size when the host
  /// has no memory for it, a dimension is negative, or the size overflows.
  static Expected<Tensor> tryAllocate(DType dtype, std::vector<int64_t> shape);
  /// A view of `data` kept alive by `owner` (may be null for borrowed data
  /// that outlives the tensor).
  static Tensor wrap(DType dtype, std::vector<int64_t> shape, void *data,
                     std::shared_ptr<void> owner = nullptr);

  DType dtype() const { return dtype_; }
  const std::vector<int64_t> &shape() const { return shape_; }
  int64_t rank() const { return int64_t(shape_.size()); }
  int64_t numElements() const;
  size_t byteSize() const { return size_t(numElements()) * dtypeSize(dtype_); }
  bool valid() const { return data_ != nullptr || numElements() == 0; }

  void *data() { return data_; }
  const void *data() const { return data_; }
  template <typename T> T *data() { return static_cast<T *>(data_); }
  template <typename T> const T *data() const {
    return static_cast<const T *>(data_);
  }

  /// "float32[1x3x224x224]"
  std::string describe() const;

private:
  DType dtype_ = DType::Float32;
  std::vector<int64_t> shape_;
  std::shared_ptr<void> owner_;
  void *data_ = nullptr;
};

} // namespace kiln

#endif // KILN_TENSOR_H
