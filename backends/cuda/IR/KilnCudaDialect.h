//===- KilnCudaDialect.h - the kiln_cuda dialect ----------------*- C++ -*-===//
#ifndef KILN_BACKENDS_CUDA_IR_KILNCUDADIALECT_H
#define KILN_BACKENDS_CUDA_IR_KILNCUDADIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "backends/cuda/IR/KilnCudaOpsDialect.h.inc"

#define GET_OP_CLASSES
#include "backends/cuda/IR/KilnCudaOps.h.inc"

namespace kiln::cuda {

/// Attaches one-shot bufferization to the kiln_cuda ops.
void registerBufferizationInterfaces(mlir::DialectRegistry &registry);

/// True for a memref whose elements are densely packed in row-major order
/// (any offset): what the library wrappers take.
bool isDenseRowMajor(mlir::MemRefType type);

} // namespace kiln::cuda

#endif // KILN_BACKENDS_CUDA_IR_KILNCUDADIALECT_H
