//===- Tensor.cpp - element types and dense tensors -----------------------===//
#include "kiln/Tensor.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <new>

namespace kiln {

namespace {
struct DTypeEntry {
  DType type;
  const char *name;
  size_t size;
};
constexpr DTypeEntry kDTypes[] = {
    {DType::Float32, "float32", 4}, {DType::UInt8, "uint8", 1},
    {DType::Int8, "int8", 1},       {DType::UInt16, "uint16", 2},
    {DType::Int16, "int16", 2},     {DType::Int32, "int32", 4},
    {DType::Int64, "int64", 8},     {DType::Bool, "bool", 1},
    {DType::Float16, "float16", 2}, {DType::Float64, "float64", 8},
    {DType::UInt32, "uint32", 4},   {DType::UInt64, "uint64", 8},
    {DType::BFloat16, "bfloat16", 2},
};
const DTypeEntry *find(DType t) {
  for (const DTypeEntry &e : kDTypes)
    if (e.type == t)
      return &e;
  return nullptr;
}
} // namespace

size_t dtypeSize(DType t) {
  const DTypeEntry *e = find(t);
  return e ? e->size : 0;
}

const char *dtypeName(DType t) {
  const DTypeEntry *e = find(t);
  return e ? e->name : "unknown";
}

std::optional<DType> parseDType(std::string_view name) {
  for (const DTypeEntry &e : kDTypes)
    if (name == e.name)
      return e.type;
  return std::nullopt;
}

std::optional<DType> dtypeFromOnnx(int onnxType) {
  if (find(DType(onnxType)))
    return DType(onnxType);
  return std::nullopt;
}

int64_t Tensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape_)
    n *= d;
  return n;
}

Tensor Tensor::allocate(DType dtype, std::vector<int64_t> shape) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  // Round up so aligned_alloc's size rule holds; never allocate 0 bytes so
  // that data() is non-null.
  size_t bytes = (std::max<size_t>(t.byteSize(), 1) + 63) / 64 * 64;
  void *p = std::aligned_alloc(64, bytes);
  if (!p)
    throw std::bad_alloc();
  t.owner_ = std::shared_ptr<void>(p, std::free);
  t.data_ = p;
  return t;
}

std::optional<uint64_t> checkedByteSize(DType dtype,
                                        const std::vector<int64_t> &shape) {
  uint64_t bytes = dtypeSize(dtype);
  for (int64_t d : shape) {
    if (d < 0 || (d != 0 && bytes > (uint64_t(1) << 62) / uint64_t(d)))
      return std::nullopt;
    bytes *= uint64_t(d);
  }
  return bytes;
}

Expected<Tensor> Tensor::tryAllocate(DType dtype, std::vector<int64_t> shape) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  if (std::any_of(t.shape_.begin(), t.shape_.end(),
                  [](int64_t d) { return d < 0; }))
    return Status::error("cannot allocate " + t.describe() +
                         ": negative dimension");
  std::optional<uint64_t> checked = checkedByteSize(dtype, t.shape_);
  if (!checked)
    return Status::error("cannot allocate " + t.describe() +
                         ": its size overflows");
  uint64_t bytes = *checked;
  try {
    return allocate(dtype, t.shape_);
  } catch (const std::bad_alloc &) {
    char size[32];
    std::snprintf(size, sizeof size, "%.1f GiB", double(bytes) / (1 << 30));
    return Status::error("out of host memory allocating " +
                         std::to_string(bytes) + " bytes (" + size +
                         ") for " + t.describe());
  }
}

Tensor Tensor::wrap(DType dtype, std::vector<int64_t> shape, void *data,
                    std::shared_ptr<void> owner) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.data_ = data;
  t.owner_ = std::move(owner);
  return t;
}

std::string Tensor::describe() const {
  std::string s = dtypeName(dtype_);
  s += "[";
  for (size_t i = 0; i < shape_.size(); ++i) {
    if (i)
      s += "x";
    s += std::to_string(shape_[i]);
  }
  return s + "]";
}

} // namespace kiln
