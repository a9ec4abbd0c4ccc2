//===- InferShapes.cpp - refine result types from type inference ----------===//
#include "dialects/kiln/KilnDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace kiln {
#define GEN_PASS_DEF_INFERSHAPES
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// The more precise of two compatible tensor types; null if they conflict.
Type refine(Type current, Type inferred) {
  auto c = dyn_cast<RankedTensorType>(current);
  auto i = dyn_cast<RankedTensorType>(inferred);
  if (!c || !i)
    return current == inferred ? current : Type();
  if (c.getRank() != i.getRank() || c.getElementType() != i.getElementType())
    return nullptr;
  SmallVector<int64_t> shape;
  for (auto [dc, di] : llvm::zip(c.getShape(), i.getShape())) {
    if (!ShapedType::isDynamic(dc) && !ShapedType::isDynamic(di) && dc != di)
      return nullptr;
    shape.push_back(ShapedType::isDynamic(dc) ? di : dc);
  }
  return c.clone(shape);
}

struct InferShapesPass : impl::InferShapesBase<InferShapesPass> {
  void runOnOperation() override {
    WalkResult result = getOperation().walk([&](Operation *op) {
      auto infer = dyn_cast<InferTypeOpInterface>(op);
      if (!infer || !isa<KilnDialect>(op->getDialect()))
        return WalkResult::advance();
      SmallVector<Type> types;
      if (failed(infer.inferReturnTypes(
              op->getContext(), op->getLoc(), op->getOperands(),
              op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
              op->getRegions(), types)))
        return WalkResult::interrupt();
      for (auto [res, inferred] : llvm::zip(op->getResults(), types)) {
        Type t = refine(res.getType(), inferred);
        if (!t) {
          op->emitOpError() << "inferred type " << inferred
                            << " contradicts " << res.getType();
          return WalkResult::interrupt();
        }
        res.setType(t);
      }
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
    // Function signatures follow their returned values.
    getOperation().walk([](func::FuncOp f) {
      if (f.isExternal())
        return;
      auto ret = cast<func::ReturnOp>(f.getBody().back().getTerminator());
      f.setFunctionType(FunctionType::get(f.getContext(), f.getArgumentTypes(),
                                          ret.getOperandTypes()));
    });
  }
};

} // namespace
} // namespace kiln
