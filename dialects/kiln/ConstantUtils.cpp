//===- ConstantUtils.cpp - reading constant operands ----------------------===//
#include "dialects/kiln/ConstantUtils.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/Endian.h"

using namespace mlir;
using namespace llvm;

namespace kiln {

std::optional<RawElements> getRawElements(ElementsAttr attr) {
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (dense.getElementType().isInteger(1) && !dense.isSplat())
      return std::nullopt; // i1 is bit-packed in DenseElementsAttr.
    return RawElements{dense.getRawData(), dense.isSplat()};
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    return RawElements{blob->getData(), false};
  }
  return std::nullopt;
}

std::optional<SmallVector<int64_t>> getIntValues(ElementsAttr attr) {
  auto intType = dyn_cast<IntegerType>(attr.getElementType());
  if (!intType)
    return std::nullopt;
  int64_t n = attr.getNumElements();
  SmallVector<int64_t> values;
  values.reserve(n);
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr)) {
    for (const APInt &v : dense.getValues<APInt>())
      values.push_back(intType.isUnsigned() ? (int64_t)v.getZExtValue()
                                            : v.getSExtValue());
    return values;
  }
  std::optional<RawElements> raw = getRawElements(attr);
  unsigned width = intType.getWidth();
  if (!raw || width % 8 != 0 ||
      raw->bytes.size() != size_t(n) * (width / 8))
    return std::nullopt;
  const char *p = raw->bytes.data();
  for (int64_t i = 0; i < n; ++i, p += width / 8) {
    uint64_t bits = 0;
    std::memcpy(&bits, p, width / 8);
    APInt v(width, bits);
    values.push_back(intType.isUnsigned() ? (int64_t)v.getZExtValue()
                                          : v.getSExtValue());
  }
  return values;
}

ElementsAttr getConstantValue(Value value) {
  Attribute attr;
  if (value && matchPattern(value, m_Constant(&attr)))
    return dyn_cast<ElementsAttr>(attr);
  return nullptr;
}

std::optional<SmallVector<int64_t>> getConstantIntValues(Value v) {
  if (ElementsAttr attr = getConstantValue(v))
    return getIntValues(attr);
  return std::nullopt;
}

int64_t elementStorageBytes(Type elementType) {
  unsigned bits = elementType.getIntOrFloatBitWidth();
  return bits <= 8 ? 1 : bits / 8;
}

bool appendElementBytes(ElementsAttr attr, std::string &out) {
  Type element = attr.getElementType();
  if (!element.isIntOrFloat())
    return false;
  int64_t n = attr.getNumElements();
  int64_t width = elementStorageBytes(element);
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (element.isInteger(1)) {
      for (bool b : dense.getValues<bool>())
        out.push_back(char(b ? 1 : 0));
      return true;
    }
    ArrayRef<char> raw = dense.getRawData();
    if (dense.isSplat()) {
      for (int64_t i = 0; i < n; ++i)
        out.append(raw.data(), width);
      return true;
    }
    out.append(raw.data(), raw.size());
    return int64_t(raw.size()) == n * width;
  }
  std::optional<RawElements> raw = getRawElements(attr);
  if (!raw || int64_t(raw->bytes.size()) != n * width)
    return false;
  out.append(raw->bytes.data(), raw->bytes.size());
  return true;
}

} // namespace kiln
