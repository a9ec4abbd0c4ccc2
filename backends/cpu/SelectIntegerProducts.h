//===- SelectIntegerProducts.h - int8 products through oneDNN ---*- C++ -*-===//
#ifndef KILN_BACKENDS_CPU_SELECTINTEGERPRODUCTS_H
#define KILN_BACKENDS_CPU_SELECTINTEGERPRODUCTS_H

#include "mlir/IR/PatternMatch.h"

namespace kiln::cpu {

/// Whether `op` is an si32 product of 8-bit values minus zero points that
/// oneDNN runs as u8 x s8 -> s32 (a kiln.matmul or a 2-D kiln.conv).
bool integerLibraryCanRun(mlir::Operation *op);

/// The rewrites of those products into integer kiln_lib ops, with the zero
/// points' arithmetic around them.
void populateIntegerProductPatterns(mlir::RewritePatternSet &patterns);

} // namespace kiln::cpu

#endif // KILN_BACKENDS_CPU_SELECTINTEGERPRODUCTS_H
