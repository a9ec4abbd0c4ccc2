//===- Patterns.h - kiln -> linalg conversion patterns, by op family -*- C++ -*-===//
#ifndef KILN_BACKENDS_LINALG_PATTERNS_H
#define KILN_BACKENDS_LINALG_PATTERNS_H

#include "mlir/Transforms/DialectConversion.h"

namespace kiln::lowering {

void populateElementwiseLowering(mlir::TypeConverter &converter,
                                 mlir::RewritePatternSet &patterns);
void populateContractionLowering(mlir::TypeConverter &converter,
                                 mlir::RewritePatternSet &patterns);
void populateWindowLowering(mlir::TypeConverter &converter,
                            mlir::RewritePatternSet &patterns);
void populateNormalizationLowering(mlir::TypeConverter &converter,
                                   mlir::RewritePatternSet &patterns);
void populateReductionLowering(mlir::TypeConverter &converter,
                               mlir::RewritePatternSet &patterns);
void populateShapeLowering(mlir::TypeConverter &converter,
                           mlir::RewritePatternSet &patterns);
void populateIndexingLowering(mlir::TypeConverter &converter,
                              mlir::RewritePatternSet &patterns);
void populateDataDependentLowering(mlir::TypeConverter &converter,
                                   mlir::RewritePatternSet &patterns);

/// How TopK and Unique order their elements (LowerSorting.cpp).
enum class SortAlgorithm {
  Merge, // sequential per slice: a merge sort, a scan for small k
  Rank,  // each element counts those before it, O(n^2) in parallel
};
void populateSortingLowering(mlir::TypeConverter &converter,
                             mlir::RewritePatternSet &patterns,
                             SortAlgorithm algorithm);
void populateRecurrentLowering(mlir::TypeConverter &converter,
                               mlir::RewritePatternSet &patterns);
void populateResizeLowering(mlir::TypeConverter &converter,
                            mlir::RewritePatternSet &patterns);
void populateDynamicAxesLowering(mlir::TypeConverter &converter,
                                 mlir::RewritePatternSet &patterns);
void populateControlFlowLowering(mlir::TypeConverter &converter,
                                 mlir::RewritePatternSet &patterns);
void populateSignalLowering(mlir::TypeConverter &converter,
                            mlir::RewritePatternSet &patterns);
void populateRoiAlignLowering(mlir::TypeConverter &converter,
                              mlir::RewritePatternSet &patterns);
void populateDataMovementLowering(mlir::TypeConverter &converter,
                                  mlir::RewritePatternSet &patterns);

} // namespace kiln::lowering

#endif // KILN_BACKENDS_LINALG_PATTERNS_H
