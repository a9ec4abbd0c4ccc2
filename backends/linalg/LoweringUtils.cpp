//===- LoweringUtils.cpp - building blocks of the kiln -> linalg lowering -===//
#include "backends/linalg/LoweringUtils.h"
#include "dialects/kiln/NodeName.h"
#include "dialects/kiln/ShapeUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

using namespace mlir;

namespace kiln::lowering {

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

ElementKind kindOf(Type t) {
  ElementKind k;
  if (auto f = dyn_cast<FloatType>(t)) {
    k.isFloat = true;
    k.width = f.getWidth();
  } else if (auto i = dyn_cast<IntegerType>(t)) {
    k.width = i.getWidth();
    k.isBool = k.width == 1;
    k.isUnsigned = i.isUnsigned() || k.isBool;
  }
  return k;
}

Type toSignless(Type type) {
  if (auto i = dyn_cast<IntegerType>(type))
    if (!i.isSignless())
      return IntegerType::get(type.getContext(), i.getWidth());
  if (auto t = dyn_cast<RankedTensorType>(type))
    return t.clone(toSignless(t.getElementType()));
  return type;
}

SignlessTypeConverter::SignlessTypeConverter() {
  addConversion([](Type t) { return toSignless(t); });
  auto materialize = [](OpBuilder &b, Type type, ValueRange inputs,
                        Location loc) -> Value {
    return UnrealizedConversionCastOp::create(b, loc, type, inputs)
        .getResult(0);
  };
  addSourceMaterialization(materialize);
  addTargetMaterialization(materialize);
}

//===----------------------------------------------------------------------===//
// Shapes and tensors
//===----------------------------------------------------------------------===//

SmallVector<OpFoldResult> getDims(OpBuilder &b, Location loc, Value tensor) {
  return tensor::getMixedSizes(b, loc, tensor);
}

Value dimValue(OpBuilder &b, Location loc, Value tensor, int64_t dim) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (!type.isDynamicDim(dim))
    return arith::ConstantIndexOp::create(b, loc, type.getDimSize(dim));
  return tensor::DimOp::create(b, loc, tensor, dim);
}

Value indexValue(OpBuilder &b, Location loc, OpFoldResult ofr) {
  return getValueOrCreateConstantIndexOp(b, loc, ofr);
}

OpFoldResult indexAttr(OpBuilder &b, int64_t v) { return b.getIndexAttr(v); }

Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> dims,
                  Type elementType) {
  return tensor::EmptyOp::create(b, loc, dims, elementType);
}

Value filledTensor(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> dims,
                   Value scalar) {
  Value init = emptyTensor(b, loc, dims, scalar.getType());
  return linalg::FillOp::create(b, loc, ValueRange{scalar}, ValueRange{init})
      .getResult(0);
}

OpFoldResult productOf(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> dims) {
  int64_t product = 1;
  bool allStatic = true;
  for (OpFoldResult d : dims) {
    std::optional<int64_t> c = getConstantIntValue(d);
    allStatic &= c.has_value();
    if (c)
      product *= *c;
  }
  if (allStatic)
    return b.getIndexAttr(product);
  Value p = arith::ConstantIndexOp::create(b, loc, 1);
  for (OpFoldResult d : dims)
    p = arith::MulIOp::create(b, loc, p, indexValue(b, loc, d));
  return p;
}

RankedTensorType typeForDims(ArrayRef<OpFoldResult> dims, Type elementType) {
  SmallVector<int64_t> shape;
  for (OpFoldResult d : dims) {
    std::optional<int64_t> c = getConstantIntValue(d);
    shape.push_back(c ? *c : ShapedType::kDynamic);
  }
  return RankedTensorType::get(shape, elementType);
}

SmallVector<ReassociationIndices> unitDimGroups(int64_t fullRank,
                                                ArrayRef<int64_t> unitDims) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (int64_t i = 0; i < fullRank; ++i) {
    pending.push_back(i);
    if (!llvm::is_contained(unitDims, i)) {
      groups.push_back(pending);
      pending.clear();
    }
  }
  if (!pending.empty() && !groups.empty())
    groups.back().append(pending.begin(), pending.end());
  return groups;
}

Value castTo(OpBuilder &b, Location loc, Value v, Type type) {
  if (v.getType() == type)
    return v;
  return tensor::CastOp::create(b, loc, type, v);
}

