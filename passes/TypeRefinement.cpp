//===- TypeRefinement.cpp - re-inferring an op's result types -------------===//
#include "passes/TypeRefinement.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

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

} // namespace

LogicalResult inferResultTypes(Operation *op, SmallVectorImpl<Type> &types) {
  auto infer = dyn_cast<InferTypeOpInterface>(op);
  if (!infer)
    return failure();
  return infer.inferReturnTypes(op->getContext(), op->getLoc(), op->getOperands(),
                                op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
                                op->getRegions(), types);
}

LogicalResult refineResultTypes(Operation *op) {
  if (!isa<InferTypeOpInterface>(op))
    return success();
  SmallVector<Type> types;
  if (failed(inferResultTypes(op, types)))
    return failure();
  for (auto [res, inferred] : llvm::zip(op->getResults(), types)) {
    Type t = refine(res.getType(), inferred);
    if (!t)
      return op->emitOpError() << "inferred type " << inferred
                               << " contradicts " << res.getType();
    res.setType(t);
  }
  return success();
}

void updateFunctionResultTypes(Operation *root) {
  root->walk([](func::FuncOp f) {
    if (f.isExternal())
      return;
    auto ret = cast<func::ReturnOp>(f.getBody().back().getTerminator());
    f.setFunctionType(FunctionType::get(f.getContext(), f.getArgumentTypes(),
                                        ret.getOperandTypes()));
  });
}

} // namespace kiln
