//===- KernelLocation.h - which kiln.fused kernel an op came from -*- C++ -*-===//
//
// kiln-inline-kernels dissolves the kiln.fused regions before lowering but
// keeps each op's kernel in its location (a FusedLoc whose metadata is
// {kiln.kernel = N}). Lowering patterns give the ops they create the
// location of the op they replace, so the linalg ops still know their
// kernel, and kiln-fuse-kernel-elementwise fuses only inside one kernel.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_LINALG_KERNELLOCATION_H
#define KILN_BACKENDS_LINALG_KERNELLOCATION_H

#include "mlir/IR/Location.h"
#include <optional>

namespace kiln {

/// `loc` tagged as belonging to kernel `id`.
mlir::Location withKernel(mlir::Location loc, int64_t id);

/// The kernel `loc` belongs to, if it was tagged (also through locations
/// that passes fused together).
std::optional<int64_t> kernelOf(mlir::Location loc);

} // namespace kiln

#endif // KILN_BACKENDS_LINALG_KERNELLOCATION_H
