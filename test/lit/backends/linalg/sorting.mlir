// The ops that order elements. TopK and Unique by the two orderings of
// kiln-convert-to-linalg{sort=}: merge (the CPU's: per slice, a scan
// keeping the best k when k <= 64, else a merge sort cut at k; then linear
// scans) and rank (the GPU's: every element counts those before it in one
// parallel reduction). NonMaxSuppression pops a heap under either.
// RUN: kiln-opt %s --kiln-convert-to-linalg --canonicalize -split-input-file | FileCheck %s --check-prefix=MERGE
// RUN: kiln-opt %s --kiln-convert-to-linalg=sort=merge --canonicalize -split-input-file | FileCheck %s --check-prefix=MERGE
// RUN: kiln-opt %s --kiln-convert-to-linalg=sort=rank --canonicalize -split-input-file | FileCheck %s --check-prefix=RANK
// RUN: not kiln-opt %s --kiln-convert-to-linalg=sort=bubble -split-input-file 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: error: kiln-convert-to-linalg: unknown sort 'bubble' (merge or rank)

// One scratch of 2n indices for all slices; per slice the run-time choice
// between the scan (k <= 64) and the merge passes (widths 1 << p while
// below n). The order puts NaN above every number (ord/uno compares) and
// breaks ties by position.
// MERGE-LABEL: func @top_k
// MERGE: cf.assert %{{.*}}, "op 'kiln.top_k': k out of range"
// MERGE: %[[SCRATCH:.*]] = tensor.empty() : tensor<200xindex>
// MERGE: scf.for %[[SLICE:.*]] = %c0 to %c3
// MERGE: %[[SMALL:.*]] = arith.cmpi sle, %{{.*}}, %c64 : index
// MERGE: scf.if %[[SMALL]]
// MERGE: arith.cmpf uno
// MERGE: scf.while
// MERGE: } else {
// MERGE: arith.shli %c1, %{{.*}} : index
// MERGE: arith.index_castui %{{.*}} : i1 to index
// MERGE-NOT: linalg.generic
// MERGE: return
// RANK-LABEL: func @top_k
// RANK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// RANK-NOT: scf.while
// RANK: return
func.func @top_k(%x: tensor<3x100xf32>, %k: tensor<1xsi64>) -> (tensor<3x?xf32>, tensor<3x?xsi64>) {
  %v, %i = kiln.top_k %x, %k {axis = 1 : i64} : (tensor<3x100xf32>, tensor<1xsi64>) -> (tensor<3x?xf32>, tensor<3x?xsi64>)
  return %v, %i : tensor<3x?xf32>, tensor<3x?xsi64>
}

// -----

// Unsigned values compare unsigned; smallest first; a dynamic axis.
// MERGE-LABEL: func @top_k_unsigned_smallest
// MERGE: tensor.empty(%{{.*}}) : tensor<?xindex>
// MERGE: arith.cmpi ult
// MERGE-NOT: arith.cmpi slt, %{{.*}}, %{{.*}} : i8
// RANK-LABEL: func @top_k_unsigned_smallest
// RANK: arith.cmpi ult
func.func @top_k_unsigned_smallest(%x: tensor<2x?xui8>, %k: tensor<1xsi64>) -> (tensor<2x?xui8>, tensor<2x?xsi64>) {
  %v, %i = kiln.top_k %x, %k {axis = 1 : i64, largest = false} : (tensor<2x?xui8>, tensor<1xsi64>) -> (tensor<2x?xui8>, tensor<2x?xsi64>)
  return %v, %i : tensor<2x?xui8>, tensor<2x?xsi64>
}

// -----

