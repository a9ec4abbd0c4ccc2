//===- TensorOps.cpp - type rules of data-movement ops --------------------===//
#include "dialects/kiln/ConstantUtils.h"
#include "dialects/kiln/InferUtils.h"
#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/ShapeUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace kiln {

//===----------------------------------------------------------------------===//
// Constant
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location>,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &results) {
  results.push_back(adaptor.getValue().getType());
  return success();
}

LogicalResult ConstantOp::verify() {
  if (getValue().getType() != getType())
    return emitOpError() << "value type " << getValue().getType()
                         << " differs from result type " << getType();
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// Reshape
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  RankedTensorType in = tensorType(adaptor.getInput());
  FailureOr<int64_t> rank =
      vectorLength(loc, adaptor.getShape(), "the target shape");
  if (failed(rank))
    return failure();
  auto values = getConstantIntValues(adaptor.getShape());
  if (!values) {
    results.push_back(RankedTensorType::get(
        SmallVector<int64_t>(*rank, kDynamic), in.getElementType()));
    return success();
  }
  bool allowZero = adaptor.getAllowZero();
  SmallVector<int64_t> out;
  int64_t inferred = -1;
  for (auto [i, v] : llvm::enumerate(*values)) {
    if (v == 0 && !allowZero) {
      if (int64_t(i) >= in.getRank())
        return emitOptionalError(loc, "shape entry ", i,
                                 " is 0 (copy) but the input has rank ",
                                 in.getRank());
      out.push_back(in.getDimSize(i));
    } else if (v == -1) {
      if (inferred >= 0)
        return emitOptionalError(loc, "more than one -1 in the target shape");
      inferred = i;
      out.push_back(kDynamic);
    } else if (v < -1) {
      return emitOptionalError(loc, "invalid target dimension ", v);
    } else {
      out.push_back(v);
    }
  }
  int64_t inCount = staticProduct(in.getShape());
  if (inferred >= 0) {
    SmallVector<int64_t> others(out);
    others.erase(others.begin() + inferred);
    int64_t known = staticProduct(others);
    if (!isDynamic(inCount) && !isDynamic(known)) {
      if (known == 0 ? inCount != 0 : inCount % known != 0)
        return emitOptionalError(loc, "cannot reshape ",
                                 shapeToString(in.getShape()), " to ",
                                 shapeToString(out), ": element counts");
      out[inferred] = known == 0 ? 0 : inCount / known;
    }
  } else {
    int64_t outCount = staticProduct(out);
    if (!isDynamic(inCount) && !isDynamic(outCount) && inCount != outCount)
      return emitOptionalError(loc, "cannot reshape ",
                               shapeToString(in.getShape()), " (", inCount,
                               " elements) to ", shapeToString(out), " (",
                               outCount, " elements)");
  }
  results.push_back(RankedTensorType::get(out, in.getElementType()));
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType() && getType().hasStaticShape())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// Transpose, Flatten, Squeeze, Unsqueeze
//===----------------------------------------------------------------------===//

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  RankedTensorType in = tensorType(adaptor.getInput());
  ArrayRef<int64_t> perm = adaptor.getPerm();
  if (int64_t(perm.size()) != in.getRank())
    return emitOptionalError(loc, "perm has ", perm.size(),
                             " entries for rank ", in.getRank());
  SmallVector<bool> seen(perm.size(), false);
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= in.getRank() || seen[p])
      return emitOptionalError(loc, "perm is not a permutation");
    seen[p] = true;
    shape.push_back(in.getDimSize(p));
  }
  results.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  for (auto [i, p] : llvm::enumerate(getPerm()))
    if (int64_t(i) != p)
      return {};
  return getInput();
}

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  RankedTensorType in = tensorType(adaptor.getInput());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis > in.getRank())
    return emitOptionalError(loc, "axis ", axis, " out of range [0, ",
                             in.getRank(), "]");
  results.push_back(RankedTensorType::get(
      {staticProduct(in.getShape().take_front(axis)),
       staticProduct(in.getShape().drop_front(axis))},
      in.getElementType()));
  return success();
}

/// Checks that `axes` are unique and in [0, rank).
static LogicalResult checkAxes(std::optional<Location> loc,
                               ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<bool> seen(rank, false);
  for (int64_t a : axes) {
    if (a < 0 || a >= rank)
      return emitOptionalError(loc, "axis ", a, " out of range for rank ",
                               rank);
    if (seen[a])
      return emitOptionalError(loc, "axis ", a, " repeated");
    seen[a] = true;
  }
  return success();
}

