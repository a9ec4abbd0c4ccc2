// Axes known only at run time: reductions decide per dimension (scf.if),
// squeeze/unsqueeze/slice compute their sizes; all checked at run time.
// RUN: kiln-opt %s --kiln-convert-to-linalg --canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func @reduce_sum
// CHECK: cf.assert %{{.*}}, "op 'kiln.reduce_sum': axis out of range"
// CHECK: cf.assert %{{.*}}, "op 'kiln.reduce_sum': axes repeat an axis"
// CHECK: scf.if
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]
// CHECK: scf.if
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: tensor.reshape
func.func @reduce_sum(%x: tensor<3x4xf32>, %axes: tensor<1xsi64>) -> tensor<?xf32> {
  %0 = kiln.reduce_sum %x axes(%axes : tensor<1xsi64>) {axes = array<i64>, keepdims = false} : tensor<3x4xf32> -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func @squeeze
// CHECK: cf.assert %{{.*}}, "op 'kiln.squeeze': squeezed dimension is not 1"
// CHECK: tensor.reshape
func.func @squeeze(%x: tensor<1x3x1xf32>, %axes: tensor<2xsi64>) -> tensor<?xf32> {
  %0 = kiln.squeeze %x axes(%axes : tensor<2xsi64>) {axes = array<i64>} : tensor<1x3x1xf32> -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func @unsqueeze
// CHECK: tensor.reshape %{{.*}}(%{{.*}}) : (tensor<3x4xf32>, tensor<3xindex>) -> tensor<?x?x?xf32>
func.func @unsqueeze(%x: tensor<3x4xf32>, %axes: tensor<1xsi64>) -> tensor<?x?x?xf32> {
  %0 = kiln.unsqueeze %x axes(%axes : tensor<1xsi64>) {axes = array<i64>} : tensor<3x4xf32> -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

// Slice with run-time axes reads element by element (steps may be negative).
// CHECK-LABEL: func @slice
// CHECK: linalg.generic
// CHECK: tensor.extract
func.func @slice(%x: tensor<3x4xf32>, %s: tensor<1xsi64>, %e: tensor<1xsi64>, %st: tensor<1xsi64>, %axes: tensor<1xsi64>) -> tensor<?x?xf32> {
  %0 = kiln.slice %x, %s, %e, %st axes(%axes : tensor<1xsi64>) {axes = array<i64>} : tensor<3x4xf32>, tensor<1xsi64>, tensor<1xsi64>, tensor<1xsi64> -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
