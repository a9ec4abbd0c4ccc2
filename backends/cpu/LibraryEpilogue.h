//===- LibraryEpilogue.h - elementwise ops a oneDNN call absorbs -*- C++ -*-===//
//
// The epilogue of a convolution or matrix product on oneDNN: the chain of
// elementwise ops after it, each the only user of the previous value and of
// the same type, that oneDNN runs as post-ops (unary steps such as ReLU,
// GELU or Clip, binary ones such as a residual Add). One definition, used
// by kiln-cpu-select-library-calls to rewrite and by the kernel report to
// predict (a binary step rules out Winograd).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_CPU_LIBRARYEPILOGUE_H
#define KILN_BACKENDS_CPU_LIBRARYEPILOGUE_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"

namespace kiln::cpu {

/// The epilogue collected after a product: steps, their constants, the
/// binary steps' operands, and the last op it replaces.
struct Epilogue {
  llvm::SmallVector<llvm::StringRef> ops;
  llvm::SmallVector<float> args;
  llvm::SmallVector<mlir::Value> operands;
  mlir::Operation *last = nullptr;
};

/// A static-shaped f32 tensor type.
bool isStaticF32(mlir::Type type);
/// An f32 ranked tensor, of any sizes.
bool isF32Ranked(mlir::Type type);

/// Whether `operand` broadcasts to `out` without growing `out`: each of its
/// trailing dimensions is 1 or out's.
bool broadcastsTo(mlir::RankedTensorType operand, mlir::RankedTensorType out);

/// Follows single-use elementwise users of `v` that keep its type, as far
/// as oneDNN has post-ops for them.
Epilogue collectEpilogue(mlir::Value v);

} // namespace kiln::cpu

#endif // KILN_BACKENDS_CPU_LIBRARYEPILOGUE_H