Value reshapeTo(OpBuilder &b, Location loc, Value v,
                ArrayRef<OpFoldResult> dims,
                std::optional<ArrayRef<ReassociationIndices>> groups) {
  auto src = cast<RankedTensorType>(v.getType());
  RankedTensorType dst = typeForDims(dims, src.getElementType());
  if (src == dst && src.hasStaticShape())
    return v;
  SmallVector<ReassociationIndices> inferred;
  if (!groups && src.hasStaticShape() && dst.hasStaticShape() &&
      src.getRank() != dst.getRank()) {
    auto re = src.getRank() > dst.getRank()
                  ? getReassociationIndicesForCollapse(src.getShape(),
                                                       dst.getShape())
                  : getReassociationIndicesForCollapse(dst.getShape(),
                                                       src.getShape());
    if (re) {
      inferred = *re;
      groups = ArrayRef<ReassociationIndices>(inferred);
    }
  }
  if (groups && src.getRank() > dst.getRank()) {
    Value c = tensor::CollapseShapeOp::create(b, loc, v, *groups);
    return castTo(b, loc, c, dst);
  }
  // MLIR 22's expand-strided-metadata crashes on expand_shape groups with
  // more than one dynamic size: those go through tensor.reshape instead.
  auto expandable = [&](ArrayRef<ReassociationIndices> gs) {
    for (const ReassociationIndices &g : gs) {
      int dynamic = 0;
      for (int64_t j : g)
        dynamic += dst.isDynamicDim(j);
      if (dynamic > 1)
        return false;
    }
    return true;
  };
  if (groups && src.getRank() < dst.getRank() && expandable(*groups)) {
    // A dynamic source dimension that expands into static ones is first
    // cast to its (then known) size, as expand_shape requires.
    SmallVector<int64_t> srcShape(src.getShape());
    for (auto [i, group] : llvm::enumerate(*groups)) {
      int64_t product = 1;
      for (int64_t j : group)
        product = ShapedType::isDynamic(product) || dst.isDynamicDim(j)
                      ? ShapedType::kDynamic
                      : product * dst.getDimSize(j);
      if (!ShapedType::isDynamic(product))
        srcShape[i] = product;
    }
    v = castTo(b, loc, v, src.clone(srcShape));
    return tensor::ExpandShapeOp::create(b, loc, dst, v, *groups, dims);
  }
  SmallVector<Value> sizes;
  for (OpFoldResult d : dims)
    sizes.push_back(indexValue(b, loc, d));
  auto shapeType =
      RankedTensorType::get({int64_t(sizes.size())}, b.getIndexType());
  Value shape = tensor::FromElementsOp::create(b, loc, shapeType, sizes);
  return tensor::ReshapeOp::create(b, loc, dst, v, shape);
}

//===----------------------------------------------------------------------===//
// Scalars
//===----------------------------------------------------------------------===//

Value scalarConstant(OpBuilder &b, Location loc, Type type, double value) {
  if (auto f = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(f, value));
  if (type.isIndex())
    return arith::ConstantIndexOp::create(b, loc, int64_t(value));
  auto i = cast<IntegerType>(type);
  if (i.getWidth() == 1)
    return arith::ConstantOp::create(b, loc, b.getIntegerAttr(i, value != 0));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(i, APInt(i.getWidth(), int64_t(value), true)));
}

static Value extremeValue(OpBuilder &b, Location loc, Type type,
                          const ElementKind &kind, bool lowest) {
  if (auto f = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(f, APFloat::getInf(f.getFloatSemantics(), lowest)));
  unsigned w = kind.width;
  APInt v = kind.isUnsigned
                ? (lowest ? APInt::getMinValue(w) : APInt::getMaxValue(w))
                : (lowest ? APInt::getSignedMinValue(w)
                          : APInt::getSignedMaxValue(w));
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, v));
}

Value lowestValue(OpBuilder &b, Location loc, Type type,
                  const ElementKind &kind) {
  return extremeValue(b, loc, type, kind, true);
}

Value highestValue(OpBuilder &b, Location loc, Type type,
                   const ElementKind &kind) {
  return extremeValue(b, loc, type, kind, false);
}

