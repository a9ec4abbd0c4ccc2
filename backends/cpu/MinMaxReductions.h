//===- MinMaxReductions.h - max/min reductions as vector loops --*- C++ -*-===//
#ifndef KILN_BACKENDS_CPU_MINMAXREDUCTIONS_H
#define KILN_BACKENDS_CPU_MINMAXREDUCTIONS_H

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace kiln::cpu {

/// Splits a promoted reduction loop whose one accumulator is combined by
/// arith.maximumf / minimumf / maxnumf / minnumf (f32 or f64), and whose
/// body only loads along the loop's contiguous dimension and computes
/// elementwise, into a loop of vector steps, the vector's reduction, and
/// the original loop for the remaining iterations. False (nothing changed)
/// for any other loop.
bool vectorizeMinMaxReduction(mlir::scf::ForOp loop, mlir::RewriterBase &rewriter);

/// The same for ArgMax / ArgMin over floats (kiln-convert-to-linalg's
/// form: a value and an i64 index carried, the first element always
/// taken, then strictly better ones, or equal ones for the last index):
/// the first iteration peeled, vector lanes each keeping their best value
/// and index, the lanes merged by the loop's own rule, and the original
/// loop for the remainder. Bit-identical results.
bool vectorizeArgReduction(mlir::scf::ForOp loop, mlir::RewriterBase &rewriter);

} // namespace kiln::cpu

#endif // KILN_BACKENDS_CPU_MINMAXREDUCTIONS_H
