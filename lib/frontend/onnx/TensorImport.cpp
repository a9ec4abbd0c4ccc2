//===- TensorImport.cpp - ONNX TensorProto -> MLIR attribute --------------===//
#include "lib/frontend/onnx/TensorImport.h"
#include "dialects/kiln/ShapeUtils.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstddef>
#include <cstdint>
#include <cstring>

using namespace mlir;

namespace kiln::onnx_frontend {

Type elementTypeFromOnnx(MLIRContext *ctx, int dataType) {
  auto si = [&](unsigned w) {
    return IntegerType::get(ctx, w, IntegerType::Signed);
  };
  auto ui = [&](unsigned w) {
    return IntegerType::get(ctx, w, IntegerType::Unsigned);
  };
  switch (dataType) {
  case onnx::TensorProto::FLOAT: return Float32Type::get(ctx);
  case onnx::TensorProto::DOUBLE: return Float64Type::get(ctx);
  case onnx::TensorProto::FLOAT16: return Float16Type::get(ctx);
  case onnx::TensorProto::BFLOAT16: return BFloat16Type::get(ctx);
  case onnx::TensorProto::INT8: return si(8);
  case onnx::TensorProto::INT16: return si(16);
  case onnx::TensorProto::INT32: return si(32);
  case onnx::TensorProto::INT64: return si(64);
  case onnx::TensorProto::UINT8: return ui(8);
  case onnx::TensorProto::UINT16: return ui(16);
  case onnx::TensorProto::UINT32: return ui(32);
  case onnx::TensorProto::UINT64: return ui(64);
  case onnx::TensorProto::BOOL: return IntegerType::get(ctx, 1);
  default: return nullptr;
  }
}

int onnxTypeFromElement(Type t) {
  if (t.isF32())
    return onnx::TensorProto::FLOAT;
  if (t.isF64())
    return onnx::TensorProto::DOUBLE;
  if (t.isF16())
    return onnx::TensorProto::FLOAT16;
  if (t.isBF16())
    return onnx::TensorProto::BFLOAT16;
  auto i = dyn_cast<IntegerType>(t);
  if (!i)
    return 0;
  bool u = i.isUnsigned();
  switch (i.getWidth()) {
  case 1: return onnx::TensorProto::BOOL;
  case 8: return u ? onnx::TensorProto::UINT8 : onnx::TensorProto::INT8;
  case 16: return u ? onnx::TensorProto::UINT16 : onnx::TensorProto::INT16;
  case 32: return u ? onnx::TensorProto::UINT32 : onnx::TensorProto::INT32;
  case 64: return u ? onnx::TensorProto::UINT64 : onnx::TensorProto::INT64;
  }
  return 0;
}

std::string onnxTypeName(int dataType) {
  switch (dataType) {
  case onnx::TensorProto::FLOAT: return "float32";
  case onnx::TensorProto::DOUBLE: return "float64";
  case onnx::TensorProto::FLOAT16: return "float16";
  case onnx::TensorProto::BFLOAT16: return "bfloat16";
  case onnx::TensorProto::INT8: return "int8";
  case onnx::TensorProto::INT16: return "int16";
  case onnx::TensorProto::INT32: return "int32";
  case onnx::TensorProto::INT64: return "int64";
  case onnx::TensorProto::UINT8: return "uint8";
  case onnx::TensorProto::UINT16: return "uint16";
  case onnx::TensorProto::UINT32: return "uint32";
  case onnx::TensorProto::UINT64: return "uint64";
  case onnx::TensorProto::BOOL: return "bool";
  case onnx::TensorProto::STRING: return "string";
  case onnx::TensorProto::COMPLEX64: return "complex64";
  case onnx::TensorProto::COMPLEX128: return "complex128";
  default: return "type " + std::to_string(dataType);
  }
}

namespace {

/// Bytes per element in memory (bool: one byte).
size_t storageBytes(int dataType) {
  switch (dataType) {
  case onnx::TensorProto::DOUBLE:
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64: return 8;
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32: return 4;
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16: return 2;
  default: return 1;
  }
}

/// Reads `length` bytes at `offset` of an external-data file.
LogicalResult readExternal(const onnx::TensorProto &t, Location loc,
                           const std::string &baseDirectory, size_t expected,
                           std::string &out) {
  std::string location;
  uint64_t offset = 0, length = 0;
  bool hasLength = false;
  for (const auto &kv : t.external_data()) {
    if (kv.key() == "location")
      location = kv.value();
    else if (kv.key() == "offset")
      offset = std::stoull(kv.value());
    else if (kv.key() == "length") {
      length = std::stoull(kv.value());
      hasLength = true;
    }
  }
  if (location.empty())
    return emitError(loc) << "tensor '" << t.name()
                          << "' has external data without a location";
  llvm::SmallString<256> path(baseDirectory);
  llvm::sys::path::append(path, location);
  auto buffer = llvm::MemoryBuffer::getFileSlice(
      path, hasLength ? length : expected, offset, /*IsVolatile=*/false);
  if (!buffer)
    return emitError(loc) << "tensor '" << t.name()
                          << "': cannot read external data file '" << path
                          << "': " << buffer.getError().message();
  out.assign((*buffer)->getBufferStart(), (*buffer)->getBufferSize());
  return success();
}

template <typename T, typename Src>
void appendAs(const Src &values, std::string &out) {
  for (auto v : values) {
    T x = T(v);
    out.append(reinterpret_cast<const char *>(&x), sizeof(T));
  }
}

} // namespace

/// The tensor's values as an attribute. `rawData`, when given, is the
/// tensor's raw_data moved out of the message: large tensors then keep that
/// very buffer as their blob instead of a copy.
static FailureOr<ElementsAttr>
convertTensor(const onnx::TensorProto &t, std::string *rawData, Location loc,
              const std::string &baseDirectory, int64_t maxInlineElements) {
  MLIRContext *ctx = loc.getContext();
  Type element = elementTypeFromOnnx(ctx, t.data_type());
  if (!element)
    return emitError(loc) << "tensor '" << t.name() << "' has element type "
                          << onnxTypeName(t.data_type())
                          << ", which Kiln does not support";
  SmallVector<int64_t> shape(t.dims().begin(), t.dims().end());
  for (int64_t d : shape)
    if (d < 0)
      return emitError(loc) << "tensor '" << t.name()
                            << "' has a negative dimension";
  if (auto why = unsupportedShape(shape))
    return emitError(loc) << "tensor '" << t.name() << "': " << *why;
  auto type = RankedTensorType::get(shape, element);
  int64_t n = type.getNumElements();
  size_t width = storageBytes(t.data_type());
  size_t expected = size_t(n) * width;

  // Gather the values as dense little-endian bytes.
  std::string bytes;
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    if (failed(readExternal(t, loc, baseDirectory, expected, bytes)))
      return failure();
  } else if (rawData) {
    bytes = std::move(*rawData);
  } else if (t.has_raw_data()) {
    bytes = t.raw_data();
  } else {
    switch (t.data_type()) {
    case onnx::TensorProto::FLOAT: appendAs<float>(t.float_data(), bytes); break;
    case onnx::TensorProto::DOUBLE: appendAs<double>(t.double_data(), bytes); break;
    case onnx::TensorProto::INT64: appendAs<int64_t>(t.int64_data(), bytes); break;
    case onnx::TensorProto::UINT32: appendAs<uint32_t>(t.uint64_data(), bytes); break;
    case onnx::TensorProto::UINT64: appendAs<uint64_t>(t.uint64_data(), bytes); break;
    case onnx::TensorProto::INT32: appendAs<int32_t>(t.int32_data(), bytes); break;
    case onnx::TensorProto::INT16: appendAs<int16_t>(t.int32_data(), bytes); break;
    case onnx::TensorProto::UINT16:
    case onnx::TensorProto::FLOAT16:
    case onnx::TensorProto::BFLOAT16: appendAs<uint16_t>(t.int32_data(), bytes); break;
    case onnx::TensorProto::INT8: appendAs<int8_t>(t.int32_data(), bytes); break;
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::BOOL: appendAs<uint8_t>(t.int32_data(), bytes); break;
    }
  }
  if (bytes.size() != expected)
    return emitError(loc) << "tensor '" << t.name() << "' holds "
                          << bytes.size() << " bytes of data, its shape "
                          << "and type need " << expected;
  if (element.isInteger(1))
    for (char &c : bytes)
      c = c ? 1 : 0;