Value castScalar(OpBuilder &b, Location loc, Value v, Type fromKiln,
                 Type toKiln) {
  if (fromKiln == toKiln)
    return v;
  ElementKind from = kindOf(fromKiln), to = kindOf(toKiln);
  Type toType = toSignless(toKiln);
  if (to.isBool) {
    if (from.isFloat)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, v,
                                   scalarConstant(b, loc, v.getType(), 0));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, v,
                                 scalarConstant(b, loc, v.getType(), 0));
  }
  if (from.isFloat && to.isFloat) {
    if (from.width < to.width)
      return arith::ExtFOp::create(b, loc, toType, v);
    if (from.width > to.width)
      return arith::TruncFOp::create(b, loc, toType, v);
    // f16 <-> bf16: through f32.
    Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), v);
    return arith::TruncFOp::create(b, loc, toType, wide);
  }
  if (from.isFloat)
    return to.isUnsigned ? (Value)arith::FPToUIOp::create(b, loc, toType, v)
                         : (Value)arith::FPToSIOp::create(b, loc, toType, v);
  if (to.isFloat)
    return from.isUnsigned ? (Value)arith::UIToFPOp::create(b, loc, toType, v)
                           : (Value)arith::SIToFPOp::create(b, loc, toType, v);
  if (from.width < to.width)
    return from.isUnsigned ? (Value)arith::ExtUIOp::create(b, loc, toType, v)
                           : (Value)arith::ExtSIOp::create(b, loc, toType, v);
  if (from.width > to.width)
    return arith::TruncIOp::create(b, loc, toType, v);
  return v; // same width, other signedness: same bits
}

Value addScalars(OpBuilder &b, Location loc, const ElementKind &k, Value x,
                 Value y) {
  if (k.isFloat)
    return arith::AddFOp::create(b, loc, x, y);
  if (k.isBool)
    return arith::OrIOp::create(b, loc, x, y);
  return arith::AddIOp::create(b, loc, x, y);
}

Value mulScalars(OpBuilder &b, Location loc, const ElementKind &k, Value x,
                 Value y) {
  if (k.isFloat)
    return arith::MulFOp::create(b, loc, x, y);
  if (k.isBool)
    return arith::AndIOp::create(b, loc, x, y);
  return arith::MulIOp::create(b, loc, x, y);
}

Value maxScalars(OpBuilder &b, Location loc, const ElementKind &k, Value x,
                 Value y) {
  if (k.isFloat)
    return arith::MaximumFOp::create(b, loc, x, y);
  if (k.isUnsigned)
    return arith::MaxUIOp::create(b, loc, x, y);
  return arith::MaxSIOp::create(b, loc, x, y);
}

Value minScalars(OpBuilder &b, Location loc, const ElementKind &k, Value x,
                 Value y) {
  if (k.isFloat)
    return arith::MinimumFOp::create(b, loc, x, y);
  if (k.isUnsigned)
    return arith::MinUIOp::create(b, loc, x, y);
  return arith::MinSIOp::create(b, loc, x, y);
}

Value indexToElement(OpBuilder &b, Location loc, Value index, Type type,
                     const ElementKind &k) {
  Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
  if (k.isFloat)
    return arith::SIToFPOp::create(b, loc, type, i64);
  if (k.width < 64)
    return arith::TruncIOp::create(b, loc, type, i64);
  return i64;
}

//===----------------------------------------------------------------------===//
// Run-time checks
//===----------------------------------------------------------------------===//

std::string describeNode(Operation *op) {
  if (auto name = nodeNameOf(op->getLoc()))
    return *name;
  return "op '" + op->getName().getStringRef().str() + "'";
}

void runtimeCheck(OpBuilder &b, Location loc, Operation *op, Value cond,
                  StringRef message) {
  cf::AssertOp::create(b, loc, cond, describeNode(op) + ": " + message.str());
}

