//===- ConstantUtils.cpp - reading constant operands ----------------------===//
#include "dialects/kiln/ConstantUtils.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Endian.h"

#include <cstring>

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

std::optional<SmallVector<double>> getNumericValues(ElementsAttr attr) {
  Type element = attr.getElementType();
  SmallVector<double> values;
  if (isa<IntegerType>(element)) {
    std::optional<SmallVector<int64_t>> ints = getIntValues(attr);
    if (!ints)
      return std::nullopt;
    for (int64_t x : *ints)
      values.push_back(double(x));
    return values;
  }
  if (!element.isF32() && !element.isF64())
    return std::nullopt;
  int64_t n = attr.getNumElements();
  values.reserve(n);
  if (auto dense = dyn_cast<DenseFPElementsAttr>(attr)) {
    for (const APFloat &v : dense.getValues<APFloat>())
      values.push_back(v.convertToDouble());
    return values;
  }
  // A dense_resource blob (folded weights): raw little-endian values.
  std::optional<RawElements> raw = getRawElements(attr);
  size_t width = element.isF32() ? 4 : 8;
  if (!raw || raw->bytes.size() != size_t(n) * width)
    return std::nullopt;
  for (const char *p = raw->bytes.data(), *end = p + raw->bytes.size();
       p < end; p += width) {
    if (width == 4) {
      float f;
      std::memcpy(&f, p, 4);
      values.push_back(f);
    } else {
      double d;
      std::memcpy(&d, p, 8);
      values.push_back(d);
    }
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

bool writeElementBytes(ElementsAttr attr, llvm::raw_ostream &out) {
  Type element = attr.getElementType();
  if (!element.isIntOrFloat())
    return false;
  int64_t n = attr.getNumElements();
  int64_t width = elementStorageBytes(element);
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (element.isInteger(1)) {
      for (bool b : dense.getValues<bool>())
        out << char(b ? 1 : 0);
      return true;
    }
    ArrayRef<char> raw = dense.getRawData();
    if (dense.isSplat()) {
      for (int64_t i = 0; i < n; ++i)
        out.write(raw.data(), width);
      return true;
    }
    out.write(raw.data(), raw.size());
    return int64_t(raw.size()) == n * width;
  }
  std::optional<RawElements> raw = getRawElements(attr);
  if (!raw || int64_t(raw->bytes.size()) != n * width)
    return false;
  out.write(raw->bytes.data(), raw->bytes.size());
  return true;
}

uint64_t releaseUnreferencedBlobs(ModuleOp module) {
  llvm::StringSet<> used;
  module->walk([&](Operation *op) {
    op->getAttrDictionary().walk([&](DenseResourceElementsAttr attr) {
      used.insert(attr.getRawHandle().getKey());
    });
  });
  DialectResourceBlobManager &manager =
      DenseResourceElementsHandle::getManagerInterface(module.getContext())
          .getBlobManager();
  std::vector<std::string> dead;
  manager.getBlobMap(
      [&](const llvm::StringMap<DialectResourceBlobManager::BlobEntry> &map) {
        for (const auto &entry : map) {
          const AsmResourceBlob *blob = entry.getValue().getBlob();
          if (blob && !blob->getData().empty() && !used.contains(entry.getKey()))
            dead.push_back(entry.getKey().str());
        }
      });
  uint64_t bytes = 0;
  for (const std::string &key : dead)
    if (DialectResourceBlobManager::BlobEntry *entry = manager.lookup(key)) {
      bytes += entry->getBlob()->getData().size();
      entry->setBlob(AsmResourceBlob());
    }
  return bytes;
}

} // namespace kiln
