//===- OpClasses.h - kinds of kiln ops that passes reason about -*- C++ -*-===//
//
// The fusion pass and the kernel report need to know which ops compute
// element by element (fusable into a neighbour's loop), which only
// reinterpret a tensor's shape (free: a view), and how expensive an op is.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECTS_KILN_OPCLASSES_H
#define KILN_DIALECTS_KILN_OPCLASSES_H

#include "mlir/IR/Operation.h"

namespace kiln {

/// Ops whose result element i depends only on element i of each operand
/// (after numpy broadcasting): unary, binary, comparison, where, cast, and
/// the parametrised activations.
bool isElementwise(mlir::Operation *op);

/// Ops that only reinterpret the shape of a contiguous tensor (reshape,
/// flatten, squeeze, unsqueeze): no data moves.
bool isView(mlir::Operation *op);

/// Floating-point (or integer) operations the op performs, counting a
/// multiply-add as two; 0 when unknown.
int64_t estimateFlops(mlir::Operation *op);

} // namespace kiln

#endif // KILN_DIALECTS_KILN_OPCLASSES_H