void checkSizes(OpBuilder &b, Location loc, Operation *op,
                ArrayRef<OpFoldResult> dims) {
  auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  auto cmp = [&](arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y).getResult();
  };
  if (llvm::all_of(dims, [](OpFoldResult d) { return isa<Attribute>(d); }))
    return;
  Value limit = c(kMaxElements), zero = c(0), one = c(1);
  Value count = one;
  for (OpFoldResult d : dims) {
    Value v = indexValue(b, loc, d);
    if (isa<Value>(d))
      runtimeCheck(b, loc, op, cmp(arith::CmpIPredicate::sge, v, zero),
                   "a size computed at run time is negative");
    // count * v <= limit, as count <= limit / v (v = 0 always fits).
    Value divisor = arith::MaxSIOp::create(b, loc, v, one);
    Value fits = arith::OrIOp::create(
        b, loc, cmp(arith::CmpIPredicate::eq, v, zero),
        cmp(arith::CmpIPredicate::sle, count,
            arith::DivSIOp::create(b, loc, limit, divisor)));
    runtimeCheck(b, loc, op, fits,
                 "a size computed at run time makes a tensor of more than "
                 "2^56 elements");
    count = arith::MulIOp::create(b, loc, count, v);
  }
}

//===----------------------------------------------------------------------===//
// Elementwise with broadcasting
//===----------------------------------------------------------------------===//

SmallVector<OpFoldResult>
broadcastDimLists(OpBuilder &b, Location loc, Operation *op,
                  ArrayRef<SmallVector<OpFoldResult>> lists,
                  ArrayRef<int64_t> resultShape) {
  int64_t rank = resultShape.size();
  SmallVector<OpFoldResult> out;
  for (int64_t j = 0; j < rank; ++j) {
    // The operand dimensions aligned with output dimension j.
    SmallVector<OpFoldResult> dims;
    for (const SmallVector<OpFoldResult> &list : lists) {
      int64_t i = j - (rank - int64_t(list.size()));
      if (i >= 0)
        dims.push_back(list[i]);
    }
    if (!ShapedType::isDynamic(resultShape[j])) {
      out.push_back(indexAttr(b, resultShape[j]));
    } else {
      // out = the first dimension that is not 1, else 1.
      Value cur;
      for (OpFoldResult d : dims) {
        std::optional<int64_t> c = getConstantIntValue(d);
        if (c && *c == 1)
          continue;
        Value dv = indexValue(b, loc, d);
        if (!cur) {
          cur = dv;
          continue;
        }
        Value one = arith::ConstantIndexOp::create(b, loc, 1);
        Value curIsOne = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                               cur, one);
        cur = arith::SelectOp::create(b, loc, curIsOne, dv, cur);
      }
      out.push_back(cur ? OpFoldResult(cur) : indexAttr(b, 1));
    }
    // Every dynamic operand dimension must be 1 or the output's.
    for (OpFoldResult d : dims) {
      if (getConstantIntValue(d) || d == out.back())
        continue;
      Value outV = indexValue(b, loc, out.back());
      Value dv = indexValue(b, loc, d);
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      Value eq = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, dv,
                                       outV);
      Value isOne = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                          dv, one);
      runtimeCheck(b, loc, op, arith::OrIOp::create(b, loc, eq, isOne),
                   "operand shapes do not broadcast");
    }
  }
  return out;
}

SmallVector<OpFoldResult> broadcastDims(OpBuilder &b, Location loc,
                                        Operation *op, ValueRange operands,
                                        ArrayRef<int64_t> resultShape) {
  SmallVector<SmallVector<OpFoldResult>> lists;
  for (Value v : operands)
    lists.push_back(getDims(b, loc, v));
  return broadcastDimLists(b, loc, op, lists, resultShape);
}

/// True when `ofr` is `tensor.dim %v, %i` (or the same static size): then
/// the operand's dimension is by construction the output's.
static bool isDimOf(OpFoldResult ofr, Value v, int64_t i) {
  auto val = dyn_cast<Value>(ofr);
  if (!val)
    return false;
  auto dim = val.getDefiningOp<tensor::DimOp>();
  if (!dim || dim.getSource() != v)
    return false;
  std::optional<int64_t> idx = dim.getConstantIndex();
  return idx && *idx == i;
}

