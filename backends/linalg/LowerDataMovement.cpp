//===- LowerDataMovement.cpp - constants, concat, gather, slice -----------===//
#include "backends/linalg/LoweringUtils.h"
#include "backends/linalg/Patterns.h"
#include "dialects/kiln/ConstantUtils.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace kiln::lowering {
namespace {

/// The same constant with a signless element type (same bits).
static ElementsAttr toSignlessAttr(ElementsAttr attr) {
  auto type = cast<RankedTensorType>(attr.getType());
  auto signless = cast<RankedTensorType>(toSignless(type));
  if (signless == type)
    return attr;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr))
    return dense.bitcast(signless.getElementType());
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr))
    return DenseResourceElementsAttr::get(signless, resource.getRawHandle());
  return nullptr;
}

struct ConstantLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    ElementsAttr value = toSignlessAttr(op.getValue());
    if (!value)
      return rewriter.notifyMatchFailure(op, "unsupported constant attribute");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, value.getType(),
                                                   cast<TypedAttr>(value));
    return success();
  }
};

/// OneShotBufferize analyses a chain of tensor.insert_slice ops, each into
/// the previous one's result, in time cubic in its length: a Concat of 300
/// inputs took 137 s to bufferize. Longer concats are built in two levels
/// (each element then copied twice).
constexpr size_t kMaxInsertChain = 32;

/// The sum of the `axis` sizes of `dims`, folded where all are constant.
OpFoldResult sumOf(OpBuilder &b, Location loc,
                   ArrayRef<SmallVector<OpFoldResult>> dims, int64_t axis) {
  int64_t constant = 0;
  Value dynamic;
  for (const auto &d : dims) {
    if (auto c = getConstantIntValue(d[axis])) {
      constant += *c;
      continue;
    }
    Value v = indexValue(b, loc, d[axis]);
    dynamic = dynamic ? arith::AddIOp::create(b, loc, dynamic, v).getResult() : v;
  }
  if (!dynamic)
    return b.getIndexAttr(constant);
  if (constant == 0)
    return dynamic;
  return arith::AddIOp::create(b, loc, dynamic,
                               arith::ConstantIndexOp::create(b, loc, constant))
      .getResult();
}

/// A new tensor of sizes `dims` holding `parts` (of sizes `partDims`) one
/// after the other along `axis`: a chain of insert_slice ops.
Value insertAlong(OpBuilder &b, Location loc, ArrayRef<Value> parts,
                  ArrayRef<SmallVector<OpFoldResult>> partDims,
                  ArrayRef<OpFoldResult> dims, int64_t axis, Type element) {
  int64_t rank = dims.size();
  Value result = emptyTensor(b, loc, dims, element);
  OpFoldResult offset = b.getIndexAttr(0);
  for (auto [v, vDims] : llvm::zip(parts, partDims)) {
    SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
    offsets[axis] = offset;
    SmallVector<OpFoldResult> sizes(dims);
    sizes[axis] = vDims[axis];
    SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
    // The slice's type has the result's static sizes, which a part may
    // leave dynamic (or know where the result does not): cast it, the
    // caller having compared the sizes at run time.
    SmallVector<int64_t> sliceShape;
    for (OpFoldResult s : sizes)
      sliceShape.push_back(getConstantIntValue(s).value_or(ShapedType::kDynamic));
    Value slice =
        castTo(b, loc, v, cast<RankedTensorType>(v.getType()).clone(sliceShape));
    result = tensor::InsertSliceOp::create(b, loc, slice, result, offsets,
                                           sizes, strides);
    auto co = getConstantIntValue(offset), cs = getConstantIntValue(vDims[axis]);
    offset = co && cs ? b.getIndexAttr(*co + *cs)
                      : OpFoldResult(arith::AddIOp::create(
                            b, loc, indexValue(b, loc, offset),
                            indexValue(b, loc, vDims[axis])));
  }
  return result;
}

struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    int64_t axis = op.getAxis();
    RankedTensorType type = op.getType();
    ValueRange inputs = adaptor.getInputs();
    SmallVector<OpFoldResult> dims = getDims(b, loc, inputs.front());
    // Non-axis sizes: the result's static ones, else the first input's, and
    // every input must agree.
    for (int64_t i = 0; i < type.getRank(); ++i)
      if (i != axis && !type.isDynamicDim(i))
        dims[i] = b.getIndexAttr(type.getDimSize(i));
    Value total = arith::ConstantIndexOp::create(b, loc, 0);
    SmallVector<SmallVector<OpFoldResult>> inDims;
    for (Value v : inputs) {
      inDims.push_back(getDims(b, loc, v));
      total = arith::AddIOp::create(b, loc, total,
                                    indexValue(b, loc, inDims.back()[axis]));
      for (int64_t i = 0; i < type.getRank(); ++i) {
        if (i == axis || getConstantIntValue(inDims.back()[i]))
          continue;
        Value eq = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                         indexValue(b, loc, inDims.back()[i]),
                                         indexValue(b, loc, dims[i]));
        runtimeCheck(b, loc, op, eq, "inputs differ in a non-axis dimension");
      }
    }
    dims[axis] = type.isDynamicDim(axis)
                     ? OpFoldResult(total)
                     : b.getIndexAttr(type.getDimSize(axis));
    Type element = toSignless(type.getElementType());
    SmallVector<Value> parts(inputs.begin(), inputs.end());
    // Wide concats in two levels: groups of about sqrt(n) inputs, then the
    // groups (see insertAlong).
    if (parts.size() > kMaxInsertChain) {
      size_t n = parts.size();
      size_t group = static_cast<size_t>(std::ceil(std::sqrt(double(n))));
      SmallVector<Value> groups;
      SmallVector<SmallVector<OpFoldResult>> groupDims;
      for (size_t first = 0; first < n; first += group) {
        size_t last = std::min(n, first + group);
        SmallVector<OpFoldResult> gDims(dims);
        gDims[axis] = sumOf(b, loc, ArrayRef(inDims).slice(first, last - first), axis);
        groups.push_back(insertAlong(b, loc, ArrayRef(parts).slice(first, last - first),
                                     ArrayRef(inDims).slice(first, last - first),
                                     gDims, axis, element));
        groupDims.push_back(gDims);
      }
      parts = groups;
      inDims = groupDims;
    }
    Value result = insertAlong(b, loc, parts, inDims, dims, axis, element);
    rewriter.replaceOp(op, castTo(b, loc, result, toSignless(type)));
    return success();
  }
};

/// Turns a possibly negative index into [0, size), checking its range.
static Value normalizeIndex(OpBuilder &b, Location loc, Operation *op,
                            Value index, Value size, StringRef what) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, index, zero);
  index = arith::SelectOp::create(
      b, loc, negative, arith::AddIOp::create(b, loc, index, size), index);
  Value inRange = arith::AndIOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, index, zero),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, index, size));
  runtimeCheck(b, loc, op, inRange, what);
  return index;
}

