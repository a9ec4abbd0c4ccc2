//===- KilnLibDialect.h - the kiln_lib dialect ----------------*- C++ -*-===//
#ifndef KILN_BACKENDS_LIBRARY_IR_KILNLIBDIALECT_H
#define KILN_BACKENDS_LIBRARY_IR_KILNLIBDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "backends/library/IR/KilnLibOpsDialect.h.inc"

#define GET_OP_CLASSES
#include "backends/library/IR/KilnLibOps.h.inc"

namespace kiln::lib {

/// Epilogue steps (`post_ops`) that take an operand, and all known ones.
bool isBinaryPostOp(llvm::StringRef name);
bool isKnownPostOp(llvm::StringRef name);

/// Attaches one-shot bufferization to the kiln_lib ops.
void registerBufferizationInterfaces(mlir::DialectRegistry &registry);

/// True for a memref whose elements are densely packed in row-major order
/// (any offset): what the library wrappers take.
bool isDenseRowMajor(mlir::MemRefType type);

/// Whether a library op with this `init` is an integer product (u8 x s8 ->
/// s32, KilnLibOps.td).
bool isIntegerProduct(mlir::Value init);

} // namespace kiln::lib

#endif // KILN_BACKENDS_LIBRARY_IR_KILNLIBDIALECT_H
