//===- ShapeUtils.cpp - shape arithmetic with ONNX rules ------------------===//
#include "dialects/kiln/ShapeUtils.h"

#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace kiln {

std::optional<SmallVector<int64_t>>
broadcastShapes(ArrayRef<int64_t> a, ArrayRef<int64_t> b, std::string *error) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Align trailing dimensions; missing leading ones act as 1.
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == 1) {
      out[i] = db;
    } else if (db == 1) {
      out[i] = da;
    } else if (isDynamic(da)) {
      out[i] = db;
    } else if (isDynamic(db) || da == db) {
      out[i] = da;
    } else {
      if (error)
        *error = "shapes " + shapeToString(a) + " and " + shapeToString(b) +
                 " do not broadcast (dimension " + std::to_string(i) + ": " +
                 std::to_string(da) + " vs " + std::to_string(db) + ")";
      return std::nullopt;
    }
  }
  return out;
}

std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

std::optional<int64_t> windowOutputSize(int64_t in, int64_t kernel,
                                        int64_t stride, int64_t dilation,
                                        int64_t padBegin, int64_t padEnd,
                                        bool ceilMode) {
  if (isDynamic(in))
    return kDynamic;
  int64_t span = (kernel - 1) * dilation + 1;
  int64_t room = in + padBegin + padEnd - span;
  if (room < 0 || stride <= 0)
    return std::nullopt;
  int64_t out = (ceilMode ? (room + stride - 1) / stride : room / stride) + 1;
  // With ceil_mode, a last window that would start inside the end padding is
  // dropped (the rule PyTorch and the ONNX reference use).
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

int64_t staticProduct(ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims) {
    if (isDynamic(d))
      return kDynamic;
    p *= d;
  }
  return p;
}

std::optional<std::string> unsupportedShape(ArrayRef<int64_t> dims) {
  if (int64_t(dims.size()) > kMaxRank)
    return "rank " + std::to_string(dims.size()) + " is above the " +
           std::to_string(kMaxRank) + " Kiln supports";
  int64_t elements = 1;
  for (int64_t d : dims) {
    if (isDynamic(d) || d == 0)
      continue;
    if (d < 0 || elements > kMaxElements / d)
      return "shape " + shapeToString(dims) +
             " has more elements than Kiln can address (2^56)";
    elements *= d;
  }
  return std::nullopt;
}

std::string shapeToString(ArrayRef<int64_t> dims) {
  std::string s;
  raw_string_ostream os(s);
  os << "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i)
      os << "x";
    if (isDynamic(dims[i]))
      os << "?";
    else
      os << dims[i];
  }
  os << "]";
  return s;
}

} // namespace kiln
