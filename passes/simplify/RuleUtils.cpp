//===- RuleUtils.cpp - matching helpers for the simplification rules ------===//
#include "passes/simplify/RuleUtils.h"
#include "dialects/kiln/ConstantUtils.h"

#include "llvm/ADT/APFloat.h"

#include <cstring>

using namespace mlir;

namespace kiln::simplify {

std::optional<double> splatValue(Value v) {
  ElementsAttr attr = getConstantValue(v);
  if (!attr || attr.getNumElements() == 0)
    return std::nullopt;
  Type element = attr.getElementType();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (auto f = dyn_cast<FloatType>(element)) {
      APFloat first = *dense.value_begin<APFloat>();
      if (!dense.isSplat())
        for (APFloat x : dense.getValues<APFloat>())
          if (x.bitwiseIsEqual(first) == false)
            return std::nullopt;
      return first.convertToDouble();
    }
    if (auto i = dyn_cast<IntegerType>(element)) {
      APInt first = *dense.value_begin<APInt>();
      if (!dense.isSplat())
        for (APInt x : dense.getValues<APInt>())
          if (x != first)
            return std::nullopt;
      return i.isUnsigned() || i.getWidth() == 1 ? double(first.getZExtValue())
                                                 : double(first.getSExtValue());
    }
    return std::nullopt;
  }
  // A blob: every element's bytes equal the first's.
  std::optional<RawElements> raw = getRawElements(attr);
  int64_t width = elementStorageBytes(element);
  if (!raw || width <= 0 || raw->bytes.size() < size_t(width))
    return std::nullopt;
  ArrayRef<char> bytes = raw->bytes;
  for (size_t i = width; i + width <= bytes.size(); i += width)
    if (std::memcmp(bytes.data(), bytes.data() + i, width) != 0)
      return std::nullopt;
  if (element.isF32()) {
    float f;
    std::memcpy(&f, bytes.data(), 4);
    return f;
  }
  if (element.isF64()) {
    double d;
    std::memcpy(&d, bytes.data(), 8);
    return d;
  }
  return std::nullopt;
}

bool isSplatOf(Value v, double x) {
  std::optional<double> s = splatValue(v);
  return s && *s == x && std::signbit(*s) == std::signbit(x);
}

bool isFloatTensor(Value v) {
  return isa<FloatType>(cast<RankedTensorType>(v.getType()).getElementType());
}

Value scalarConstant(OpBuilder &b, Location loc, Type element, double x) {
  auto type = RankedTensorType::get({}, element);
  Attribute value;
  if (auto f = dyn_cast<FloatType>(element)) {
    APFloat ap(x);
    bool lost;
    ap.convert(f.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    value = DenseElementsAttr::get(type, ap);
  } else {
    value = DenseElementsAttr::get(
        type, APInt(element.getIntOrFloatBitWidth(), int64_t(x), true));
  }
  return ConstantOp::create(b, loc, cast<ElementsAttr>(value));
}

Value i64Constant(OpBuilder &b, Location loc, ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get(
      {int64_t(values.size())},
      IntegerType::get(b.getContext(), 64, IntegerType::Signed));
  SmallVector<APInt> ints;
  for (int64_t v : values)
    ints.push_back(APInt(64, v, true));
  return ConstantOp::create(b, loc,
                            cast<ElementsAttr>(DenseElementsAttr::get(type, ints)));
}

void replaceKeepingType(PatternRewriter &rewriter, Operation *op, Value v) {
  Type want = op->getResult(0).getType();
  if (v.getType() != want && v.getDefiningOp() &&
      v.getDefiningOp() != op && !isa<ConstantOp>(v.getDefiningOp()) &&
      v.use_empty())
    v.setType(want);
  rewriter.replaceOp(op, v);
}

Value reshapeTo(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getShape() == shape)
    return v;
  Value s = i64Constant(b, loc, shape);
  // allow_zero: a 0 in `shape` is a size, not "copy the input's".
  return ReshapeOp::create(b, loc, v, s, /*allow_zero=*/true);
}

Value composeTransposes(PatternRewriter &rewriter, TransposeOp op) {
  auto inner = op.getInput().getDefiningOp<TransposeOp>();
  if (!inner)
    return nullptr;
  SmallVector<int64_t> perm;
  for (int64_t q : op.getPerm())
    perm.push_back(inner.getPerm()[q]);
  if (llvm::equal(perm, llvm::seq<int64_t>(0, int64_t(perm.size()))))
    return inner.getInput();
  return TransposeOp::create(rewriter, op.getLoc(), inner.getInput(), perm);
}

Value lastTwoTransposedFrom(Value v) {
  auto t = v.getDefiningOp<TransposeOp>();
  if (!t)
    return {};
  ArrayRef<int64_t> perm = t.getPerm();
  int64_t r = perm.size();
  for (int64_t i = 0; i + 2 < r; ++i)
    if (perm[i] != i)
      return {};
  return r >= 2 && perm[r - 2] == r - 1 && perm[r - 1] == r - 2 ? t.getInput()
                                                                  : Value();
}

std::optional<int64_t> perAxisLength(Value c, int64_t rank, int64_t axis) {
  auto type = cast<RankedTensorType>(c.getType());
  if (!getConstantValue(c) || type.getRank() > rank)
    return std::nullopt;
  int64_t offset = rank - type.getRank(), length = 1;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    int64_t size = type.getDimSize(d);
    if (d + offset == axis)
      length = size;
    else if (size != 1)
      return std::nullopt;
  }
  return length;
}

} // namespace kiln::simplify
