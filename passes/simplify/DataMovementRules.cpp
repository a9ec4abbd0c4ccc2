//===- DataMovementRules.cpp - rules on reshapes, transposes, pads... -----===//
//
// Shape-changing ops that move no data, or that undo each other, are
// removed or merged; ops that only reshape become kiln.reshape, so that
// chains of Squeeze/Unsqueeze/Flatten/Reshape collapse into one (or none).
//
//===----------------------------------------------------------------------===//
#include "dialects/kiln/ConstantUtils.h"
#include "dialects/kiln/ShapeUtils.h"
#include "passes/simplify/Rule.h"
#include "passes/simplify/RuleUtils.h"
#include "passes/TypeRefinement.h"

using namespace mlir;

namespace kiln::simplify {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// Replaces `op` (one result) by x when they have the same type.
LogicalResult replaceIfSameType(PatternRewriter &r, Operation *op, Value x) {
  if (x.getType() != op->getResult(0).getType())
    return failure();
  r.replaceOp(op, x);
  return success();
}

bool allEqual(std::optional<SmallVector<int64_t>> values, int64_t x) {
  return values && llvm::all_of(*values, [&](int64_t v) { return v == x; });
}

/// Squeeze, Unsqueeze and Flatten with a static result only reshape.
template <typename OpTy>
LogicalResult toReshape(OpTy op, PatternRewriter &r) {
  auto type = typeOf(op->getResult(0));
  if (!type.hasStaticShape())
    return failure();
  r.replaceOp(op, reshapeTo(r, op.getLoc(), op->getOperand(0), type.getShape()));
  return success();
}

/// pool(concat(x_1..x_n) along channels) -> concat(pool(x_1)..pool(x_n)):
/// pooling never mixes channels, so each part pools alone, and the concat
/// moves the (smaller) pooled parts; a convolution reading the concat can
/// then take it apart too (conv-split-concat-input).
template <typename PoolOp>
LogicalResult poolThroughConcat(PoolOp op, PatternRewriter &r) {
  auto concat = op.getInput().template getDefiningOp<ConcatOp>();
  if (!concat || !op.getInput().hasOneUse())
    return failure();
  int64_t rank = typeOf(op.getInput()).getRank();
  int64_t axis = concat.getAxis() < 0 ? concat.getAxis() + rank : concat.getAxis();
  if (rank < 3 || axis != (op.getChannelsLast() ? rank - 1 : 1))
    return failure();
  SmallVector<Value> pooled;
  for (Value x : concat.getInputs()) {
    Operation *part = r.clone(*op);
    part->setOperand(0, x);
    SmallVector<Type> types;
    if (failed(inferResultTypes(part, types))) {
      r.eraseOp(part);
      for (Value v : pooled)
        r.eraseOp(v.getDefiningOp());
      return failure();
    }
    part->getResult(0).setType(types[0]);
    pooled.push_back(part->getResult(0));
  }
  replaceKeepingType(r, op, ConcatOp::create(r, op.getLoc(), pooled, axis));
  return success();
}

} // namespace