Value resolveRuntimeBroadcast(OpBuilder &b, Location loc, Value operand,
                              ArrayRef<OpFoldResult> outDims) {
  auto type = cast<RankedTensorType>(operand.getType());
  int64_t rank = type.getRank(), offset = outDims.size() - rank;
  SmallVector<int64_t> maybe;
  for (int64_t i = 0; i < rank; ++i) {
    if (!type.isDynamicDim(i))
      continue;
    std::optional<int64_t> o = getConstantIntValue(outDims[offset + i]);
    if ((o && *o == 1) || isDimOf(outDims[offset + i], operand, i))
      continue;
    maybe.push_back(i);
  }
  if (maybe.empty())
    return operand;

  // Broadcast (copy) only if some maybe-dimension differs from the output.
  Value needed;
  SmallVector<Value> opDims;
  for (int64_t i = 0; i < rank; ++i)
    opDims.push_back(dimValue(b, loc, operand, i));
  for (int64_t i : maybe) {
    Value ne = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                     opDims[i],
                                     indexValue(b, loc, outDims[offset + i]));
    needed = needed ? (Value)arith::OrIOp::create(b, loc, needed, ne) : ne;
  }
  SmallVector<OpFoldResult> target;
  for (int64_t i = 0; i < rank; ++i)
    target.push_back(llvm::is_contained(maybe, i) ? outDims[offset + i]
                                                  : OpFoldResult(opDims[i]));
  for (int64_t i = 0; i < rank; ++i)
    if (!type.isDynamicDim(i))
      target[i] = indexAttr(b, type.getDimSize(i));
  SmallVector<int64_t> shape(type.getShape());
  RankedTensorType resultType = type; // the maybe dims are dynamic already
  auto ifOp = scf::IfOp::create(
      b, loc, needed,
      [&](OpBuilder &tb, Location l) {
        Value init = emptyTensor(tb, l, target, type.getElementType());
        auto id = tb.getMultiDimIdentityMap(rank);
        auto gen = linalg::GenericOp::create(
            tb, l, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
            ArrayRef<AffineMap>{id},
            SmallVector<utils::IteratorType>(rank,
                                             utils::IteratorType::parallel),
            [&](OpBuilder &gb, Location gl, ValueRange) {
              Value zero = arith::ConstantIndexOp::create(gb, gl, 0);
              Value one = arith::ConstantIndexOp::create(gb, gl, 1);
              SmallVector<Value> idx;
              for (int64_t i = 0; i < rank; ++i) {
                Value li = linalg::IndexOp::create(gb, gl, i);
                if (llvm::is_contained(maybe, i)) {
                  Value isOne = arith::CmpIOp::create(
                      gb, gl, arith::CmpIPredicate::eq, opDims[i], one);
                  li = arith::SelectOp::create(gb, gl, isOne, zero, li);
                }
                idx.push_back(li);
              }
              Value x = tensor::ExtractOp::create(gb, gl, operand, idx);
              linalg::YieldOp::create(gb, gl, x);
            });
        scf::YieldOp::create(tb, l,
                             castTo(tb, l, gen.getResult(0), resultType));
      },
      [&](OpBuilder &eb, Location l) {
        scf::YieldOp::create(eb, l, operand);
      });
  return ifOp.getResult(0);
}

AffineMap broadcastMap(MLIRContext *ctx, RankedTensorType operandType,
                       ArrayRef<OpFoldResult> outDims) {
  int64_t rank = outDims.size(), offset = rank - operandType.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < operandType.getRank(); ++i) {
    std::optional<int64_t> o = getConstantIntValue(outDims[offset + i]);
    bool broadcast = operandType.getDimSize(i) == 1 && !(o && *o == 1);
    exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx)
                              : getAffineDimExpr(offset + i, ctx));
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

Value broadcastTo(OpBuilder &b, Location loc, Value operand,
                  ArrayRef<OpFoldResult> outDims) {
  Value r = resolveRuntimeBroadcast(b, loc, operand, outDims);
  int64_t rank = outDims.size();
  Type element = cast<RankedTensorType>(r.getType()).getElementType();
  Value init = emptyTensor(b, loc, outDims, element);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{r}, ValueRange{init},
             ArrayRef<AffineMap>{broadcastMap(b.getContext(),
                                              cast<RankedTensorType>(r.getType()),
                                              outDims),
                                 b.getMultiDimIdentityMap(rank)},
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [](OpBuilder &gb, Location gl, ValueRange args) {
               linalg::YieldOp::create(gb, gl, args[0]);
             })
      .getResult(0);
}

Value generateTensor(
    OpBuilder &b, Location loc, ArrayRef<OpFoldResult> outDims, Type element,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  int64_t rank = outDims.size();
  Value init = emptyTensor(b, loc, outDims, element);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
             ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank)},
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &gb, Location gl, ValueRange) {
               SmallVector<Value> idx;
               for (int64_t i = 0; i < rank; ++i)
                 idx.push_back(linalg::IndexOp::create(gb, gl, i));
               linalg::YieldOp::create(gb, gl, body(gb, gl, idx));
             })
      .getResult(0);
}

