// Rules that change floating-point results apply only with fast-math.
// RUN: kiln-opt %s --kiln-simplify=fast-math -split-input-file | FileCheck %s

// CHECK-LABEL: func @mul_zero
// CHECK-NEXT: %[[Z:.*]] = kiln.constant dense<0.000000e+00> : tensor<2x3xf32>
// CHECK-NEXT: return %[[Z]]
func.func @mul_zero(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %c = kiln.constant dense<0.0> : tensor<f32>
  %0 = kiln.mul %x, %c : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @sub_self
// CHECK-NEXT: %[[Z:.*]] = kiln.constant dense<0> : tensor<4xsi32>
// CHECK-NEXT: return %[[Z]]
func.func @sub_self(%x: tensor<4xsi32>) -> tensor<4xsi32> {
  %0 = kiln.sub %x, %x : (tensor<4xsi32>, tensor<4xsi32>) -> tensor<4xsi32>
  return %0 : tensor<4xsi32>
}

// -----

// An unknown size gives no constant to replace x - x with: kept.
// CHECK-LABEL: func @sub_self_dynamic
// CHECK: kiln.sub
func.func @sub_self_dynamic(%x: tensor<?xf32>) -> tensor<?xf32> {
  %0 = kiln.sub %x, %x : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func @div_constant
// CHECK: %[[R:.*]] = kiln.constant dense<[5.000000e-01, 0.333333343]> : tensor<2xf32>
// CHECK: kiln.mul %arg0, %[[R]]
func.func @div_constant(%x: tensor<2xf32>) -> tensor<2xf32> {
  %c = kiln.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %0 = kiln.div %x, %c : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
