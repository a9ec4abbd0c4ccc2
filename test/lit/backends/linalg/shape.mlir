// Reshapes, transposes and data movement.
// RUN: kiln-opt %s --kiln-convert-to-linalg --canonicalize -split-input-file | FileCheck %s

// A static reshape that groups dimensions is a collapse (no copy).
// CHECK-LABEL: func @reshape_static
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
func.func @reshape_static(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  %s = kiln.constant dense<[6, 4]> : tensor<2xsi64>
  %0 = kiln.reshape %x, %s : (tensor<2x3x4xf32>, tensor<2xsi64>) -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// A target read at run time: 0 copies, -1 is inferred, counts are checked.
// CHECK-LABEL: func @reshape_dynamic
// CHECK: tensor.extract
// CHECK: arith.divui
// CHECK: cf.assert %{{.*}}, "op 'kiln.reshape': cannot reshape: element counts differ"
// CHECK: tensor.reshape
func.func @reshape_dynamic(%x: tensor<?x4xf32>, %s: tensor<2xsi64>) -> tensor<?x?xf32> {
  %0 = kiln.reshape %x, %s : (tensor<?x4xf32>, tensor<2xsi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func @transpose
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<4x2x3xf32>) permutation = [2, 0, 1]
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = kiln.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// Flatten keeps a dynamic batch dimension.
// CHECK-LABEL: func @flatten_dynamic
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2, 3]] : tensor<?x2x3x4xf32> into tensor<?x24xf32>
func.func @flatten_dynamic(%x: tensor<?x2x3x4xf32>) -> tensor<?x24xf32> {
  %0 = kiln.flatten %x {axis = 1 : i64} : tensor<?x2x3x4xf32> -> tensor<?x24xf32>
  return %0 : tensor<?x24xf32>
}

// -----

// Squeezing a dynamic dimension checks that it is 1.
// CHECK-LABEL: func @squeeze_dynamic
// CHECK: cf.assert %{{.*}}, "op 'kiln.squeeze': squeezed dimension is not 1"
// CHECK: tensor.collapse_shape
func.func @squeeze_dynamic(%x: tensor<?x3xf32>) -> tensor<3xf32> {
  %0 = kiln.squeeze %x {axes = array<i64: 0>} : tensor<?x3xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func @unsqueeze
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2, 3]] output_shape [1, 2, 3, 1]
func.func @unsqueeze(%x: tensor<2x3xf32>) -> tensor<1x2x3x1xf32> {
  %0 = kiln.unsqueeze %x {axes = array<i64: 0, 3>} : tensor<2x3xf32> -> tensor<1x2x3x1xf32>
  return %0 : tensor<1x2x3x1xf32>
}

// -----

// CHECK-LABEL: func @shape
// CHECK: %[[D:.*]] = tensor.dim %{{.*}}, %{{.*}} : tensor<?x3xf32>
// CHECK: %[[I:.*]] = arith.index_cast %[[D]] : index to i64
// CHECK: tensor.from_elements %[[I]], %{{.*}} : tensor<2xi64>
func.func @shape(%x: tensor<?x3xf32>) -> tensor<2xsi64> {
  %0 = kiln.shape %x {start = 0 : i64, end = 2 : i64} : tensor<?x3xf32> -> tensor<2xsi64>
  return %0 : tensor<2xsi64>
}

// -----