void populateDataMovementRules(RewritePatternSet &p) {
  // reshape(reshape(x)) -> reshape(x): only the final shape matters.
  addRule<ReshapeOp>(p, "reshape-chain", [](ReshapeOp op, PatternRewriter &r) {
    auto inner = op.getInput().getDefiningOp<ReshapeOp>();
    if (!inner)
      return failure();
    auto type = typeOf(op);
    if (type.hasStaticShape()) {
      r.replaceOp(op, reshapeTo(r, op.getLoc(), inner.getInput(), type.getShape()));
      return success();
    }
    // A dynamic target is kept as given, unless it copies (0) dimensions of
    // the intermediate shape.
    auto target = getConstantIntValues(op.getShape());
    if (!op.getAllowZero() && (!target || llvm::is_contained(*target, 0)))
      return failure();
    r.modifyOpInPlace(op, [&] { op.getInputMutable().assign(inner.getInput()); });
    return success();
  });
  // reshape to the input's own static shape -> x.
  addRule<ReshapeOp>(p, "reshape-identity", [](ReshapeOp op, PatternRewriter &r) {
    if (!typeOf(op).hasStaticShape())
      return failure();
    return replaceIfSameType(r, op, op.getInput());
  });
  // Squeeze/Unsqueeze/Flatten with static shapes -> reshape (then chains
  // and Squeeze/Unsqueeze pairs collapse through reshape-chain).
  addRule<SqueezeOp>(p, "squeeze-to-reshape", toReshape<SqueezeOp>);
  addRule<UnsqueezeOp>(p, "unsqueeze-to-reshape", toReshape<UnsqueezeOp>);
  addRule<FlattenOp>(p, "flatten-to-reshape", toReshape<FlattenOp>);
  // transpose(transpose(x, p1), p2) -> transpose(x, p1[p2]): composition.
  addRule<TransposeOp>(p, "transpose-transpose", [](TransposeOp op, PatternRewriter &r) {
    Value composed = composeTransposes(r, op);
    if (!composed)
      return failure();
    replaceKeepingType(r, op, composed);
    return success();
  });
  // A transpose that keeps the order of the non-unit dimensions moves no
  // data: a reshape.
  addRule<TransposeOp>(p, "transpose-to-reshape", [](TransposeOp op, PatternRewriter &r) {
    auto in = typeOf(op.getInput());
    if (!in.hasStaticShape() || llvm::equal(op.getPerm(), llvm::seq<int64_t>(0, in.getRank())))
      return failure();
    int64_t last = -1;
    for (int64_t q : op.getPerm()) {
      if (in.getDimSize(q) == 1)
        continue;
      if (q < last)
        return failure();
      last = q;
    }
    r.replaceOp(op, reshapeTo(r, op.getLoc(), op.getInput(), typeOf(op).getShape()));
    return success();
  });
  // expand to the input's own static shape -> x. With a dynamic dimension
  // equal types prove nothing: ?x? may broadcast 3x1 to 3x4 at run time.
  addRule<ExpandOp>(p, "expand-identity", [](ExpandOp op, PatternRewriter &r) {
    if (!typeOf(op).hasStaticShape())
      return failure();
    return replaceIfSameType(r, op, op.getInput());
  });
  // pad by zero everywhere -> x (whatever the mode).
  addRule<PadOp>(p, "pad-zero", [](PadOp op, PatternRewriter &r) {
    if (!allEqual(getConstantIntValues(op.getPads()), 0))
      return failure();
    return replaceIfSameType(r, op, op.getInput());
  });
  // slice of everything (start 0, step 1, same type) -> x.
  addRule<SliceOp>(p, "slice-full", [](SliceOp op, PatternRewriter &r) {
    if (op.getDynamicAxes() || !typeOf(op).hasStaticShape() ||
        !allEqual(getConstantIntValues(op.getStarts()), 0) ||
        !allEqual(getConstantIntValues(op.getSteps()), 1))
      return failure();
    return replaceIfSameType(r, op, op.getInput());
  });
  // tile with every repeat 1 -> x.
  addRule<TileOp>(p, "tile-one", [](TileOp op, PatternRewriter &r) {
    if (!allEqual(getConstantIntValues(op.getRepeats()), 1))
      return failure();
    return replaceIfSameType(r, op, op.getInput());
  });
  addRule<MaxPoolOp>(p, "max-pool-through-concat", poolThroughConcat<MaxPoolOp>);
  addRule<AveragePoolOp>(p, "average-pool-through-concat",
                         poolThroughConcat<AveragePoolOp>);
  // concat of one tensor -> the tensor.
  addRule<ConcatOp>(p, "concat-single", [](ConcatOp op, PatternRewriter &r) {
    if (op.getInputs().size() != 1)
      return failure();
    return replaceIfSameType(r, op, op.getInputs()[0]);
  });
  // Inputs of size 0 along the axis contribute nothing to a concat.
  addRule<ConcatOp>(p, "concat-drop-empty", [](ConcatOp op, PatternRewriter &r) {
    int64_t axis = op.getAxis();
    SmallVector<Value> kept;
    for (Value v : op.getInputs())
      if (typeOf(v).getDimSize(axis) != 0)
        kept.push_back(v);
    if (kept.size() == op.getInputs().size() || kept.empty())
      return failure();
    auto c = ConcatOp::create(r, op.getLoc(), kept, op.getAxis());
    replaceKeepingType(r, op, c);
    return success();
  });
}

} // namespace kiln::simplify
