//===- FloatEvaluator.cpp - evaluating float kiln ops on big constants ----===//
#include "dialects/kiln/FloatEvaluator.h"
#include "dialects/kiln/ConstantUtils.h"
#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/ShapeUtils.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <cstring>
#include <functional>

using namespace mlir;

namespace kiln {

ElementsAttr makeElementsAttr(RankedTensorType type, ArrayRef<char> bytes,
                              StringRef key, int64_t inlineElements) {
  if (type.getNumElements() <= inlineElements) {
    bool splat = false;
    if (DenseElementsAttr::isValidRawBuffer(type, bytes, splat))
      return DenseElementsAttr::getFromRawBuffer(type, bytes);
  }
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, 64);
  return DenseResourceElementsAttr::get(type, key, std::move(blob));
}

namespace {

/// A static-shaped tensor of T in row-major order.
template <typename T> struct Array {
  SmallVector<int64_t> shape;
  std::vector<T> data;
};

template <typename T>
std::optional<Array<T>> readArray(ElementsAttr attr) {
  auto type = dyn_cast<RankedTensorType>(attr.getType());
  if (!type || !type.hasStaticShape() || !isa<FloatType>(type.getElementType()) ||
      type.getElementTypeBitWidth() != sizeof(T) * 8)
    return std::nullopt;
  std::optional<RawElements> raw = getRawElements(attr);
  if (!raw)
    return std::nullopt;
  int64_t n = type.getNumElements();
  Array<T> a{SmallVector<int64_t>(type.getShape()), std::vector<T>(n)};
  if (raw->isSplat) {
    if (raw->bytes.size() < sizeof(T))
      return std::nullopt;
    T v;
    std::memcpy(&v, raw->bytes.data(), sizeof(T));
    std::fill(a.data.begin(), a.data.end(), v);
  } else {
    if (raw->bytes.size() != size_t(n) * sizeof(T))
      return std::nullopt;
    std::memcpy(a.data.data(), raw->bytes.data(), raw->bytes.size());
  }
  return a;
}

SmallVector<int64_t> rowMajorStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> s(shape.size(), 1);
  for (int64_t i = int64_t(shape.size()) - 2; i >= 0; --i)
    s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/// Strides of `from` read as if broadcast to `to` (aligned right; 0 along
/// broadcast dimensions).
SmallVector<int64_t> broadcastStrides(ArrayRef<int64_t> from, ArrayRef<int64_t> to) {
  SmallVector<int64_t> own = rowMajorStrides(from), s(to.size(), 0);
  int64_t offset = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i)
    s[offset + i] = from[i] == 1 ? 0 : own[i];
  return s;
}

