//===- RuntimeCalls.h - generated code calling the runtime through a table -*- C++ -*-===//
//
// Artifacts call the runtime's library wrappers (oneDNN on the CPU, cuDNN
// and cuBLAS on CUDA) through a table of function pointers that the artifact
// exports and the runtime fills when it loads it, slot 0 being an opaque
// context passed back to every function. So an artifact has no undefined
// symbols besides libm and loads on any machine; the runtime decides what
// backs each slot. These helpers build that ABI in the LLVM dialect; the
// slots themselves are listed in lib/runtime/{cpu,cuda}/*Abi.h.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_LIBRARY_RUNTIMECALLS_H
#define KILN_BACKENDS_LIBRARY_RUNTIMECALLS_H

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"

namespace kiln::lib {

/// The address of a memref's first element (offset included) as an
/// !llvm.ptr, built from memref/arith ops that convert with the rest.
mlir::Value dataPointer(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value memref);

/// The address of a new internal constant global holding `values`, named
/// `<prefix><n>` with the first free n.
mlir::Value constantI64Array(mlir::OpBuilder &b, mlir::ModuleOp module,
                             mlir::Location loc, llvm::ArrayRef<int64_t> values,
                             llvm::StringRef prefix);

/// The function `name` of type `type`, declared at the module's start if
/// it is not there yet. Calls go to it; defineSlotThunks gives it a body.
mlir::LLVM::LLVMFuncOp declareRuntimeFunction(mlir::ModuleOp module,
                                              llvm::StringRef name,
                                              mlir::LLVM::LLVMFunctionType type);

/// Exports the table `tableSymbol` (an array of `slotNames.size()` null
/// pointers, filled by the runtime) unless the module has it, and defines
/// every declared function (without a body yet)
/// named in `slotNames` (index = slot, slot 0 the context) as an internal
/// thunk that calls through its slot with the context first.
void defineSlotThunks(mlir::ModuleOp module, llvm::StringRef tableSymbol,
                      llvm::ArrayRef<const char *> slotNames);

} // namespace kiln::lib

#endif // KILN_BACKENDS_LIBRARY_RUNTIMECALLS_H
