//===- ControlFlowOps.cpp - kiln.if and kiln.loop: invariants -------------===//
//
// Types that flow along a control edge (a yield into a result, an init or a
// yield into a block argument) need only be compatible, not equal: passes
// refine the types of the ops inside a region (a dimension becomes static)
// without revisiting the region op, and the lowering to scf inserts the
// casts.
//
//===----------------------------------------------------------------------===//
#include "dialects/kiln/KilnDialect.h"

using namespace mlir;

namespace kiln {

/// Checks that `actual` (what flows in) is compatible with `expected`.
static LogicalResult checkFlow(Operation *op, TypeRange actual,
                               TypeRange expected, StringRef what) {
  if (actual.size() != expected.size())
    return op->emitOpError() << what << ": " << actual.size()
                             << " values for " << expected.size();
  for (auto [i, types] : llvm::enumerate(llvm::zip(actual, expected)))
    if (!areCompatibleTensorTypes(std::get<0>(types), std::get<1>(types)))
      return op->emitOpError()
             << what << " #" << i << ": " << std::get<0>(types)
             << " is not compatible with " << std::get<1>(types);
  return success();
}

static YieldOp yieldOf(Region &region) {
  return cast<YieldOp>(region.front().getTerminator());
}

LogicalResult IfOp::verify() {
  for (Region *r : {&getThenBranch(), &getElseBranch()})
    if (failed(checkFlow(*this, yieldOf(*r).getValues().getTypes(),
                         getResultTypes(),
                         r == &getThenBranch() ? "then branch yields"
                                               : "else branch yields")))
      return failure();
  return success();
}

LogicalResult LoopOp::verify() {
  Block &body = getBody().front();
  size_t carried = getInits().size();
  if (getNumResults() < carried)
    return emitOpError() << "has " << getNumResults() << " results for "
                         << carried << " loop-carried values";
  if (body.getNumArguments() != carried + 2)
    return emitOpError() << "body takes " << body.getNumArguments()
                         << " arguments; expected the iteration number, the "
                            "condition and "
                         << carried << " loop-carried values";
  auto ctx = getContext();
  Type iterType =
      RankedTensorType::get({}, IntegerType::get(ctx, 64, IntegerType::Signed));
  Type condType = RankedTensorType::get({}, IntegerType::get(ctx, 1));
  if (body.getArgument(0).getType() != iterType ||
      body.getArgument(1).getType() != condType)
    return emitOpError() << "body arguments 0 and 1 must be " << iterType
                         << " and " << condType;
  TypeRange argTypes = TypeRange(body.getArgumentTypes()).drop_front(2);
  if (failed(checkFlow(*this, getInits().getTypes(), argTypes,
                       "initial value")))
    return failure();
  YieldOp yield = yieldOf(getBody());
  if (yield.getValues().size() != getNumResults() + 1)
    return emitOpError() << "body yields " << yield.getValues().size()
                         << " values; expected the condition and "
                         << getNumResults() << " more";
  TypeRange yielded = yield.getValues().getTypes();
  if (yielded.front() != condType)
    return emitOpError() << "body must yield the condition as " << condType;
  if (failed(checkFlow(*this, yielded.slice(1, carried), argTypes,
                       "body yields loop-carried value")) ||
      failed(checkFlow(*this, TypeRange(getResultTypes()).take_front(carried), argTypes,
                       "result")))
    return failure();
  for (auto [i, pair] : llvm::enumerate(llvm::zip(
           yielded.drop_front(1 + carried), TypeRange(getResultTypes()).drop_front(carried)))) {
    auto elem = cast<RankedTensorType>(std::get<0>(pair));
    auto stacked = cast<RankedTensorType>(std::get<1>(pair));
    if (stacked.getRank() != elem.getRank() + 1 ||
        !areCompatibleTensorTypes(
            elem, RankedTensorType::get(stacked.getShape().drop_front(),
                                        stacked.getElementType())))
      return emitOpError() << "scan output #" << i << " of type " << stacked
                           << " does not stack elements of type " << elem;
  }
  return success();
}

} // namespace kiln