/// Calls fn(out flat index, in flat index) over `shape`, with the input
/// read through `strides`.
template <typename F>
void forEachStrided(ArrayRef<int64_t> shape, ArrayRef<int64_t> strides, F fn) {
  int64_t n = staticProduct(shape), rank = shape.size();
  SmallVector<int64_t> idx(rank, 0);
  int64_t in = 0;
  for (int64_t k = 0; k < n; ++k) {
    fn(k, in);
    for (int64_t d = rank - 1; d >= 0; --d) {
      in += strides[d];
      if (++idx[d] < shape[d])
        break;
      in -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

template <typename T>
std::optional<std::function<T(T)>> unaryFn(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<std::function<T(T)>>>(op)
      .Case([](ReluOp) { return [](T x) { return x > T(0) ? x : T(0); }; })
      .Case([](NegOp) { return [](T x) { return -x; }; })
      .Case([](AbsOp) { return [](T x) { return std::fabs(x); }; })
      .Case([](SqrtOp) { return [](T x) { return std::sqrt(x); }; })
      .Case([](ReciprocalOp) { return [](T x) { return T(1) / x; }; })
      .Case([](ExpOp) { return [](T x) { return std::exp(x); }; })
      .Case([](LogOp) { return [](T x) { return std::log(x); }; })
      .Case([](TanhOp) { return [](T x) { return std::tanh(x); }; })
      .Case([](ErfOp) { return [](T x) { return std::erf(x); }; })
      .Case([](SigmoidOp) { return [](T x) { return T(1) / (T(1) + std::exp(-x)); }; })
      .Case([](FloorOp) { return [](T x) { return std::floor(x); }; })
      .Case([](CeilOp) { return [](T x) { return std::ceil(x); }; })
      .Case([](SinOp) { return [](T x) { return std::sin(x); }; })
      .Case([](CosOp) { return [](T x) { return std::cos(x); }; })
      .Default([](Operation *) { return std::nullopt; });
}

template <typename T>
std::optional<std::function<T(T, T)>> binaryFn(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<std::function<T(T, T)>>>(op)
      .Case([](AddOp) { return [](T a, T b) { return a + b; }; })
      .Case([](SubOp) { return [](T a, T b) { return a - b; }; })
      .Case([](MulOp) { return [](T a, T b) { return a * b; }; })
      .Case([](DivOp) { return [](T a, T b) { return a / b; }; })
      .Case([](PowOp) { return [](T a, T b) { return std::pow(a, b); }; })
      .Case([](MinOp) {
        return [](T a, T b) { return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b); };
      })
      .Case([](MaxOp) {
        return [](T a, T b) { return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b); };
      })
      .Default([](Operation *) { return std::nullopt; });
}

template <typename T>
FailureOr<Array<T>> evaluate(Operation *op, ArrayRef<ElementsAttr> operands,
                             RankedTensorType type) {
  ArrayRef<int64_t> outShape = type.getShape();
  int64_t n = type.getNumElements();
  auto input = [&](unsigned i) { return readArray<T>(operands[i]); };
  if (staticProduct(outShape) != n)
    return failure();
  Array<T> out{SmallVector<int64_t>(outShape), std::vector<T>(n)};

  if (op->getNumOperands() == 1)
    if (auto fn = unaryFn<T>(op)) {
      auto x = input(0);
      if (!x)
        return failure();
      for (int64_t i = 0; i < n; ++i)
        out.data[i] = (*fn)(x->data[i]);
      return out;
    }
  if (op->getNumOperands() == 2)
    if (auto fn = binaryFn<T>(op)) {
      auto a = input(0), b = input(1);
      if (!a || !b)
        return failure();
      SmallVector<int64_t> sa = broadcastStrides(a->shape, outShape),
                           sb = broadcastStrides(b->shape, outShape);
      // Walk both operands with their own broadcast strides.
      int64_t rank = outShape.size();
      SmallVector<int64_t> idx(rank, 0);
      int64_t ia = 0, ib = 0;
      for (int64_t k = 0; k < n; ++k) {
        out.data[k] = (*fn)(a->data[ia], b->data[ib]);
        for (int64_t d = rank - 1; d >= 0; --d) {
          ia += sa[d];
          ib += sb[d];
          if (++idx[d] < outShape[d])
            break;
          ia -= sa[d] * outShape[d];
          ib -= sb[d] * outShape[d];
          idx[d] = 0;
        }
      }
      return out;
    }
  // Data movement: the result reads its operand through a stride pattern.
  auto gather = [&](const Array<T> &x, ArrayRef<int64_t> strides) {
    forEachStrided(outShape, strides,
                   [&](int64_t o, int64_t i) { out.data[o] = x.data[i]; });
    return out;
  };
  if (isa<ReshapeOp, FlattenOp, SqueezeOp, UnsqueezeOp>(op)) {
    auto x = input(0);
    if (!x || int64_t(x->data.size()) != n)
      return failure();
    out.data = std::move(x->data);
    return out;
  }
  if (auto t = dyn_cast<TransposeOp>(op)) {
    auto x = input(0);
    if (!x)
      return failure();
    SmallVector<int64_t> own = rowMajorStrides(x->shape), strides;
    for (int64_t p : t.getPerm())
      strides.push_back(own[p]);
    return gather(*x, strides);
  }
  if (isa<ExpandOp>(op)) {
    auto x = input(0);
    if (!x)
      return failure();
    return gather(*x, broadcastStrides(x->shape, outShape));
  }
  if (auto c = dyn_cast<ConcatOp>(op)) {
    int64_t axis = c.getAxis(), outer = staticProduct(outShape.take_front(axis)),
            inner = staticProduct(outShape.drop_front(axis + 1)), offset = 0;
    for (unsigned i = 0; i < op->getNumOperands(); ++i) {
      auto x = input(i);
      if (!x)
        return failure();
      int64_t len = x->shape[axis];
      for (int64_t o = 0; o < outer; ++o)
        std::copy_n(x->data.begin() + o * len * inner, len * inner,
                    out.data.begin() + (o * outShape[axis] + offset) * inner);
      offset += len;
    }
    return out;
  }
  return failure();
}

template <typename T>
FailureOr<ElementsAttr> evaluateAs(Operation *op, ArrayRef<ElementsAttr> operands,
                                   RankedTensorType type, int64_t inlineElements) {
  auto r = evaluate<T>(op, operands, type);
  if (failed(r))
    return failure();
  ArrayRef<char> bytes(reinterpret_cast<const char *>(r->data.data()),
                       r->data.size() * sizeof(T));
  return makeElementsAttr(type, bytes, "folded", inlineElements);
}

} // namespace

FailureOr<ElementsAttr> evaluateFloatOp(Operation *op,
                                        ArrayRef<ElementsAttr> operands,
                                        int64_t maxElements,
                                        int64_t inlineElements) {
  if (op->getNumResults() != 1)
    return failure();
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!type || !type.hasStaticShape() || type.getNumElements() > maxElements)
    return failure();
  // Operands read as T must have the result's element type (readArray
  // checks); casts and mixed-precision ops go to the exact evaluator.
  Type element = type.getElementType();
  if (element.isF32())
    return evaluateAs<float>(op, operands, type, inlineElements);
  if (element.isF64())
    return evaluateAs<double>(op, operands, type, inlineElements);
  return failure();
}

} // namespace kiln
