//===- Folding.cpp - evaluating kiln ops on constants ---------------------===//
#include "passes/Folding.h"
#include "dialects/kiln/ConstantEvaluator.h"
#include "dialects/kiln/ConstantUtils.h"
#include "dialects/kiln/FloatEvaluator.h"
#include "dialects/kiln/KilnDialect.h"

using namespace mlir;

namespace kiln {
namespace {
/// The element-by-element evaluator holds an APInt/APFloat per element:
/// exact for every type but heavy, so it only takes small results; big
/// float tensors go through the native FloatEvaluator.
constexpr int64_t kExactEvaluatorLimit = 1 << 16;

} // namespace

/// The op's results evaluated, or failure when it can't be folded.
FailureOr<SmallVector<ElementsAttr>> evaluateOp(Operation *op, int64_t maxElements) {
  for (Type t : op->getResultTypes()) {
    auto rt = dyn_cast<RankedTensorType>(t);
    if (!rt || !rt.hasStaticShape() || rt.getNumElements() > maxElements)
      return failure();
  }
  SmallVector<ElementsAttr> operands;
  SmallVector<Attribute> operandAttrs;
  for (Value v : op->getOperands()) {
    operands.push_back(getConstantValue(v));
    operandAttrs.push_back(operands.back());
  }
  // The op's own folder first: some results depend only on operand types
  // (kiln.shape of a static tensor), whatever the operands' values.
  SmallVector<OpFoldResult> folded;
  if (succeeded(op->fold(operandAttrs, folded)) &&
      folded.size() == op->getNumResults() &&
      llvm::all_of(folded, [](OpFoldResult r) {
        return isa_and_nonnull<ElementsAttr>(dyn_cast<Attribute>(r));
      })) {
    SmallVector<ElementsAttr> results;
    for (OpFoldResult r : folded)
      results.push_back(cast<ElementsAttr>(cast<Attribute>(r)));
    return results;
  }
  if (llvm::any_of(operands, [](ElementsAttr a) { return !a; }))
    return failure();
  auto fast = evaluateFloatOp(op, operands, maxElements);
  if (succeeded(fast))
    return SmallVector<ElementsAttr>{*fast};
  auto exact = evaluateConstantOp(op, operands,
                                  std::min(maxElements, kExactEvaluatorLimit));
  if (failed(exact))
    return failure();
  SmallVector<ElementsAttr> results;
  for (DenseElementsAttr d : *exact)
    results.push_back(d);
  return results;
}


Value foldNow(RewriterBase &rewriter, Operation *op, int64_t maxElements) {
  auto results = evaluateOp(op, maxElements);
  if (failed(results) || op->getNumResults() != 1)
    return op->getNumResults() == 1 ? op->getResult(0) : Value();
  rewriter.setInsertionPoint(op);
  Value c = ConstantOp::create(rewriter, op->getLoc(), (*results)[0]);
  rewriter.replaceOp(op, c);
  return c;
}

} // namespace kiln
