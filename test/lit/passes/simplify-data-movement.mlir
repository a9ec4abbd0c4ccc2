// Rules on reshapes, transposes, pads, slices, tiles and concats
// (passes/simplify/DataMovementRules.cpp).
// RUN: kiln-opt %s --kiln-simplify -split-input-file | FileCheck %s

// CHECK-LABEL: func @reshape_chain
// CHECK-NEXT: %[[S:.*]] = kiln.constant dense<[3, 4]> : tensor<2xsi64>
// CHECK-NEXT: %[[R:.*]] = kiln.reshape %arg0, %[[S]] {allow_zero = true}
// CHECK-NEXT: return %[[R]]
func.func @reshape_chain(%x: tensor<2x6xf32>) -> tensor<3x4xf32> {
  %s1 = kiln.constant dense<[12]> : tensor<1xsi64>
  %s2 = kiln.constant dense<[3, 4]> : tensor<2xsi64>
  %0 = kiln.reshape %x, %s1 : (tensor<2x6xf32>, tensor<1xsi64>) -> tensor<12xf32>
  %1 = kiln.reshape %0, %s2 : (tensor<12xf32>, tensor<2xsi64>) -> tensor<3x4xf32>
  return %1 : tensor<3x4xf32>
}

// -----

// Dynamic: the outer target copies a dimension (0) of the intermediate
// shape, so it cannot read x directly.
// CHECK-LABEL: func @reshape_chain_copy_dim
// CHECK-COUNT-2: kiln.reshape
func.func @reshape_chain_copy_dim(%x: tensor<?x6xf32>) -> tensor<?x3x2xf32> {
  %s1 = kiln.constant dense<[-1, 3, 2]> : tensor<3xsi64>
  %s2 = kiln.constant dense<[0, 3, 2]> : tensor<3xsi64>
  %0 = kiln.reshape %x, %s1 : (tensor<?x6xf32>, tensor<3xsi64>) -> tensor<?x3x2xf32>
  %1 = kiln.reshape %0, %s2 : (tensor<?x3x2xf32>, tensor<3xsi64>) -> tensor<?x3x2xf32>
  return %1 : tensor<?x3x2xf32>
}

// -----

// Dynamic with an explicit target: reads x directly.
// CHECK-LABEL: func @reshape_chain_dynamic
// CHECK: %[[S:.*]] = kiln.constant dense<[-1, 2]>
// CHECK-NEXT: %[[R:.*]] = kiln.reshape %arg0, %[[S]]
// CHECK-NEXT: return %[[R]]
func.func @reshape_chain_dynamic(%x: tensor<?x6xf32>) -> tensor<?x2xf32> {
  %s1 = kiln.constant dense<[-1]> : tensor<1xsi64>
  %s2 = kiln.constant dense<[-1, 2]> : tensor<2xsi64>
  %0 = kiln.reshape %x, %s1 : (tensor<?x6xf32>, tensor<1xsi64>) -> tensor<?xf32>
  %1 = kiln.reshape %0, %s2 : (tensor<?xf32>, tensor<2xsi64>) -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}

// -----

// Unsqueeze then squeeze of the same axis: nothing left.
// CHECK-LABEL: func @squeeze_unsqueeze
// CHECK-NEXT: return %arg0
func.func @squeeze_unsqueeze(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.unsqueeze %x {axes = array<i64: 1>} : tensor<3x4xf32> -> tensor<3x1x4xf32>
  %1 = kiln.squeeze %0 {axes = array<i64: 1>} : tensor<3x1x4xf32> -> tensor<3x4xf32>
  return %1 : tensor<3x4xf32>
}

// -----

// CHECK-LABEL: func @flatten_to_reshape
// CHECK: kiln.reshape
// CHECK-NOT: kiln.flatten
func.func @flatten_to_reshape(%x: tensor<2x3x4xf32>) -> tensor<2x12xf32> {
  %0 = kiln.flatten %x {axis = 1 : i64} : tensor<2x3x4xf32> -> tensor<2x12xf32>
  return %0 : tensor<2x12xf32>
}

// -----

// Squeeze with an unknown size stays a squeeze (its run-time check stays).
// CHECK-LABEL: func @squeeze_dynamic
// CHECK: kiln.squeeze
func.func @squeeze_dynamic(%x: tensor<?x1xf32>) -> tensor<?xf32> {
  %0 = kiln.squeeze %x {axes = array<i64: 1>} : tensor<?x1xf32> -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func @transpose_transpose
// CHECK-NEXT: %[[T:.*]] = kiln.transpose %arg0 {perm = array<i64: 2, 0, 1>}
// CHECK-NEXT: return %[[T]]
func.func @transpose_transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = kiln.transpose %x {perm = array<i64: 1, 0, 2>} : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  %1 = kiln.transpose %0 {perm = array<i64: 2, 1, 0>} : tensor<3x2x4xf32> -> tensor<4x2x3xf32>
  return %1 : tensor<4x2x3xf32>
}

// -----