/// The number of entries of a dynamic-axes operand, which must be known.
static FailureOr<int64_t> dynamicAxesCount(std::optional<Location> loc,
                                           Value axes,
                                           ArrayRef<int64_t> staticAxes) {
  auto t = cast<RankedTensorType>(axes.getType());
  if (t.getRank() != 1 || t.isDynamicDim(0) || !staticAxes.empty())
    return emitOptionalError(loc, "dynamic axes must be a 1-D tensor of known "
                                  "length, with no static axes");
  return t.getDimSize(0);
}

LogicalResult SqueezeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  RankedTensorType in = tensorType(adaptor.getInput());
  if (Value dynamic = adaptor.getDynamicAxes()) {
    auto k = dynamicAxesCount(loc, dynamic, adaptor.getAxes());
    if (failed(k) || *k > in.getRank())
      return emitOptionalError(loc, "bad dynamic axes");
    results.push_back(RankedTensorType::get(
        SmallVector<int64_t>(in.getRank() - *k, kDynamic), in.getElementType()));
    return success();
  }
  if (failed(checkAxes(loc, adaptor.getAxes(), in.getRank())))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < in.getRank(); ++i) {
    int64_t d = in.getDimSize(i);
    if (!llvm::is_contained(adaptor.getAxes(), i)) {
      shape.push_back(d);
    } else if (d != 1 && !isDynamic(d)) {
      return emitOptionalError(loc, "cannot squeeze dimension ", i,
                               " of size ", d);
    }
  }
  results.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult UnsqueezeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  RankedTensorType in = tensorType(adaptor.getInput());
  if (Value dynamic = adaptor.getDynamicAxes()) {
    auto k = dynamicAxesCount(loc, dynamic, adaptor.getAxes());
    if (failed(k))
      return failure();
    results.push_back(RankedTensorType::get(
        SmallVector<int64_t>(in.getRank() + *k, kDynamic), in.getElementType()));
    return success();
  }
  int64_t rank = in.getRank() + adaptor.getAxes().size();
  if (failed(checkAxes(loc, adaptor.getAxes(), rank)))
    return failure();
  SmallVector<int64_t> shape;
  int64_t next = 0;
  for (int64_t i = 0; i < rank; ++i)
    shape.push_back(llvm::is_contained(adaptor.getAxes(), i)
                        ? 1
                        : in.getDimSize(next++));
  results.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Concat, Gather, Slice
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  if (adaptor.getInputs().empty())
    return emitOptionalError(loc, "needs at least one input");
  RankedTensorType first = tensorType(adaptor.getInputs().front());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= first.getRank())
    return emitOptionalError(loc, "axis ", axis, " out of range for rank ",
                             first.getRank());
  SmallVector<int64_t> shape(first.getShape());
  for (Value v : adaptor.getInputs().drop_front()) {
    RankedTensorType t = tensorType(v);
    if (t.getRank() != first.getRank() ||
        t.getElementType() != first.getElementType())
      return emitOptionalError(loc, "inputs differ in rank or element type: ",
                               first, " vs ", t);
    for (int64_t i = 0; i < t.getRank(); ++i) {
      int64_t d = t.getDimSize(i);
      if (i == axis) {
        shape[i] = isDynamic(shape[i]) || isDynamic(d) ? kDynamic : shape[i] + d;
      } else if (isDynamic(shape[i])) {
        shape[i] = d;
      } else if (!isDynamic(d) && d != shape[i]) {
        return emitOptionalError(loc, "inputs differ in dimension ", i, ": ",
                                 shape[i], " vs ", d);
      }
    }
  }
  results.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  RankedTensorType data = tensorType(adaptor.getData());
  RankedTensorType indices = tensorType(adaptor.getIndices());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= data.getRank())
    return emitOptionalError(loc, "axis ", axis, " out of range for rank ",
                             data.getRank());
  SmallVector<int64_t> shape(data.getShape().take_front(axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, data.getShape().drop_front(axis + 1));
  results.push_back(RankedTensorType::get(shape, data.getElementType()));
  return success();
}

