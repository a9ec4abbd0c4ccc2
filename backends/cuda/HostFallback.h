//===- HostFallback.h - run a group of memory accesses on the host -*- C++ -*-===//
//
// With --allow-cpu-fallback, kiln-cuda-map-to-gpu runs on the CPU the
// sequential work whose results the host needs (a data-dependent size, a
// loop condition, a scalar that later kernels take), instead of rejecting
// the model. Every buffer is device memory, so that work gets host copies:
//
//   %h = gpu.alloc host_shared (sizes of %d) : type(%d)   // host memory
//   gpu.memcpy %h, %d        // only if the group reads %d, or writes it
//                            // and an earlier op may have written it
//   ... the group's ops, on %h (views of %d rebuilt on %h) ...
//   gpu.memcpy %d, %h        // only if the group writes %d and a later op
//                            // (a kernel, the caller) may read it
//   gpu.dealloc %h
//
// Copies are per buffer the group touches (views share their buffer's
// copy); globals are host memory already and are read in place. A
// synchronous gpu.memcpy from the device waits for the stream, so the
// group sees what earlier kernels wrote; the artifact stays one stream.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_CUDA_HOSTFALLBACK_H
#define KILN_BACKENDS_CUDA_HOSTFALLBACK_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace kiln::cuda {

/// Moves `group` (ops of one block, in order) before `before` and makes
/// them run on the host through host copies of the device buffers they
/// access, as above. The group's ops are added to `hostOps` (their memory
/// accesses are host accesses). Fails, naming the op, on a buffer it cannot
/// copy (a non-contiguous layout).
mlir::LogicalResult
runGroupOnHost(llvm::ArrayRef<mlir::Operation *> group, mlir::Operation *before,
               llvm::SmallPtrSetImpl<mlir::Operation *> &hostOps);

} // namespace kiln::cuda

#endif // KILN_BACKENDS_CUDA_HOSTFALLBACK_H
