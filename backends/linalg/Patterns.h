//===- Patterns.h - kiln -> linalg conversion patterns, by op family -*- C++ -*-===//
#ifndef KILN_BACKENDS_LINALG_PATTERNS_H
#define KILN_BACKENDS_LINALG_PATTERNS_H

#include "mlir/Transforms/DialectConversion.h"

namespace kiln::lowering {

void populateElementwiseLowering(mlir::TypeConverter &converter,
                                 mlir::RewritePatternSet &patterns);
void populateContractionLowering(mlir::TypeConverter &converter,
                                 mlir::RewritePatternSet &patterns);
void populateConvTransposeLowering(mlir::TypeConverter &converter,
                                   mlir::RewritePatternSet &patterns);
void populateWindowLowering(mlir::TypeConverter &converter,
                            mlir::RewritePatternSet &patterns);
void populateNormalizationLowering(mlir::TypeConverter &converter,
                                   mlir::RewritePatternSet &patterns);
void populateReductionLowering(mlir::TypeConverter &converter,
                               mlir::RewritePatternSet &patterns);
void populateShapeLowering(mlir::TypeConverter &converter,
                           mlir::RewritePatternSet &patterns);
/// How the lowerings that work along an axis (TopK, Unique, CumSum, DFT,
/// STFT) do it.
enum class AxisAlgorithm {
  // The axis is a serial loop: a merge sort (a scan for small k), a
  // running sum, an FFT of a power-of-two length. O(n log n) / O(n) work;
  // the CPU's choice.
  Serial,
  // Every output element on its own: each element counts those before it,
  // each sum adds its prefix, each DFT bin sums the signal. O(n^2) work,
  // one GPU thread per element.
  Parallel,
};

/// The base of the patterns whose lowering depends on the AxisAlgorithm.
template <typename OpTy>
struct AxisAlgorithmPattern : mlir::OpConversionPattern<OpTy> {
  AxisAlgorithmPattern(mlir::TypeConverter &converter, mlir::MLIRContext *ctx,
                       AxisAlgorithm algorithm)
      : mlir::OpConversionPattern<OpTy>(converter, ctx), algorithm(algorithm) {}
  AxisAlgorithm algorithm;
};

void populateIndexingLowering(mlir::TypeConverter &converter,
                              mlir::RewritePatternSet &patterns,
                              AxisAlgorithm algorithm);
void populateDataDependentLowering(mlir::TypeConverter &converter,
                                   mlir::RewritePatternSet &patterns);
void populateSortingLowering(mlir::TypeConverter &converter,
                             mlir::RewritePatternSet &patterns,
                             AxisAlgorithm algorithm);
void populateRecurrentLowering(mlir::TypeConverter &converter,
                               mlir::RewritePatternSet &patterns);
void populateResizeLowering(mlir::TypeConverter &converter,
                            mlir::RewritePatternSet &patterns);
void populateDynamicAxesLowering(mlir::TypeConverter &converter,
                                 mlir::RewritePatternSet &patterns);
void populateControlFlowLowering(mlir::TypeConverter &converter,
                                 mlir::RewritePatternSet &patterns);
void populateSignalLowering(mlir::TypeConverter &converter,
                            mlir::RewritePatternSet &patterns,
                            AxisAlgorithm algorithm);
void populateRoiAlignLowering(mlir::TypeConverter &converter,
                              mlir::RewritePatternSet &patterns);
void populateDataMovementLowering(mlir::TypeConverter &converter,
                                  mlir::RewritePatternSet &patterns);

} // namespace kiln::lowering

#endif // KILN_BACKENDS_LINALG_PATTERNS_H