/// Gather(Shape(x), constant indices) where every dimension it picks is
/// static: PyTorch exports `x.squeeze(d)` on a dimension it cannot see as
/// If(Shape(x)[d] == 1, ...), and the If can only be resolved at compile
/// time once this is a constant. Out-of-range indices are left to the run.
OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  auto shape = getData().getDefiningOp<ShapeOp>();
  auto indices = dyn_cast_or_null<ElementsAttr>(adaptor.getIndices());
  if (!shape || !indices || !getType().hasStaticShape())
    return {};
  auto picked = getIntValues(indices);
  if (!picked)
    return {};
  ArrayRef<int64_t> dims = shape.getDims();
  SmallVector<APInt> values;
  for (int64_t i : *picked) {
    if (i < 0)
      i += int64_t(dims.size());
    if (i < 0 || i >= int64_t(dims.size()) || ShapedType::isDynamic(dims[i]))
      return {};
    values.push_back(APInt(64, dims[i], /*isSigned=*/true));
  }
  return DenseElementsAttr::get(getType(), values);
}

/// ONNX Slice: the number of elements taken from a dimension of size `dim`.
static int64_t sliceLength(int64_t dim, int64_t start, int64_t end,
                           int64_t step) {
  auto clamp = [](int64_t v, int64_t lo, int64_t hi) {
    return std::max(lo, std::min(hi, v));
  };
  if (start < 0)
    start += dim;
  if (end < 0)
    end += dim;
  if (step > 0) {
    start = clamp(start, 0, dim);
    end = clamp(end, 0, dim);
    return end > start ? (end - start + step - 1) / step : 0;
  }
  start = clamp(start, 0, dim - 1);
  end = clamp(end, -1, dim - 1);
  return start > end ? (start - end - step - 1) / -step : 0;
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  RankedTensorType in = tensorType(adaptor.getInput());
  ArrayRef<int64_t> axes = adaptor.getAxes();
  if (Value dynamic = adaptor.getDynamicAxes()) {
    if (failed(dynamicAxesCount(loc, dynamic, axes)))
      return failure();
    results.push_back(RankedTensorType::get(
        SmallVector<int64_t>(in.getRank(), kDynamic), in.getElementType()));
    return success();
  }
  if (failed(checkAxes(loc, axes, in.getRank())))
    return failure();
  for (Value v : {adaptor.getStarts(), adaptor.getEnds(), adaptor.getSteps()}) {
    RankedTensorType t = tensorType(v);
    if (t.getRank() != 1 || (!t.isDynamicDim(0) &&
                             t.getDimSize(0) != int64_t(axes.size())))
      return emitOptionalError(loc, "starts, ends and steps need one entry "
                                    "per axis (",
                               axes.size(), "), got ", t);
  }
  auto starts = getConstantIntValues(adaptor.getStarts());
  auto ends = getConstantIntValues(adaptor.getEnds());
  auto steps = getConstantIntValues(adaptor.getSteps());
  if (steps && llvm::is_contained(*steps, 0))
    return emitOptionalError(loc, "slice step 0");
  SmallVector<int64_t> shape(in.getShape());
  for (auto [i, axis] : llvm::enumerate(axes)) {
    int64_t dim = in.getDimSize(axis);
    if (!starts || !ends || !steps || isDynamic(dim))
      shape[axis] = kDynamic;
    else
      shape[axis] = sliceLength(dim, (*starts)[i], (*ends)[i], (*steps)[i]);
  }
  results.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Shape
//===----------------------------------------------------------------------===//

LogicalResult ShapeOp::inferReturnTypes(MLIRContext *ctx,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  RankedTensorType in = tensorType(adaptor.getInput());
  int64_t start = adaptor.getStart(), end = adaptor.getEnd();
  if (start < 0 || end > in.getRank() || start > end)
    return emitOptionalError(loc, "bad range [", start, ", ", end,
                             ") for rank ", in.getRank());
  results.push_back(RankedTensorType::get(
      {end - start}, IntegerType::get(ctx, 64, IntegerType::Signed)));
  return success();
}

OpFoldResult ShapeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> dims = getDims();
  if (llvm::any_of(dims, isDynamic))
    return {};
  SmallVector<APInt> values;
  for (int64_t d : dims)
    values.push_back(APInt(64, d, /*isSigned=*/true));
  return DenseElementsAttr::get(getType(), values);
}

} // namespace kiln