  if (n <= maxInlineElements) {
    if (element.isInteger(1)) {
      SmallVector<bool> values(bytes.begin(), bytes.end());
      return ElementsAttr(DenseElementsAttr::get(type, values));
    }
    bool detectedSplat = false;
    ArrayRef<char> raw(bytes.data(), bytes.size());
    if (!DenseElementsAttr::isValidRawBuffer(type, raw, detectedSplat))
      return emitError(loc) << "tensor '" << t.name() << "': bad data";
    return ElementsAttr(DenseElementsAttr::getFromRawBuffer(type, raw));
  }
  std::string key = t.name().empty() ? "tensor" : t.name();
  // The bytes' own heap buffer becomes the blob (no second copy of the
  // weights), when malloc's alignment suits every element type.
  constexpr size_t kAlignment = alignof(std::max_align_t);
  if (reinterpret_cast<uintptr_t>(bytes.data()) % kAlignment == 0) {
    auto *owned = new std::string(std::move(bytes));
    AsmResourceBlob blob(
        ArrayRef<char>(owned->data(), owned->size()), kAlignment,
        [owned](void *, size_t, size_t) { delete owned; },
        /*dataIsMutable=*/false);
    return ElementsAttr(
        DenseResourceElementsAttr::get(type, key, std::move(blob)));
  }
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef<char>(bytes.data(), bytes.size()), 64);
  return ElementsAttr(
      DenseResourceElementsAttr::get(type, key, std::move(blob)));
}

FailureOr<ElementsAttr> importTensor(const onnx::TensorProto &t, Location loc,
                                     const std::string &baseDirectory,
                                     int64_t maxInlineElements) {
  return convertTensor(t, nullptr, loc, baseDirectory, maxInlineElements);
}

FailureOr<ElementsAttr> importInitializer(onnx::TensorProto &t, Location loc,
                                          const std::string &baseDirectory,
                                          int64_t maxInlineElements) {
  std::string *raw = t.has_raw_data() ? t.mutable_raw_data() : nullptr;
  return convertTensor(t, raw, loc, baseDirectory, maxInlineElements);
}

} // namespace kiln::onnx_frontend
