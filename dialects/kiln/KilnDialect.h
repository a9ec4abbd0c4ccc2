//===- KilnDialect.h - the kiln dialect and its ops -------------*- C++ -*-===//
#ifndef KILN_DIALECTS_KILN_KILNDIALECT_H
#define KILN_DIALECTS_KILN_KILNDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace kiln {
/// True when each `actual` type is a tensor type that `inferred` allows: same
/// rank and element type, and static dimensions that agree where both are
/// static. Ops may be more refined than inference.
bool areCompatibleTensorTypes(mlir::TypeRange inferred, mlir::TypeRange actual);
} // namespace kiln

#include "dialects/kiln/KilnOpsDialect.h.inc"

#define GET_OP_CLASSES
#include "dialects/kiln/KilnOps.h.inc"

#endif // KILN_DIALECTS_KILN_KILNDIALECT_H