struct GatherLowering : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    int64_t axis = op.getAxis();
    SmallVector<OpFoldResult> dDims = getDims(b, loc, data);
    SmallVector<OpFoldResult> iDims = getDims(b, loc, indices);
    int64_t q = iDims.size(), r = dDims.size();
    SmallVector<OpFoldResult> outDims(dDims.begin(), dDims.begin() + axis);
    outDims.append(iDims);
    outDims.append(dDims.begin() + axis + 1, dDims.end());
    int64_t rank = outDims.size();
    MLIRContext *ctx = b.getContext();
    SmallVector<AffineExpr> idxExprs;
    for (int64_t i = 0; i < q; ++i)
      idxExprs.push_back(getAffineDimExpr(axis + i, ctx));
    Value axisSize = indexValue(b, loc, dDims[axis]);
    Type element = toSignless(op.getType().getElementType());
    Value init = emptyTensor(b, loc, outDims, element);
    Value result =
        linalg::GenericOp::create(
            b, loc, TypeRange{init.getType()}, ValueRange{indices},
            ValueRange{init},
            ArrayRef<AffineMap>{AffineMap::get(rank, 0, idxExprs, ctx),
                                b.getMultiDimIdentityMap(rank)},
            SmallVector<utils::IteratorType>(rank,
                                             utils::IteratorType::parallel),
            [&](OpBuilder &gb, Location gl, ValueRange args) {
              Value idx = arith::IndexCastOp::create(gb, gl, gb.getIndexType(),
                                                     args[0]);
              idx = normalizeIndex(gb, gl, op, idx, axisSize,
                                   "gather index out of range");
              SmallVector<Value> at;
              for (int64_t i = 0; i < axis; ++i)
                at.push_back(linalg::IndexOp::create(gb, gl, i));
              at.push_back(idx);
              for (int64_t i = axis + 1; i < r; ++i)
                at.push_back(linalg::IndexOp::create(gb, gl, i - 1 + q));
              linalg::YieldOp::create(
                  gb, gl, tensor::ExtractOp::create(gb, gl, data, at).getResult());
            })
            .getResult(0);
    rewriter.replaceOp(op, castTo(b, loc, result, toSignless(op.getType())));
    return success();
  }
};