Value extractIndex(OpBuilder &b, Location loc, Value tensor, int64_t i) {
  Value v = tensor::ExtractOp::create(
      b, loc, tensor, ValueRange{arith::ConstantIndexOp::create(b, loc, i)});
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}

Value extractScalar(OpBuilder &b, Location loc, Value tensor) {
  auto t = cast<RankedTensorType>(tensor.getType());
  SmallVector<Value> zeros(t.getRank(),
                           arith::ConstantIndexOp::create(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, tensor, zeros);
}

Value buildElementwise(OpBuilder &b, Location loc, Operation *op,
                       ValueRange operands, ArrayRef<int64_t> resultShape,
                       Type resultElement, ScalarBody body) {
  SmallVector<OpFoldResult> outDims =
      broadcastDims(b, loc, op, operands, resultShape);
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (Value v : operands) {
    Value r = resolveRuntimeBroadcast(b, loc, v, outDims);
    inputs.push_back(r);
    maps.push_back(broadcastMap(b.getContext(),
                                cast<RankedTensorType>(r.getType()), outDims));
  }
  int64_t rank = outDims.size();
  maps.push_back(b.getMultiDimIdentityMap(rank));
  Value init = emptyTensor(b, loc, outDims, resultElement);
  auto gen = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &gb, Location gl, ValueRange args) {
        Value r = body(gb, gl, args.drop_back());
        linalg::YieldOp::create(gb, gl, r);
      });
  return gen.getResult(0);
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

AffineMap dropDimsMap(MLIRContext *ctx, int64_t rank, ArrayRef<int64_t> axes) {
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i)
    if (!llvm::is_contained(axes, i))
      exprs.push_back(getAffineDimExpr(i, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

Value buildReduction(OpBuilder &b, Location loc, Value input,
                     ArrayRef<int64_t> axes, Value initValue,
                     CombineFn combine) {
  SmallVector<OpFoldResult> dims = getDims(b, loc, input);
  int64_t rank = dims.size();
  SmallVector<OpFoldResult> outDims;
  SmallVector<utils::IteratorType> iters;
  for (int64_t i = 0; i < rank; ++i) {
    bool reduced = llvm::is_contained(axes, i);
    if (!reduced)
      outDims.push_back(dims[i]);
    iters.push_back(reduced ? utils::IteratorType::reduction
                            : utils::IteratorType::parallel);
  }
  Value init = filledTensor(b, loc, outDims, initValue);
  MLIRContext *ctx = b.getContext();
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{input},
             ValueRange{init},
             ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank),
                                 dropDimsMap(ctx, rank, axes)},
             iters,
             [&](OpBuilder &gb, Location gl, ValueRange args) {
               linalg::YieldOp::create(gb, gl,
                                       combine(gb, gl, args[0], args[1]));
             })
      .getResult(0);
}

Value countWhere(OpBuilder &b, Location loc, Value t,
                 function_ref<Value(OpBuilder &, Location, Value)> pred) {
  auto type = cast<RankedTensorType>(t.getType());
  int64_t rank = type.getRank();
  Value init = filledTensor(b, loc, {}, scalarConstant(b, loc, b.getI64Type(), 0));
  MLIRContext *ctx = b.getContext();
  Value count =
      linalg::GenericOp::create(
          b, loc, TypeRange{init.getType()}, ValueRange{t}, ValueRange{init},
          ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank),
                              AffineMap::get(rank, 0, {}, ctx)},
          SmallVector<utils::IteratorType>(rank, utils::IteratorType::reduction),
          [&](OpBuilder &gb, Location gl, ValueRange a) {
            Value one = arith::ExtUIOp::create(gb, gl, gb.getI64Type(),
                                               pred(gb, gl, a[0]));
            linalg::YieldOp::create(gb, gl,
                                    arith::AddIOp::create(gb, gl, a[1], one).getResult());
          })
          .getResult(0);
  return arith::IndexCastOp::create(
      b, loc, b.getIndexType(),
      tensor::ExtractOp::create(b, loc, count, ValueRange{}));
}

} // namespace kiln::lowering
