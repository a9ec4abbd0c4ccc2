// The rest of the elementwise family: predicates give i1, comparisons pick
// ordered float / signed / unsigned predicates, Mod follows the divisor's
// sign unless fmod, shifts clamp at the bit width.
// RUN: kiln-opt %s --kiln-convert-to-linalg --canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func @compare
// CHECK: arith.cmpf olt
// CHECK: arith.cmpi ult
// CHECK: arith.cmpi sge
// CHECK: arith.cmpf oeq
func.func @compare(%a: tensor<4xf32>, %u: tensor<4xui8>, %s: tensor<4xsi32>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = kiln.less %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %1 = kiln.less %u, %u : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xi1>
  %2 = kiln.greater_equal %s, %s : (tensor<4xsi32>, tensor<4xsi32>) -> tensor<4xi1>
  %3 = kiln.equal %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return %0, %1, %2, %3 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// CHECK-LABEL: func @where
// CHECK: linalg.generic
// CHECK: arith.select
func.func @where(%c: tensor<2x1xi1>, %a: tensor<3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.where %c, %a, %b : (tensor<2x1xi1>, tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @mod
// CHECK: arith.remsi
// CHECK: arith.xori
// CHECK: arith.addi
// CHECK: arith.remf
func.func @mod(%a: tensor<4xsi32>, %f: tensor<4xf32>) -> (tensor<4xsi32>, tensor<4xf32>) {
  %0 = kiln.mod %a, %a : (tensor<4xsi32>, tensor<4xsi32>) -> tensor<4xsi32>
  %1 = kiln.mod %f, %f {fmod = true} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xsi32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func @shift
// CHECK: arith.cmpi uge
// CHECK: arith.shrui
// CHECK: arith.select
func.func @shift(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  %0 = kiln.bit_shift %a, %b {right = true} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// CHECK-LABEL: func @predicates
// CHECK: arith.cmpf uno
// CHECK: arith.cmpf oeq
func.func @predicates(%x: tensor<4xf32>) -> (tensor<4xi1>, tensor<4xi1>) {
  %0 = kiln.is_nan %x : tensor<4xf32> -> tensor<4xi1>
  %1 = kiln.is_inf %x {detect_negative = false} : tensor<4xf32> -> tensor<4xi1>
  return %0, %1 : tensor<4xi1>, tensor<4xi1>
}

// -----

// CHECK-LABEL: func @activations
// CHECK: math.exp
// CHECK: math.erf
// CHECK: math.tanh
// CHECK: math.roundeven
func.func @activations(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.elu %x {alpha = 1.0 : f32} : tensor<4xf32>
  %1 = kiln.gelu %0 : tensor<4xf32>
  %2 = kiln.gelu %1 {tanh_approximation = true} : tensor<4xf32>
  %3 = kiln.round %2 : tensor<4xf32>
  return %3 : tensor<4xf32>
}
