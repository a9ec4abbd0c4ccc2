//===- KilnDialect.cpp - dialect registration and shared op hooks ---------===//
#include "dialects/kiln/KilnDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"

using namespace mlir;

#include "dialects/kiln/KilnOpsDialect.cpp.inc"

namespace kiln {

void KilnDialect::initialize() { registerOps(); }

void KilnDialect::registerOps() {
  addOperations<
#define GET_OP_LIST
#include "dialects/kiln/KilnOps.cpp.inc"
      >();
}

Operation *KilnDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                            Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, type, elements);
}

bool areCompatibleTensorTypes(TypeRange inferred, TypeRange actual) {
  if (inferred.size() != actual.size())
    return false;
  for (auto [i, a] : llvm::zip(inferred, actual)) {
    auto ti = dyn_cast<RankedTensorType>(i);
    auto ta = dyn_cast<RankedTensorType>(a);
    if (!ti || !ta) {
      if (i != a)
        return false;
      continue;
    }
    if (ti.getElementType() != ta.getElementType() ||
        ti.getRank() != ta.getRank())
      return false;
    for (auto [di, da] : llvm::zip(ti.getShape(), ta.getShape()))
      if (!ShapedType::isDynamic(di) && !ShapedType::isDynamic(da) && di != da)
        return false;
  }
  return true;
}

} // namespace kiln

#define GET_OP_CLASSES
#include "dialects/kiln/KilnOps.cpp.inc"
