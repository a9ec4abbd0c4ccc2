//===- KernelLoops.h - the parallel loops that become kernels ---*- C++ -*-===//
#ifndef KILN_BACKENDS_CUDA_KERNELLOOPS_H
#define KILN_BACKENDS_CUDA_KERNELLOOPS_H

#include "mlir/Dialect/SCF/IR/SCF.h"

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

} // namespace kiln::cuda

#endif // KILN_BACKENDS_CUDA_KERNELLOOPS_H
