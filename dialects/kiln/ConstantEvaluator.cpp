//===- ConstantEvaluator.cpp - evaluating kiln ops on constants -----------===//
#include "dialects/kiln/ConstantEvaluator.h"
#include "dialects/kiln/ConstantUtils.h"
#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/ShapeUtils.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APInt.h"
#include "llvm/ADT/APSInt.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using llvm::APFloat;
using llvm::APInt;

namespace kiln {
namespace {

/// A constant tensor held element by element: APInt for integers and bools,
/// APFloat for floats.
struct Value_ {
  RankedTensorType type;
  SmallVector<APInt> ints;
  SmallVector<APFloat> floats;

  bool isFloat() const { return isa<FloatType>(type.getElementType()); }
  bool isUnsigned() const {
    auto i = dyn_cast<IntegerType>(type.getElementType());
    return i && (i.isUnsigned() || i.getWidth() == 1);
  }
  int64_t size() const { return isFloat() ? floats.size() : ints.size(); }
  ArrayRef<int64_t> shape() const { return type.getShape(); }
};

std::optional<Value_> read(ElementsAttr attr) {
  auto type = dyn_cast<RankedTensorType>(attr.getType());
  if (!type || !type.hasStaticShape())
    return std::nullopt;
  Value_ v{type, {}, {}};
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (!dense) {
    // Small resource blobs: read through the raw bytes.
    if (auto ints = getIntValues(attr)) {
      unsigned w = type.getElementTypeBitWidth();
      for (int64_t x : *ints)
        v.ints.push_back(APInt(w, uint64_t(x), true));
      return v;
    }
    return std::nullopt;
  }
  if (v.isFloat()) {
    for (APFloat f : dense.getValues<APFloat>())
      v.floats.push_back(f);
  } else {
    for (APInt i : dense.getValues<APInt>())
      v.ints.push_back(i);
  }
  return v;
}

DenseElementsAttr write(const Value_ &v) {
  if (v.isFloat())
    return DenseElementsAttr::get(v.type, v.floats);
  if (v.type.getElementType().isInteger(1)) {
    SmallVector<bool> bits;
    for (const APInt &i : v.ints)
      bits.push_back(!i.isZero());
    return DenseElementsAttr::get(v.type, bits);
  }
  return DenseElementsAttr::get(v.type, v.ints);
}

/// Row-major strides of a shape.
SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> s(shape.size(), 1);
  for (int64_t i = int64_t(shape.size()) - 2; i >= 0; --i)
    s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/// The flat index into `from` (broadcast to `to`, aligned right) of the
/// multi-index `idx` over `to`.
int64_t broadcastIndex(ArrayRef<int64_t> idx, ArrayRef<int64_t> from) {
  int64_t offset = idx.size() - from.size(), flat = 0;
  SmallVector<int64_t> st = stridesOf(from);
  for (size_t i = 0; i < from.size(); ++i)
    flat += (from[i] == 1 ? 0 : idx[offset + i]) * st[i];
  return flat;
}

/// Calls fn(multi-index, flat index) for each element of `shape`.
template <typename F> void forEachIndex(ArrayRef<int64_t> shape, F fn) {
  int64_t n = staticProduct(shape);
  SmallVector<int64_t> idx(shape.size(), 0);
  for (int64_t k = 0; k < n; ++k) {
    fn(ArrayRef<int64_t>(idx), k);
    for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
      if (++idx[d] < shape[d])
        break;
      idx[d] = 0;
    }
  }
}

Value_ emptyLike(RankedTensorType type) { return Value_{type, {}, {}}; }

/// Copies element `from` of `src` to the end of `dst`.
void push(Value_ &dst, const Value_ &src, int64_t from) {
  if (src.isFloat())
    dst.floats.push_back(src.floats[from]);
  else
    dst.ints.push_back(src.ints[from]);
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

using IntFn = std::function<std::optional<APInt>(const APInt &, const APInt &,
                                                 bool isUnsigned)>;
using FloatFn = std::function<std::optional<APFloat>(const APFloat &,
                                                     const APFloat &)>;

FailureOr<Value_> binary(RankedTensorType resultType, const Value_ &a,
                         const Value_ &b, IntFn intFn, FloatFn floatFn,
                         bool resultIsBool = false) {
  Value_ r = emptyLike(resultType);
  bool failedOnce = false;
  forEachIndex(resultType.getShape(), [&](ArrayRef<int64_t> idx, int64_t) {
    int64_t ia = broadcastIndex(idx, a.shape()), ib = broadcastIndex(idx, b.shape());
    if (a.isFloat()) {
      if (!floatFn) {
        failedOnce = true;
        return;
      }
      std::optional<APFloat> f = floatFn(a.floats[ia], b.floats[ib]);
      if (!f) {
        failedOnce = true;
        return;
      }
      if (resultIsBool)
        r.ints.push_back(APInt(1, f->isNonZero() ? 1 : 0));
      else
        r.floats.push_back(*f);
    } else {
      std::optional<APInt> i = intFn ? intFn(a.ints[ia], b.ints[ib], a.isUnsigned())
                                     : std::nullopt;
      if (!i) {
        failedOnce = true;
        return;
      }
      r.ints.push_back(*i);
    }
  });
  if (failedOnce)
    return failure();
  return r;
}

APFloat floatResult(const APFloat &x, bool v) {
  // Comparisons of floats produce i1 through this path.
  return APFloat(x.getSemantics(), v ? 1 : 0);
}

std::optional<APInt> boolInt(bool v) { return APInt(1, v ? 1 : 0); }

/// Comparison: returns i1 values.
FailureOr<Value_> compare(RankedTensorType resultType, const Value_ &a,
                          const Value_ &b,
                          std::function<bool(APFloat::cmpResult)> onFloat,
                          std::function<bool(const APInt &, const APInt &, bool)>
                              onInt) {
  Value_ r = emptyLike(resultType);
  forEachIndex(resultType.getShape(), [&](ArrayRef<int64_t> idx, int64_t) {
    int64_t ia = broadcastIndex(idx, a.shape()), ib = broadcastIndex(idx, b.shape());
    bool v = a.isFloat() ? onFloat(a.floats[ia].compare(b.floats[ib]))
                         : onInt(a.ints[ia], b.ints[ib], a.isUnsigned());
    r.ints.push_back(APInt(1, v ? 1 : 0));
  });
  return r;
}

/// A float as bfloat16 by keeping the high 16 bits of its f32 value (see
/// kiln.cast's truncate_bf16); NaN becomes the quiet NaN.
APFloat truncateToBf16(APFloat f) {
  bool lost;
  if (f.isNaN())
    return APFloat::getQNaN(APFloat::BFloat());
  f.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
  uint64_t bits = f.bitcastToAPInt().getZExtValue() >> 16;
  return APFloat(APFloat::BFloat(), APInt(16, bits));
}

FailureOr<Value_> castValue(const Value_ &x, RankedTensorType resultType,
                            bool truncateBf16 = false) {
  Type to = resultType.getElementType();
  Value_ r = emptyLike(resultType);
  bool toUnsigned = isa<IntegerType>(to) && (cast<IntegerType>(to).isUnsigned() ||
                                             to.isInteger(1));
  for (int64_t i = 0; i < x.size(); ++i) {
    if (auto ft = dyn_cast<FloatType>(to)) {
      APFloat f(ft.getFloatSemantics());
      bool lost;
      if (x.isFloat() && truncateBf16) {
        f = truncateToBf16(x.floats[i]);
      } else if (x.isFloat()) {
        f = x.floats[i];
        f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      } else {
        f.convertFromAPInt(x.ints[i], !x.isUnsigned(), APFloat::rmNearestTiesToEven);
      }
      r.floats.push_back(f);
      continue;
    }
    unsigned w = cast<IntegerType>(to).getWidth();
    if (w == 1) {
      bool nz = x.isFloat() ? !x.floats[i].isZero() : !x.ints[i].isZero();
      r.ints.push_back(APInt(1, nz ? 1 : 0));
    } else if (x.isFloat()) {
      if (!x.floats[i].isFinite())
        return failure(); // undefined: leave it to the runtime
      llvm::APSInt out(w, toUnsigned);
      bool exact;
      auto status = x.floats[i].convertToInteger(out, APFloat::rmTowardZero, &exact);
      if (status & APFloat::opInvalidOp)
        return failure();
      r.ints.push_back(out);
    } else {
      r.ints.push_back(x.isUnsigned() ? x.ints[i].zextOrTrunc(w)
                                      : x.ints[i].sextOrTrunc(w));
    }
  }
  return r;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

/// A copy of `x` with the result type's shape (same elements, same order).
Value_ retype(const Value_ &x, RankedTensorType type) {
  Value_ r = x;
  r.type = type;
  return r;
}

FailureOr<Value_> transpose(const Value_ &x, RankedTensorType type,
                            ArrayRef<int64_t> perm) {
  Value_ r = emptyLike(type);
  SmallVector<int64_t> st = stridesOf(x.shape());
  forEachIndex(type.getShape(), [&](ArrayRef<int64_t> idx, int64_t) {
    int64_t flat = 0;
    for (size_t i = 0; i < perm.size(); ++i)
      flat += idx[i] * st[perm[i]];
    push(r, x, flat);
  });
  return r;
}

FailureOr<Value_> concat(ArrayRef<Value_> xs, RankedTensorType type,
                         int64_t axis) {
  Value_ r = emptyLike(type);
  forEachIndex(type.getShape(), [&](ArrayRef<int64_t> idx, int64_t) {
    int64_t pos = idx[axis];
    for (const Value_ &x : xs) {
      if (pos < x.shape()[axis]) {
        SmallVector<int64_t> at(idx);
        at[axis] = pos;
        SmallVector<int64_t> st = stridesOf(x.shape());
        int64_t flat = 0;
        for (size_t i = 0; i < at.size(); ++i)
          flat += at[i] * st[i];
        push(r, x, flat);
        return;
      }
      pos -= x.shape()[axis];
    }
  });
  return r;
}

int64_t intAt(const Value_ &v, int64_t i) {
  return v.isUnsigned() ? int64_t(v.ints[i].getZExtValue())
                        : v.ints[i].getSExtValue();
}

FailureOr<Value_> gather(const Value_ &data, const Value_ &indices,
                         RankedTensorType type, int64_t axis) {
  Value_ r = emptyLike(type);
  int64_t q = indices.type.getRank(), dim = data.shape()[axis];
  SmallVector<int64_t> dst = stridesOf(data.shape());
  SmallVector<int64_t> ist = stridesOf(indices.shape());
  bool bad = false;
  forEachIndex(type.getShape(), [&](ArrayRef<int64_t> idx, int64_t) {
    int64_t iflat = 0;
    for (int64_t i = 0; i < q; ++i)
      iflat += idx[axis + i] * ist[i];
    int64_t k = intAt(indices, iflat);
    if (k < 0)
      k += dim;
    if (k < 0 || k >= dim) {
      bad = true;
      return;
    }
    int64_t flat = 0;
    for (int64_t i = 0; i < axis; ++i)
      flat += idx[i] * dst[i];
    flat += k * dst[axis];
    for (int64_t i = axis + 1; i < data.type.getRank(); ++i)
      flat += idx[i - 1 + q] * dst[i];
    push(r, data, flat);
  });
  if (bad)
    return failure(); // out of range: the runtime reports it
  return r;
}

FailureOr<Value_> slice(const Value_ &x, RankedTensorType type,
                        ArrayRef<int64_t> axes, const Value_ &starts,
                        const Value_ &steps) {
  SmallVector<int64_t> start(x.type.getRank(), 0), step(x.type.getRank(), 1);
  for (auto [i, a] : llvm::enumerate(axes)) {
    int64_t dim = x.shape()[a], s = intAt(starts, i), st = intAt(steps, i);
    if (s < 0)
      s += dim;
    s = st > 0 ? std::clamp<int64_t>(s, 0, dim) : std::clamp<int64_t>(s, 0, dim - 1);
    start[a] = s;
    step[a] = st;
  }
  Value_ r = emptyLike(type);
  SmallVector<int64_t> st = stridesOf(x.shape());
  forEachIndex(type.getShape(), [&](ArrayRef<int64_t> idx, int64_t) {
    int64_t flat = 0;
    for (size_t i = 0; i < idx.size(); ++i)
      flat += (start[i] + idx[i] * step[i]) * st[i];
    push(r, x, flat);
  });
  return r;
}

FailureOr<Value_> expand(const Value_ &x, RankedTensorType type) {
  Value_ r = emptyLike(type);
  forEachIndex(type.getShape(), [&](ArrayRef<int64_t> idx, int64_t) {
    push(r, x, broadcastIndex(idx, x.shape()));
  });
  return r;
}

/// The position in the reduced output of input element `idx`.
int64_t reducedPosition(ArrayRef<int64_t> idx, ArrayRef<int64_t> axes,
                        ArrayRef<int64_t> outStrides) {
  int64_t o = 0, j = 0;
  for (int64_t i = 0; i < int64_t(idx.size()); ++i)
    if (!llvm::is_contained(axes, i))
      o += idx[i] * outStrides[j++];
  return o;
}

/// Float max and min do not depend on the order, NaN winning as in the
/// generated code; float sums and products do, so they are left to the
/// run. The sign of a zero that wins over zeros of both signs is left to
/// the run too: its vector min/max keeps either one.
FailureOr<Value_> reduceFloatMaxMin(const Value_ &x, RankedTensorType type,
                                    ArrayRef<int64_t> axes,
                                    ArrayRef<int64_t> outShape, bool isMax) {
  int64_t n = staticProduct(outShape);
  SmallVector<std::optional<APFloat>> acc(n);
  SmallVector<bool> positiveZero(n), negativeZero(n);
  SmallVector<int64_t> ost = stridesOf(outShape);
  forEachIndex(x.shape(), [&](ArrayRef<int64_t> idx, int64_t flat) {
    int64_t o = reducedPosition(idx, axes, ost);
    const APFloat &v = x.floats[flat];
    if (v.isZero())
      (v.isNegative() ? negativeZero : positiveZero)[o] = true;
    std::optional<APFloat> &a = acc[o];
    a = !a ? v : isMax ? llvm::maximum(*a, v) : llvm::minimum(*a, v);
  });
  Value_ r = emptyLike(type);
  for (auto [o, a] : llvm::enumerate(acc)) {
    if (!a)
      return failure(); // an empty reduction: the run's -inf / +inf
    if (a->isZero() && positiveZero[o] && negativeZero[o])
      return failure();
    r.floats.push_back(*a);
  }
  return r;
}

FailureOr<Value_> reduce(const Value_ &x, RankedTensorType type,
                         ArrayRef<int64_t> axes, StringRef kind) {
  SmallVector<int64_t> outShape;
  for (int64_t i = 0; i < x.type.getRank(); ++i)
    if (!llvm::is_contained(axes, i))
      outShape.push_back(x.shape()[i]);
  if (x.isFloat()) {
    if (kind != "max" && kind != "min")
      return failure();
    return reduceFloatMaxMin(x, type, axes, outShape, kind == "max");
  }
  int64_t n = staticProduct(outShape);
  unsigned w = x.type.getElementTypeBitWidth();
  bool u = x.isUnsigned();
  SmallVector<std::optional<APInt>> acc(n);
  SmallVector<int64_t> ost = stridesOf(outShape);
  forEachIndex(x.shape(), [&](ArrayRef<int64_t> idx, int64_t flat) {
    int64_t o = reducedPosition(idx, axes, ost);
    const APInt &v = x.ints[flat];
    if (!acc[o]) {
      acc[o] = v;
      return;
    }
    APInt &a = *acc[o];
    if (kind == "sum")
      a += v;
    else if (kind == "prod")
      a *= v;
    else if (kind == "max")
      a = (u ? a.ugt(v) : a.sgt(v)) ? a : v;
    else
      a = (u ? a.ult(v) : a.slt(v)) ? a : v;
  });
  Value_ r = emptyLike(type);
  for (auto &a : acc) {
    if (!a) {
      if (kind == "sum")
        a = APInt(w, 0);
      else if (kind == "prod")
        a = APInt(w, 1);
      else
        return failure();
    }
    r.ints.push_back(*a);
  }
  return r;
}

} // namespace

FailureOr<SmallVector<DenseElementsAttr>>
evaluateConstantOp(Operation *op, ArrayRef<ElementsAttr> operands,
                   int64_t maxElements) {
  if (op->getNumResults() != 1)
    return failure();
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!type || !type.hasStaticShape() || type.getNumElements() > maxElements)
    return failure();
  SmallVector<Value_> in;
  for (ElementsAttr a : operands) {
    auto v = read(a);
    if (!v)
      return failure();
    in.push_back(std::move(*v));
  }
  using Cmp = APFloat::cmpResult;
  auto fadd = [](const APFloat &x, const APFloat &y) -> std::optional<APFloat> {
    APFloat r = x;
    r.add(y, APFloat::rmNearestTiesToEven);
    return r;
  };
  auto fsub = [](const APFloat &x, const APFloat &y) -> std::optional<APFloat> {
    APFloat r = x;
    r.subtract(y, APFloat::rmNearestTiesToEven);
    return r;
  };
  auto fmul = [](const APFloat &x, const APFloat &y) -> std::optional<APFloat> {
    APFloat r = x;
    r.multiply(y, APFloat::rmNearestTiesToEven);
    return r;
  };
  auto fdiv = [](const APFloat &x, const APFloat &y) -> std::optional<APFloat> {
    APFloat r = x;
    r.divide(y, APFloat::rmNearestTiesToEven);
    return r;
  };
  FailureOr<Value_> r = failure();
  llvm::TypeSwitch<Operation *>(op)
      .Case([&](AddOp) {
        r = binary(type, in[0], in[1],
                   [](const APInt &a, const APInt &b, bool) { return a + b; }, fadd);
      })
      .Case([&](SubOp) {
        r = binary(type, in[0], in[1],
                   [](const APInt &a, const APInt &b, bool) { return a - b; }, fsub);
      })
      .Case([&](MulOp) {
        r = binary(type, in[0], in[1],
                   [](const APInt &a, const APInt &b, bool) { return a * b; }, fmul);
      })
      .Case([&](DivOp) {
        r = binary(type, in[0], in[1],
                   [](const APInt &a, const APInt &b, bool u) -> std::optional<APInt> {
                     // As the generated code does: 0 for a zero divisor.
                     if (b.isZero())
                       return APInt::getZero(a.getBitWidth());
                     return u ? a.udiv(b) : a.sdiv(b);
                   },
                   fdiv);
      })
      .Case([&](ModOp m) {
        bool fmod = m.getFmod();
        r = binary(type, in[0], in[1],
                   [fmod](const APInt &a, const APInt &b,
                          bool u) -> std::optional<APInt> {
                     if (b.isZero())
                       return APInt::getZero(a.getBitWidth());
                     if (u)
                       return a.urem(b);
                     APInt rem = a.srem(b);
                     if (!fmod && !rem.isZero() && (rem.isNegative() != b.isNegative()))
                       rem += b;
                     return rem;
                   },
                   nullptr);
      })
      .Case([&](MinOp) {
        r = binary(type, in[0], in[1],
                   [](const APInt &a, const APInt &b, bool u) {
                     return std::optional<APInt>((u ? a.ult(b) : a.slt(b)) ? a : b);
                   },
                   [](const APFloat &a, const APFloat &b) {
                     return std::optional<APFloat>(llvm::minimum(a, b));
                   });
      })
      .Case([&](MaxOp) {
        r = binary(type, in[0], in[1],
                   [](const APInt &a, const APInt &b, bool u) {
                     return std::optional<APInt>((u ? a.ugt(b) : a.sgt(b)) ? a : b);
                   },
                   [](const APFloat &a, const APFloat &b) {
                     return std::optional<APFloat>(llvm::maximum(a, b));
                   });
      })
      .Case([&](AndOp) {
        r = binary(type, in[0], in[1],
                   [](const APInt &a, const APInt &b, bool) { return a & b; }, nullptr);
      })
      .Case([&](OrOp) {
        r = binary(type, in[0], in[1],
                   [](const APInt &a, const APInt &b, bool) { return a | b; }, nullptr);
      })
      .Case([&](XorOp) {
        r = binary(type, in[0], in[1],
                   [](const APInt &a, const APInt &b, bool) { return a ^ b; }, nullptr);
      })
      .Case([&](EqualOp) {
        r = compare(type, in[0], in[1],
                    [](Cmp c) { return c == APFloat::cmpEqual; },
                    [](const APInt &a, const APInt &b, bool) { return a == b; });
      })
      .Case([&](LessOp) {
        r = compare(type, in[0], in[1],
                    [](Cmp c) { return c == APFloat::cmpLessThan; },
                    [](const APInt &a, const APInt &b, bool u) {
                      return u ? a.ult(b) : a.slt(b);
                    });
      })
      .Case([&](LessEqualOp) {
        r = compare(type, in[0], in[1],
                    [](Cmp c) { return c == APFloat::cmpLessThan || c == APFloat::cmpEqual; },
                    [](const APInt &a, const APInt &b, bool u) {
                      return u ? a.ule(b) : a.sle(b);
                    });
      })
      .Case([&](GreaterOp) {
        r = compare(type, in[0], in[1],
                    [](Cmp c) { return c == APFloat::cmpGreaterThan; },
                    [](const APInt &a, const APInt &b, bool u) {
                      return u ? a.ugt(b) : a.sgt(b);
                    });
      })
      .Case([&](GreaterEqualOp) {
        r = compare(type, in[0], in[1],
                    [](Cmp c) { return c == APFloat::cmpGreaterThan || c == APFloat::cmpEqual; },
                    [](const APInt &a, const APInt &b, bool u) {
                      return u ? a.uge(b) : a.sge(b);
                    });
      })
      .Case([&](NotOp) {
        Value_ v = in[0];
        for (APInt &i : v.ints)
          i.flipAllBits();
        r = v;
      })
      .Case([&](NegOp) {
        Value_ v = in[0];
        for (APInt &i : v.ints)
          i.negate();
        for (APFloat &f : v.floats)
          f.changeSign();
        r = v;
      })
      .Case([&](AbsOp) {
        Value_ v = in[0];
        if (!v.isUnsigned())
          for (APInt &i : v.ints)
            i = i.abs();
        for (APFloat &f : v.floats)
          f.clearSign();
        r = v;
      })
      .Case([&](WhereOp) {
        Value_ v = emptyLike(type);
        forEachIndex(type.getShape(), [&](ArrayRef<int64_t> idx, int64_t) {
          bool c = !in[0].ints[broadcastIndex(idx, in[0].shape())].isZero();
          const Value_ &src = c ? in[1] : in[2];
          push(v, src, broadcastIndex(idx, src.shape()));
        });
        r = v;
      })
      .Case([&](CastOp c) { r = castValue(in[0], type, c.getTruncateBf16()); })
      .Case([&](ReshapeOp) { r = retype(in[0], type); })
      .Case([&](FlattenOp) { r = retype(in[0], type); })
      .Case([&](SqueezeOp s) {
        if (!s.getDynamicAxes())
          r = retype(in[0], type);
      })
      .Case([&](UnsqueezeOp s) {
        if (!s.getDynamicAxes())
          r = retype(in[0], type);
      })
      .Case([&](TransposeOp t) { r = transpose(in[0], type, t.getPerm()); })
      .Case([&](ConcatOp c) { r = concat(in, type, c.getAxis()); })
      .Case([&](GatherOp g) { r = gather(in[0], in[1], type, g.getAxis()); })
      .Case([&](SliceOp s) {
        if (!s.getDynamicAxes())
          r = slice(in[0], type, s.getAxes(), in[1], in[3]);
      })
      .Case([&](ExpandOp) { r = expand(in[0], type); })
      .Case([&](ConstantOfShapeOp c) {
        Value_ v = emptyLike(type);
        Attribute value = c.getValue();
        for (int64_t i = 0; i < type.getNumElements(); ++i) {
          if (auto f = dyn_cast<FloatAttr>(value))
            v.floats.push_back(f.getValue());
          else
            v.ints.push_back(cast<IntegerAttr>(value).getValue());
        }
        r = v;
      })
      .Case([&](RangeOp) {
        if (in[0].isFloat())
          return;
        Value_ v = emptyLike(type);
        APInt x = in[0].ints[0];
        for (int64_t i = 0; i < type.getNumElements(); ++i, x += in[2].ints[0])
          v.ints.push_back(x);
        r = v;
      })
      .Case([&](ShapeOp s) {
        Value_ v = emptyLike(type);
        for (int64_t i = s.getStart(); i < s.getEnd(); ++i)
          v.ints.push_back(APInt(64, in[0].shape()[i], true));
        r = v;
      })
      .Case([&](ReduceSumOp o) {
        if (!o.getDynamicAxes())
          r = reduce(in[0], type, o.getAxes(), "sum");
      })
      .Case([&](ReduceProdOp o) {
        if (!o.getDynamicAxes())
          r = reduce(in[0], type, o.getAxes(), "prod");
      })
      .Case([&](ReduceMaxOp o) {
        if (!o.getDynamicAxes())
          r = reduce(in[0], type, o.getAxes(), "max");
      })
      .Case([&](ReduceMinOp o) {
        if (!o.getDynamicAxes())
          r = reduce(in[0], type, o.getAxes(), "min");
      });
  if (failed(r) || r->size() != type.getNumElements())
    return failure();
  r->type = type;
  return SmallVector<DenseElementsAttr>{write(*r)};
}

} // namespace kiln
