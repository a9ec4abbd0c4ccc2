//===- KernelLoops.h - the parallel loops that become kernels ---*- C++ -*-===//
#ifndef KILN_BACKENDS_CUDA_KERNELLOOPS_H
#define KILN_BACKENDS_CUDA_KERNELLOOPS_H

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <optional>

namespace kiln::cuda {

/// The outermost scf.parallel loops under `root` (without results): each
/// becomes one launch in kiln-cuda-map-to-gpu, and the passes before it
/// (kiln-cuda-split-reductions, kiln-cuda-vectorize-loops) reshape them.
inline llvm::SmallVector<mlir::scf::ParallelOp>
kernelLoops(mlir::Operation *root) {
  llvm::SmallVector<mlir::scf::ParallelOp> loops;
  root->walk([&](mlir::scf::ParallelOp loop) {
    if (loop.getNumResults() == 0 &&
        !loop->getParentOfType<mlir::scf::ParallelOp>())
      loops.push_back(loop);
  });
  return loops;
}

/// The trip count of a loop dimension that runs from 0 by 1 to a static,
/// positive bound: that bound; nullopt for any other dimension.
inline std::optional<int64_t> zeroBasedExtent(mlir::Value lb, mlir::Value ub,
                                              mlir::Value step) {
  std::optional<int64_t> l = mlir::getConstantIntValue(lb);
  std::optional<int64_t> u = mlir::getConstantIntValue(ub);
  std::optional<int64_t> s = mlir::getConstantIntValue(step);
  if (l != 0 || s != 1 || !u || *u <= 0)
    return std::nullopt;
  return u;
}

} // namespace kiln::cuda

#endif // KILN_BACKENDS_CUDA_KERNELLOOPS_H