/// ONNX Slice: clamped start and element count per sliced axis, computed at
/// run time (canonicalisation folds them when the operands are constants).
struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank();
    SmallVector<OpFoldResult> dims = getDims(b, loc, x);
    SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes(dims);
    SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
    SmallVector<Value> startValues(rank), stepValues(rank);
    bool positiveSteps = true;
    // Known-positive steps allow a strided view instead of a gather.
    auto steps = getConstantIntValues(op.getSteps());
    auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
    auto read = [&](Value t, int64_t i) -> Value {
      Value v = tensor::ExtractOp::create(b, loc, t, ValueRange{c(i)});
      return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
    };
    // The raw (start, end, step) of every sliced dimension: with static axes
    // straight from the operands; with axes known only at run time, each
    // dimension picks the entry whose axis names it (or takes all of it).
    SmallVector<Value> rawStart(rank), rawEnd(rank), rawStep(rank);
    if (Value dynamicAxes = adaptor.getDynamicAxes()) {
      int64_t k = cast<RankedTensorType>(dynamicAxes.getType()).getDimSize(0);
      SmallVector<Value> axisValues;
      for (int64_t i = 0; i < k; ++i) {
        Value a = read(dynamicAxes, i);
        Value isNeg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                            a, c(0));
        axisValues.push_back(arith::SelectOp::create(
            b, loc, isNeg, arith::AddIOp::create(b, loc, a, c(rank)), a));
      }
      for (int64_t d = 0; d < rank; ++d) {
        rawStart[d] = c(0);
        rawEnd[d] = c(std::numeric_limits<int64_t>::max());
        rawStep[d] = c(1);
        for (int64_t i = 0; i < k; ++i) {
          Value match = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                              axisValues[i], c(d));
          rawStart[d] = arith::SelectOp::create(b, loc, match,
                                                read(adaptor.getStarts(), i),
                                                rawStart[d]);
          rawEnd[d] = arith::SelectOp::create(b, loc, match,
                                              read(adaptor.getEnds(), i),
                                              rawEnd[d]);
          rawStep[d] = arith::SelectOp::create(b, loc, match,
                                               read(adaptor.getSteps(), i),
                                               rawStep[d]);
        }
      }
      positiveSteps = false;
    } else {
      for (auto [i, axis] : llvm::enumerate(op.getAxes())) {
        rawStart[axis] = read(adaptor.getStarts(), i);
        rawEnd[axis] = read(adaptor.getEnds(), i);
        rawStep[axis] = read(adaptor.getSteps(), i);
        positiveSteps &= steps && (*steps)[i] > 0;
      }
    }
    for (int64_t axis = 0; axis < rank; ++axis) {
      if (!rawStart[axis])
        continue;
      Value dim = indexValue(b, loc, dims[axis]);
      Value start = rawStart[axis], end = rawEnd[axis], step = rawStep[axis];
      runtimeCheck(b, loc, op,
                   arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, step,
                                         c(0)),
                   "slice step is 0");
      auto neg = [&](Value v) {
        return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, v, c(0));
      };
      auto clamp = [&](Value v, Value lo, Value hi) -> Value {
        return arith::MinSIOp::create(b, loc,
                                      arith::MaxSIOp::create(b, loc, v, lo), hi);
      };
      start = arith::SelectOp::create(
          b, loc, neg(start), arith::AddIOp::create(b, loc, start, dim), start);
      end = arith::SelectOp::create(
          b, loc, neg(end), arith::AddIOp::create(b, loc, end, dim), end);
      Value dimMinus1 = arith::SubIOp::create(b, loc, dim, c(1));
      // step > 0: clamp to [0, dim]; step < 0: start to [0, dim-1], end to
      // [-1, dim-1].
      Value posStart = clamp(start, c(0), dim), posEnd = clamp(end, c(0), dim);
      Value negStart = clamp(start, c(0), dimMinus1),
            negEnd = clamp(end, c(-1), dimMinus1);
      Value stepNeg = neg(step);
      start = arith::SelectOp::create(b, loc, stepNeg, negStart, posStart);
      end = arith::SelectOp::create(b, loc, stepNeg, negEnd, posEnd);
      Value span = arith::SubIOp::create(b, loc, end, start);
      Value count = arith::CeilDivSIOp::create(b, loc, span, step);
      count = arith::MaxSIOp::create(b, loc, count, c(0));
      startValues[axis] = start;
      stepValues[axis] = step;
      offsets[axis] = start;
      sizes[axis] = type.isDynamicDim(axis)
                        ? OpFoldResult(count)
                        : b.getIndexAttr(type.getDimSize(axis));
      strides[axis] = step;
    }
    Type element = toSignless(type.getElementType());
    Value result;
    if (positiveSteps) {
      result = tensor::ExtractSliceOp::create(b, loc, x, offsets, sizes,
                                              strides);
    } else {
      // Backward (or unknown) steps: read element by element.
      Value init = emptyTensor(b, loc, sizes, element);
      result = linalg::GenericOp::create(
                   b, loc, TypeRange{init.getType()}, ValueRange{},
                   ValueRange{init},
                   ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank)},
                   SmallVector<utils::IteratorType>(
                       rank, utils::IteratorType::parallel),
                   [&](OpBuilder &gb, Location gl, ValueRange) {
                     SmallVector<Value> at;
                     for (int64_t i = 0; i < rank; ++i) {
                       Value li = linalg::IndexOp::create(gb, gl, i);
                       if (startValues[i])
                         li = arith::AddIOp::create(
                             gb, gl, startValues[i],
                             arith::MulIOp::create(gb, gl, li, stepValues[i]));
                       at.push_back(li);
                     }
                     linalg::YieldOp::create(
                         gb, gl, tensor::ExtractOp::create(gb, gl, x, at).getResult());
                   })
                   .getResult(0);
    }
    rewriter.replaceOp(op, castTo(b, loc, result, toSignless(type)));
    return success();
  }

};

} // namespace

void populateDataMovementLowering(TypeConverter &converter,
                                  RewritePatternSet &patterns) {
  patterns.add<ConstantLowering, ConcatLowering, GatherLowering, SliceLowering>(
      converter, patterns.getContext());
}

} // namespace kiln::lowering