// CHECK-LABEL: func @concat
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x5xf32>
// CHECK: %[[A:.*]] = tensor.insert_slice %{{.*}} into %[[E]][0, 0] [2, 2] [1, 1]
// CHECK: tensor.insert_slice %{{.*}} into %[[A]][0, 2] [2, 3] [1, 1]
func.func @concat(%a: tensor<2x2xf32>, %b: tensor<2x3xf32>) -> tensor<2x5xf32> {
  %0 = kiln.concat %a, %b {axis = 1 : i64} : (tensor<2x2xf32>, tensor<2x3xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// An input whose non-axis sizes are dynamic where the result's are static
// is cast to the slice's type after the run-time check (torchvision's
// Faster R-CNN concatenates such boxes).
// CHECK-LABEL: func @concat_dynamic_input
// CHECK: cf.assert %{{.*}}, "op 'kiln.concat': inputs differ in a non-axis dimension"
// CHECK: %[[E:.*]] = tensor.empty(%{{.*}}) : tensor<1x?x4xf32>
// CHECK: %[[C:.*]] = tensor.cast %{{.*}} : tensor<?x?x?xf32> to tensor<1x?x4xf32>
// CHECK: %[[A:.*]] = tensor.insert_slice %[[C]] into %[[E]][0, 0, 0] [1, %{{.*}}, 4] [1, 1, 1]
// CHECK: tensor.insert_slice %{{.*}} into %[[A]][0, %{{.*}}, 0] [1, 3, 4] [1, 1, 1] : tensor<1x3x4xf32> into tensor<1x?x4xf32>
func.func @concat_dynamic_input(%a: tensor<?x?x?xf32>, %b: tensor<1x3x4xf32>) -> tensor<1x?x4xf32> {
  %0 = kiln.concat %a, %b {axis = 1 : i64} : (tensor<?x?x?xf32>, tensor<1x3x4xf32>) -> tensor<1x?x4xf32>
  return %0 : tensor<1x?x4xf32>
}

// -----

// Gather normalises negative indices and checks the range at run time.
// CHECK-LABEL: func @gather
// CHECK: linalg.generic
// CHECK: arith.index_cast
// CHECK: arith.select
// CHECK: cf.assert %{{.*}}, "op 'kiln.gather': gather index out of range"
// CHECK: tensor.extract
func.func @gather(%x: tensor<5x3xf32>, %i: tensor<2xsi64>) -> tensor<2x3xf32> {
  %0 = kiln.gather %x, %i {axis = 0 : i64} : (tensor<5x3xf32>, tensor<2xsi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Constant positive steps make a strided view.
// CHECK-LABEL: func @slice_forward
// CHECK: tensor.extract_slice %{{.*}}[0, 1] [4, 4] [1, 2] : tensor<4x10xf32> to tensor<4x4xf32>
func.func @slice_forward(%x: tensor<4x10xf32>) -> tensor<4x4xf32> {
  %s = kiln.constant dense<1> : tensor<1xsi64>
  %e = kiln.constant dense<9> : tensor<1xsi64>
  %st = kiln.constant dense<2> : tensor<1xsi64>
  %0 = kiln.slice %x, %s, %e, %st {axes = array<i64: 1>} : tensor<4x10xf32>, tensor<1xsi64>, tensor<1xsi64>, tensor<1xsi64> -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Negative steps read element by element.
// CHECK-LABEL: func @slice_backward
// CHECK: linalg.generic
// CHECK: tensor.extract
func.func @slice_backward(%x: tensor<10xf32>) -> tensor<10xf32> {
  %s = kiln.constant dense<-1> : tensor<1xsi64>
  %e = kiln.constant dense<-100> : tensor<1xsi64>
  %st = kiln.constant dense<-1> : tensor<1xsi64>
  %0 = kiln.slice %x, %s, %e, %st {axes = array<i64: 0>} : tensor<10xf32>, tensor<1xsi64>, tensor<1xsi64>, tensor<1xsi64> -> tensor<10xf32>
  return %0 : tensor<10xf32>
}

// -----

// Constants lose their signedness.
// CHECK-LABEL: func @constant
// CHECK: arith.constant dense<[1, -2]> : tensor<2xi64>
func.func @constant() -> tensor<2xsi64> {
  %0 = kiln.constant dense<[1, -2]> : tensor<2xsi64>
  return %0 : tensor<2xsi64>
}

// -----

// A concat of more than 32 inputs is built in two levels: a chain of
// insert_slice ops per group of ceil(sqrt(n)) inputs (33 -> five groups of
// 6 and one of 3), then the groups; OneShotBufferize's analysis of one
// chain is cubic in its length.
// CHECK-LABEL: func @concat_wide
// CHECK: %[[G0:.*]] = tensor.empty() : tensor<1x12xf32>
// CHECK: tensor.insert_slice %{{.*}} into %[[G0]][0, 0] [1, 2] [1, 1]
// CHECK-COUNT-5: tensor.insert_slice %{{.*}} : tensor<1x2xf32> into tensor<1x12xf32>
// CHECK: tensor.empty() : tensor<1x12xf32>
// CHECK: tensor.empty() : tensor<1x12xf32>
// CHECK: tensor.empty() : tensor<1x12xf32>
// CHECK: tensor.empty() : tensor<1x12xf32>
// CHECK: %[[G5:.*]] = tensor.empty() : tensor<1x6xf32>
// CHECK-COUNT-3: tensor.insert_slice %{{.*}} : tensor<1x2xf32> into tensor<1x6xf32>
// CHECK: %[[R:.*]] = tensor.empty() : tensor<1x66xf32>
// CHECK: %[[R0:.*]] = tensor.insert_slice %{{.*}} into %[[R]][0, 0] [1, 12] [1, 1]
// CHECK: tensor.insert_slice %{{.*}} into %[[R0]][0, 12] [1, 12] [1, 1]
// CHECK: tensor.insert_slice %{{.*}}[0, 24] [1, 12]
// CHECK: tensor.insert_slice %{{.*}}[0, 36] [1, 12]
// CHECK: tensor.insert_slice %{{.*}}[0, 48] [1, 12]
// CHECK: %[[LAST:.*]] = tensor.insert_slice %{{.*}}[0, 60] [1, 6] [1, 1] : tensor<1x6xf32> into tensor<1x66xf32>
// CHECK: return %[[LAST]]
func.func @concat_wide(%a0: tensor<1x2xf32>, %a1: tensor<1x2xf32>, %a2: tensor<1x2xf32>, %a3: tensor<1x2xf32>, %a4: tensor<1x2xf32>, %a5: tensor<1x2xf32>, %a6: tensor<1x2xf32>, %a7: tensor<1x2xf32>, %a8: tensor<1x2xf32>, %a9: tensor<1x2xf32>, %a10: tensor<1x2xf32>, %a11: tensor<1x2xf32>, %a12: tensor<1x2xf32>, %a13: tensor<1x2xf32>, %a14: tensor<1x2xf32>, %a15: tensor<1x2xf32>, %a16: tensor<1x2xf32>, %a17: tensor<1x2xf32>, %a18: tensor<1x2xf32>, %a19: tensor<1x2xf32>, %a20: tensor<1x2xf32>, %a21: tensor<1x2xf32>, %a22: tensor<1x2xf32>, %a23: tensor<1x2xf32>, %a24: tensor<1x2xf32>, %a25: tensor<1x2xf32>, %a26: tensor<1x2xf32>, %a27: tensor<1x2xf32>, %a28: tensor<1x2xf32>, %a29: tensor<1x2xf32>, %a30: tensor<1x2xf32>, %a31: tensor<1x2xf32>, %a32: tensor<1x2xf32>) -> tensor<1x66xf32> {
  %0 = kiln.concat %a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17, %a18, %a19, %a20, %a21, %a22, %a23, %a24, %a25, %a26, %a27, %a28, %a29, %a30, %a31, %a32 {axis = 1 : i64} : (tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x66xf32>
  return %0 : tensor<1x66xf32>
}

// -----

// 32 inputs are still one chain.
// CHECK-LABEL: func @concat_32
// CHECK: tensor.empty() : tensor<1x64xf32>
// CHECK-NOT: tensor.empty
// CHECK-COUNT-32: tensor.insert_slice
// CHECK-NOT: tensor.insert_slice
func.func @concat_32(%a0: tensor<1x2xf32>, %a1: tensor<1x2xf32>, %a2: tensor<1x2xf32>, %a3: tensor<1x2xf32>, %a4: tensor<1x2xf32>, %a5: tensor<1x2xf32>, %a6: tensor<1x2xf32>, %a7: tensor<1x2xf32>, %a8: tensor<1x2xf32>, %a9: tensor<1x2xf32>, %a10: tensor<1x2xf32>, %a11: tensor<1x2xf32>, %a12: tensor<1x2xf32>, %a13: tensor<1x2xf32>, %a14: tensor<1x2xf32>, %a15: tensor<1x2xf32>, %a16: tensor<1x2xf32>, %a17: tensor<1x2xf32>, %a18: tensor<1x2xf32>, %a19: tensor<1x2xf32>, %a20: tensor<1x2xf32>, %a21: tensor<1x2xf32>, %a22: tensor<1x2xf32>, %a23: tensor<1x2xf32>, %a24: tensor<1x2xf32>, %a25: tensor<1x2xf32>, %a26: tensor<1x2xf32>, %a27: tensor<1x2xf32>, %a28: tensor<1x2xf32>, %a29: tensor<1x2xf32>, %a30: tensor<1x2xf32>, %a31: tensor<1x2xf32>) -> tensor<1x64xf32> {
  %0 = kiln.concat %a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17, %a18, %a19, %a20, %a21, %a22, %a23, %a24, %a25, %a26, %a27, %a28, %a29, %a30, %a31 {axis = 1 : i64} : (tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x64xf32>
  return %0 : tensor<1x64xf32>
}

// -----

// Sizes known at run time: each group's length is the sum of its inputs'.
// CHECK-LABEL: func @concat_wide_dynamic
// CHECK: %[[D0:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[D1:.*]] = tensor.dim %arg1, %c0
// CHECK: %[[D5:.*]] = tensor.dim %arg5, %c0
// CHECK: %[[D32:.*]] = tensor.dim %arg32, %c0
// CHECK-NEXT: %[[T:.*]] = arith.addi %{{.*}}, %[[D32]]
// CHECK-NEXT: arith.addi %[[D0]], %[[D1]]
// CHECK-COUNT-3: arith.addi
// CHECK-NEXT: %[[L:.*]] = arith.addi %{{.*}}, %[[D5]]
// CHECK-NEXT: %[[G:.*]] = tensor.empty(%[[L]]) : tensor<?x2xf32>
// CHECK-NEXT: tensor.insert_slice %arg0 into %[[G]][0, 0] [%[[D0]], 2] [1, 1]
// CHECK-COUNT-5: tensor.empty(%{{.*}}) : tensor<?x2xf32>
// CHECK: %[[R:.*]] = tensor.empty(%[[T]]) : tensor<?x2xf32>
// CHECK-NEXT: tensor.insert_slice %{{.*}} into %[[R]][0, 0] [%[[L]], 2] [1, 1]
func.func @concat_wide_dynamic(%a0: tensor<?x2xf32>, %a1: tensor<?x2xf32>, %a2: tensor<?x2xf32>, %a3: tensor<?x2xf32>, %a4: tensor<?x2xf32>, %a5: tensor<?x2xf32>, %a6: tensor<?x2xf32>, %a7: tensor<?x2xf32>, %a8: tensor<?x2xf32>, %a9: tensor<?x2xf32>, %a10: tensor<?x2xf32>, %a11: tensor<?x2xf32>, %a12: tensor<?x2xf32>, %a13: tensor<?x2xf32>, %a14: tensor<?x2xf32>, %a15: tensor<?x2xf32>, %a16: tensor<?x2xf32>, %a17: tensor<?x2xf32>, %a18: tensor<?x2xf32>, %a19: tensor<?x2xf32>, %a20: tensor<?x2xf32>, %a21: tensor<?x2xf32>, %a22: tensor<?x2xf32>, %a23: tensor<?x2xf32>, %a24: tensor<?x2xf32>, %a25: tensor<?x2xf32>, %a26: tensor<?x2xf32>, %a27: tensor<?x2xf32>, %a28: tensor<?x2xf32>, %a29: tensor<?x2xf32>, %a30: tensor<?x2xf32>, %a31: tensor<?x2xf32>, %a32: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %0 = kiln.concat %a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17, %a18, %a19, %a20, %a21, %a22, %a23, %a24, %a25, %a26, %a27, %a28, %a29, %a30, %a31, %a32 {axis = 0 : i64} : (tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}