// Unique without an axis: the elements are rows of one value. Sorted by
// merge (all n), groups found in one scan, their order of first
// occurrence in a second (sorted = false), the results in a third. No
// n x n table.
// MERGE-LABEL: func @unique_first_occurrence
// MERGE: tensor.expand_shape %{{.*}} {{\[}}[0, 1]] output_shape [6, 1]
// MERGE: tensor.empty() : tensor<12xindex>
// MERGE: arith.shli
// MERGE: scf.for {{.*}} -> (tensor<6xindex>, tensor<6xindex>, tensor<6xindex>, index)
// MERGE: scf.for {{.*}} -> (tensor<6xindex>, index)
// MERGE: tensor.empty(%{{.*}}) : tensor<?x1xi32>
// MERGE: tensor.insert_slice
// MERGE: tensor.collapse_shape %{{.*}} {{\[}}[0, 1]] : tensor<?x1xi32> into tensor<?xi32>
// MERGE-NOT: linalg.generic
// MERGE: return
// RANK-LABEL: func @unique_first_occurrence
// RANK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// RANK-NOT: arith.shli
// RANK: return
func.func @unique_first_occurrence(%x: tensor<6xsi32>) -> (tensor<?xsi32>, tensor<?xsi64>, tensor<6xsi64>, tensor<?xsi64>) {
  %y, %i, %inv, %c = kiln.unique %x {sorted = false} : (tensor<6xsi32>) -> (tensor<?xsi32>, tensor<?xsi64>, tensor<6xsi64>, tensor<?xsi64>)
  return %y, %i, %inv, %c : tensor<?xsi32>, tensor<?xsi64>, tensor<6xsi64>, tensor<?xsi64>
}

// -----

// Along an axis: the slices, moved first and flattened to rows [4, 6],
// compared lexicographically (a loop over the row); the unique rows go
// back to the input's layout.
// MERGE-LABEL: func @unique_axis
// MERGE: linalg.transpose {{.*}} permutation = [1, 0, 2]
// MERGE: tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2]] : tensor<4x2x3xf32> into tensor<4x6xf32>
// MERGE: scf.for %{{.*}} = %c0 to %c6
// MERGE: linalg.transpose {{.*}} permutation = [1, 0, 2]
// RANK-LABEL: func @unique_axis
// RANK: tensor.empty() : tensor<4x4xi64>
// RANK: linalg.transpose {{.*}} permutation = [1, 0, 2]
func.func @unique_axis(%x: tensor<2x4x3xf32>) -> (tensor<2x?x3xf32>, tensor<?xsi64>, tensor<4xsi64>, tensor<?xsi64>) {
  %y, %i, %inv, %c = kiln.unique %x {axis = 1 : i64} : (tensor<2x4x3xf32>) -> (tensor<2x?x3xf32>, tensor<?xsi64>, tensor<4xsi64>, tensor<?xsi64>)
  return %y, %i, %inv, %c : tensor<2x?x3xf32>, tensor<?xsi64>, tensor<4xsi64>, tensor<?xsi64>
}

// -----

// NonMaxSuppression (both sorts: its walk is sequential anyway): per
// (batch, class) the boxes above the score threshold go into a heap
// (built by sifting each parent down), and are popped best first while
// fewer than max_output are selected; each popped box is tested against
// the selected ones only.
// MERGE-LABEL: func @nms
// MERGE: scf.for %{{.*}} = %c0 to %c2 step %c1 iter_args({{.*}}) -> (tensor<1x2x6xindex>, tensor<1x2xindex>, index, tensor<?xindex>)
// MERGE: arith.cmpf ogt
// MERGE: arith.divui %{{.*}}, %c2 : index
// MERGE: scf.while {{.*}} -> (tensor<?xindex>, index, index)
// MERGE: scf.while {{.*}} : (tensor<?xindex>, index, index, tensor<?x?x?xindex>)
// MERGE: scf.for %{{.*}} = %c0 to %{{.*}} step %c1 iter_args(%{{.*}} = %false) -> (i1)
// MERGE: tensor.empty(%{{.*}}) : tensor<?x3xi64>
// RANK-LABEL: func @nms
// RANK: arith.divui
// RANK: scf.while
func.func @nms(%boxes: tensor<1x6x4xf32>, %scores: tensor<1x2x6xf32>, %max: tensor<1xsi64>, %iou: tensor<1xf32>, %score: tensor<1xf32>) -> tensor<?x3xsi64> {
  %0 = kiln.non_max_suppression %boxes, %scores, %max, %iou, %score : (tensor<1x6x4xf32>, tensor<1x2x6xf32>, tensor<1xsi64>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x3xsi64>
  return %0 : tensor<?x3xsi64>
}
