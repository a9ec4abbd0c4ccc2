//===- LibraryCallSizes.h - library calls' sizes known at run time -*- C++ -*-===//
//
// A product or convolution that goes to oneDNN with sizes known only at
// run time gets its output buffer sized from the operands the call takes:
// the float selection (SelectLibraryCalls.cpp) and the integer one
// (SelectIntegerProducts.cpp) both use these.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_CPU_LIBRARYCALLSIZES_H
#define KILN_BACKENDS_CPU_LIBRARYCALLSIZES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

#include <optional>

namespace kiln {
class ConvOp;
} // namespace kiln

namespace kiln::cpu {

/// An empty tensor of `out`'s type for the product `op` of `lhs` and `rhs`
/// (each transposed or not): rows from `lhs`, columns from `rhs`, batch
/// dimensions broadcast (a 1 takes the other's size, 0 included; other
/// sizes must agree, checked at run time naming `op`).
mlir::Value productInit(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Operation *op, mlir::RankedTensorType out,
                        mlir::Value lhs, mlir::Value rhs, bool transA = false,
                        bool transB = false);

/// An empty tensor of `out`'s type (any element type: a requantized
/// output too) for convolution `conv` run on `input` (the call's input, in
/// the layout and rank `conv` has): the batch `input`'s, each spatial size
/// by the window geometry the generated loops use, checked at run time not
/// to be negative (the failure names `conv`'s node).
mlir::Value convInit(mlir::OpBuilder &b, mlir::Location loc,
                     mlir::RankedTensorType out, ConvOp conv,
                     mlir::Value input);

/// The library convolution's `pads` and `auto_pad` for `conv`: a SAME
/// convolution keeps auto_pad (its padding depends on sizes known only at
/// run time; the frontend resolved every other) and passes zeros. None for
/// an auto_pad the library call does not take.
std::optional<std::pair<llvm::SmallVector<int64_t>, llvm::StringRef>>
libraryPadding(ConvOp conv);

} // namespace kiln::cpu

#endif // KILN_BACKENDS_CPU_LIBRARYCALLSIZES_H
