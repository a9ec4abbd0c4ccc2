// The ops that order elements. TopK and Unique under the two settings of
// kiln-convert-to-linalg{along-axis=}: serial (the CPU's: per slice, a
// scan keeping the best k when k <= 64, else a merge sort cut at k; then
// linear scans) and parallel (the GPU's: every element counts those before
// it in one parallel reduction). NonMaxSuppression pops a heap under
// either. (CumSum's two forms: backends/linalg/cumsum.mlir.)
// RUN: kiln-opt %s --kiln-convert-to-linalg --canonicalize -split-input-file | FileCheck %s --check-prefix=SERIAL
// RUN: kiln-opt %s --kiln-convert-to-linalg=along-axis=serial --canonicalize -split-input-file | FileCheck %s --check-prefix=SERIAL
// RUN: kiln-opt %s --kiln-convert-to-linalg=along-axis=parallel --canonicalize -split-input-file | FileCheck %s --check-prefix=PARALLEL
// RUN: not kiln-opt %s --kiln-convert-to-linalg=along-axis=bubble -split-input-file 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: error: kiln-convert-to-linalg: unknown along-axis 'bubble' (serial or parallel)

// One scratch of 2n indices for all slices; per slice the run-time choice
// between the scan (k <= 64) and the merge passes (widths 1 << p while
// below n). The order puts NaN above every number (ord/uno compares) and
// breaks ties by position.
// SERIAL-LABEL: func @top_k
// SERIAL: cf.assert %{{.*}}, "op 'kiln.top_k': k out of range"
// SERIAL: %[[SCRATCH:.*]] = tensor.empty() : tensor<200xindex>
// SERIAL: scf.for %[[SLICE:.*]] = %c0 to %c3
// SERIAL: %[[SMALL:.*]] = arith.cmpi sle, %{{.*}}, %c64 : index
// SERIAL: scf.if %[[SMALL]]
// SERIAL: arith.cmpf uno
// SERIAL: scf.while
// SERIAL: } else {
// SERIAL: arith.shli %c1, %{{.*}} : index
// SERIAL: arith.index_castui %{{.*}} : i1 to index
// SERIAL-NOT: linalg.generic
// SERIAL: return
// PARALLEL-LABEL: func @top_k
// PARALLEL: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// PARALLEL-NOT: scf.while
// PARALLEL: return
func.func @top_k(%x: tensor<3x100xf32>, %k: tensor<1xsi64>) -> (tensor<3x?xf32>, tensor<3x?xsi64>) {
  %v, %i = kiln.top_k %x, %k {axis = 1 : i64} : (tensor<3x100xf32>, tensor<1xsi64>) -> (tensor<3x?xf32>, tensor<3x?xsi64>)
  return %v, %i : tensor<3x?xf32>, tensor<3x?xsi64>
}

// -----

// Unsigned values compare unsigned; smallest first; a dynamic axis.
// SERIAL-LABEL: func @top_k_unsigned_smallest
// SERIAL: tensor.empty(%{{.*}}) : tensor<?xindex>
// SERIAL: arith.cmpi ult
// SERIAL-NOT: arith.cmpi slt, %{{.*}}, %{{.*}} : i8
// PARALLEL-LABEL: func @top_k_unsigned_smallest
// PARALLEL: arith.cmpi ult
func.func @top_k_unsigned_smallest(%x: tensor<2x?xui8>, %k: tensor<1xsi64>) -> (tensor<2x?xui8>, tensor<2x?xsi64>) {
  %v, %i = kiln.top_k %x, %k {axis = 1 : i64, largest = false} : (tensor<2x?xui8>, tensor<1xsi64>) -> (tensor<2x?xui8>, tensor<2x?xsi64>)
  return %v, %i : tensor<2x?xui8>, tensor<2x?xsi64>
}

// -----

// Unique without an axis: the elements are rows of one value. Sorted by
// merge (all n), groups found in one scan, their order of first
// occurrence in a second (sorted = false), the results in a third. No
// n x n table.
// SERIAL-LABEL: func @unique_first_occurrence
// SERIAL: tensor.expand_shape %{{.*}} {{\[}}[0, 1]] output_shape [6, 1]
// SERIAL: tensor.empty() : tensor<12xindex>
// SERIAL: arith.shli
// SERIAL: scf.for {{.*}} -> (tensor<6xindex>, tensor<6xindex>, tensor<6xindex>, index)
// SERIAL: scf.for {{.*}} -> (tensor<6xindex>, index)
// SERIAL: tensor.empty(%{{.*}}) : tensor<?x1xi32>
// SERIAL: tensor.insert_slice
// SERIAL: tensor.collapse_shape %{{.*}} {{\[}}[0, 1]] : tensor<?x1xi32> into tensor<?xi32>
// SERIAL-NOT: linalg.generic
// SERIAL: return
// PARALLEL-LABEL: func @unique_first_occurrence
// PARALLEL: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// PARALLEL-NOT: arith.shli
// PARALLEL: return
func.func @unique_first_occurrence(%x: tensor<6xsi32>) -> (tensor<?xsi32>, tensor<?xsi64>, tensor<6xsi64>, tensor<?xsi64>) {
  %y, %i, %inv, %c = kiln.unique %x {sorted = false} : (tensor<6xsi32>) -> (tensor<?xsi32>, tensor<?xsi64>, tensor<6xsi64>, tensor<?xsi64>)
  return %y, %i, %inv, %c : tensor<?xsi32>, tensor<?xsi64>, tensor<6xsi64>, tensor<?xsi64>
}

