//===- LoopBuilders.h - sequential loops over tensors -------------*- C++ -*-===//
//
// The lowerings whose work is sequential (scatters, data-sized results,
// sorting) are scf loops carrying tensors as iteration arguments, updated
// with tensor.insert; bufferization turns them into in-place stores.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_LINALG_LOOPBUILDERS_H
#define KILN_BACKENDS_LINALG_LOOPBUILDERS_H

#include "mlir/IR/Builders.h"

namespace kiln::lowering {

/// Builds the body of a loop: gets the induction variables and the current
/// iteration values, returns the next ones.
using LoopBody = llvm::function_ref<llvm::SmallVector<mlir::Value>(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange ivs,
    mlir::ValueRange iterArgs)>;

mlir::Value cIndex(mlir::OpBuilder &b, mlir::Location loc, int64_t v);

/// `v` (any integer) as an index.
mlir::Value toIndex(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v);

/// A loop nest from 0 to `ubs` carrying `iterArgs`.
llvm::SmallVector<mlir::Value> loopNest(mlir::OpBuilder &b, mlir::Location loc,
                                        mlir::ValueRange ubs,
                                        mlir::ValueRange iterArgs,
                                        LoopBody body);

/// `cond ? then() : current` for a list of values.
llvm::SmallVector<mlir::Value>
ifThen(mlir::OpBuilder &b, mlir::Location loc, mlir::Value cond,
       mlir::ValueRange current,
       llvm::function_ref<llvm::SmallVector<mlir::Value>(mlir::OpBuilder &,
                                                         mlir::Location)>
           then);

/// The sizes of the ranked tensor `t`, as index values.
llvm::SmallVector<mlir::Value> dimValues(mlir::OpBuilder &b,
                                         mlir::Location loc, mlir::Value t);

} // namespace kiln::lowering

#endif // KILN_BACKENDS_LINALG_LOOPBUILDERS_H