// Transposes that cancel: nothing left.
// CHECK-LABEL: func @transpose_cancel
// CHECK-NEXT: return %arg0
func.func @transpose_cancel(%x: tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32> {
  %0 = kiln.transpose %x {perm = array<i64: 0, 2, 3, 1>} : tensor<2x3x4x5xf32> -> tensor<2x4x5x3xf32>
  %1 = kiln.transpose %0 {perm = array<i64: 0, 3, 1, 2>} : tensor<2x4x5x3xf32> -> tensor<2x3x4x5xf32>
  return %1 : tensor<2x3x4x5xf32>
}

// -----

// Moving only a unit dimension moves no data.
// CHECK-LABEL: func @transpose_unit
// CHECK: kiln.reshape
// CHECK-NOT: kiln.transpose
func.func @transpose_unit(%x: tensor<1x3x4xf32>) -> tensor<3x1x4xf32> {
  %0 = kiln.transpose %x {perm = array<i64: 1, 0, 2>} : tensor<1x3x4xf32> -> tensor<3x1x4xf32>
  return %0 : tensor<3x1x4xf32>
}

// -----

// CHECK-LABEL: func @transpose_moves_data
// CHECK: kiln.transpose
func.func @transpose_moves_data(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %0 = kiln.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func @neutral_data_movement
// CHECK-NEXT: return %arg0, %arg0, %arg0, %arg0, %arg0
func.func @neutral_data_movement(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %shape = kiln.constant dense<[2, 3]> : tensor<2xsi64>
  %e = kiln.expand %x, %shape : (tensor<2x3xf32>, tensor<2xsi64>) -> tensor<2x3xf32>
  %pads = kiln.constant dense<0> : tensor<4xsi64>
  %p = kiln.pad %x, %pads {axes = array<i64: 0, 1>} : (tensor<2x3xf32>, tensor<4xsi64>) -> tensor<2x3xf32>
  %z = kiln.constant dense<0> : tensor<1xsi64>
  %end = kiln.constant dense<100> : tensor<1xsi64>
  %one = kiln.constant dense<1> : tensor<1xsi64>
  %s = kiln.slice %x, %z, %end, %one {axes = array<i64: 1>} : tensor<2x3xf32>, tensor<1xsi64>, tensor<1xsi64>, tensor<1xsi64> -> tensor<2x3xf32>
  %reps = kiln.constant dense<1> : tensor<2xsi64>
  %t = kiln.tile %x, %reps : (tensor<2x3xf32>, tensor<2xsi64>) -> tensor<2x3xf32>
  %c = kiln.concat %x {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %e, %p, %s, %t, %c : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// With dynamic dimensions equal types prove nothing: ?x? may broadcast 3x1
// to 3x4 at run time (ONNX test_expand_dim_unchanged). Kept.
// CHECK-LABEL: func @expand_dynamic_kept
// CHECK: kiln.expand
func.func @expand_dynamic_kept(%x: tensor<?x?xf32>, %shape: tensor<2xsi64>) -> tensor<?x?xf32> {
  %e = kiln.expand %x, %shape : (tensor<?x?xf32>, tensor<2xsi64>) -> tensor<?x?xf32>
  return %e : tensor<?x?xf32>
}

// -----

// A full-length slice that steps backwards reverses: kept. A slice that
// starts later is kept.
// CHECK-LABEL: func @slice_not_full
// CHECK-COUNT-2: kiln.slice
func.func @slice_not_full(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<3xf32>) {
  %m1 = kiln.constant dense<-1> : tensor<1xsi64>
  %big = kiln.constant dense<-100> : tensor<1xsi64>
  %0 = kiln.slice %x, %m1, %big, %m1 {axes = array<i64: 0>} : tensor<4xf32>, tensor<1xsi64>, tensor<1xsi64>, tensor<1xsi64> -> tensor<4xf32>
  %one = kiln.constant dense<1> : tensor<1xsi64>
  %end = kiln.constant dense<4> : tensor<1xsi64>
  %1 = kiln.slice %x, %one, %end, %one {axes = array<i64: 0>} : tensor<4xf32>, tensor<1xsi64>, tensor<1xsi64>, tensor<1xsi64> -> tensor<3xf32>
  return %0, %1 : tensor<4xf32>, tensor<3xf32>
}

// -----

// CHECK-LABEL: func @concat_drop_empty
// CHECK-NEXT: %[[C:.*]] = kiln.concat %arg0, %arg2 {axis = 1 : i64}
// CHECK-NEXT: return %[[C]]
func.func @concat_drop_empty(%a: tensor<2x3xf32>, %b: tensor<2x0xf32>, %c: tensor<2x1xf32>) -> tensor<2x4xf32> {
  %0 = kiln.concat %a, %b, %c {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x0xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Zero-size tensors and scalars go through the rules without harm.
// CHECK-LABEL: func @edge_shapes
// CHECK-NEXT: return %arg0, %arg1
func.func @edge_shapes(%x: tensor<0x3xf32>, %s: tensor<f32>) -> (tensor<0x3xf32>, tensor<f32>) {
  %one = kiln.constant dense<1.0> : tensor<f32>
  %0 = kiln.mul %x, %one : (tensor<0x3xf32>, tensor<f32>) -> tensor<0x3xf32>
  %1 = kiln.mul %s, %one : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0, %1 : tensor<0x3xf32>, tensor<f32>
}