// -----

// Along an axis: the slices, moved first and flattened to rows [4, 6],
// compared lexicographically (a loop over the row); the unique rows go
// back to the input's layout.
// SERIAL-LABEL: func @unique_axis
// SERIAL: linalg.transpose {{.*}} permutation = [1, 0, 2]
// SERIAL: tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2]] : tensor<4x2x3xf32> into tensor<4x6xf32>
// SERIAL: scf.for %{{.*}} = %c0 to %c6
// SERIAL: linalg.transpose {{.*}} permutation = [1, 0, 2]
// PARALLEL-LABEL: func @unique_axis
// PARALLEL: tensor.empty() : tensor<4x4xi64>
// PARALLEL: linalg.transpose {{.*}} permutation = [1, 0, 2]
func.func @unique_axis(%x: tensor<2x4x3xf32>) -> (tensor<2x?x3xf32>, tensor<?xsi64>, tensor<4xsi64>, tensor<?xsi64>) {
  %y, %i, %inv, %c = kiln.unique %x {axis = 1 : i64} : (tensor<2x4x3xf32>) -> (tensor<2x?x3xf32>, tensor<?xsi64>, tensor<4xsi64>, tensor<?xsi64>)
  return %y, %i, %inv, %c : tensor<2x?x3xf32>, tensor<?xsi64>, tensor<4xsi64>, tensor<?xsi64>
}

// -----

// NonMaxSuppression (both sorts: its walk is sequential anyway): per
// (batch, class) the boxes above the score threshold go into a heap
// (built by sifting each parent down), and are popped best first while
// fewer than max_output are selected; each popped box is tested against
// the selected ones only, whose corners and areas are kept in five rows
// (y1, x1, y2, x2, area) as they are selected: the test reads them
// contiguously instead of gathering the boxes through the selected indices.
// SERIAL-LABEL: func @nms
// SERIAL: scf.for %{{.*}} = %c0 to %c2 step %c1 iter_args({{.*}}) -> (tensor<1x2x6xindex>, tensor<1x2xindex>, index, tensor<?xindex>, tensor<5x?xf32>)
// SERIAL: arith.cmpf ogt
// SERIAL: arith.divui %{{.*}}, %c2 : index
// SERIAL: scf.while {{.*}} -> (tensor<?xindex>, index, index)
// SERIAL: scf.while (%{{.*}}, %[[COUNT:.*]] = %c0, %{{.*}}, %[[SEL:.*]] = %{{.*}}) : (tensor<?xindex>, index, index, tensor<?x?x?xindex>, tensor<5x?xf32>)
// SERIAL: %[[Y1:.*]] = arith.minimumf
// SERIAL: %[[Y2:.*]] = arith.maximumf
// SERIAL: %[[X1:.*]] = arith.minimumf
// SERIAL: %[[X2:.*]] = arith.maximumf
// SERIAL: %[[AREA:.*]] = arith.mulf
// SERIAL: scf.for %[[Q:.*]] = %c0 to %[[COUNT]] step %c1 iter_args(%{{.*}} = %false) -> (i1)
// SERIAL-NEXT: tensor.extract %[[SEL]][%c0, %[[Q]]] : tensor<5x?xf32>
// SERIAL-NOT: tensor.extract %arg0
// SERIAL: arith.divf
// SERIAL: } else {
// SERIAL-NEXT: tensor.insert %[[Y1]] into %[[SEL]][%c0, %[[COUNT]]]
// SERIAL: tensor.insert %[[AREA]] into %{{.*}}[%c4, %[[COUNT]]]
// SERIAL: tensor.empty(%{{.*}}) : tensor<?x3xi64>
// PARALLEL-LABEL: func @nms
// PARALLEL: arith.divui
// PARALLEL: scf.while
func.func @nms(%boxes: tensor<1x6x4xf32>, %scores: tensor<1x2x6xf32>, %max: tensor<1xsi64>, %iou: tensor<1xf32>, %score: tensor<1xf32>) -> tensor<?x3xsi64> {
  %0 = kiln.non_max_suppression %boxes, %scores, %max, %iou, %score : (tensor<1x6x4xf32>, tensor<1x2x6xf32>, tensor<1xsi64>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x3xsi64>
  return %0 : tensor<?x3xsi64>
}
