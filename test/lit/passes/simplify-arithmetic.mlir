// Algebraic rules on elementwise ops (passes/simplify/ArithmeticRules.cpp):
// one function per rule, then the cases each rule must leave alone.
// RUN: kiln-opt %s --kiln-simplify -split-input-file | FileCheck %s

// x + 0 -> x (either operand order).
// CHECK-LABEL: func @add_zero
// CHECK-NEXT: return %arg0
func.func @add_zero(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %c = kiln.constant dense<0.0> : tensor<f32>
  %0 = kiln.add %c, %x : (tensor<f32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Adding zero that broadcasts x to a larger shape changes the shape: kept.
// CHECK-LABEL: func @add_zero_broadcasting
// CHECK: kiln.add
func.func @add_zero_broadcasting(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  %c = kiln.constant dense<0.0> : tensor<2x3xf32>
  %0 = kiln.add %x, %c : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @sub_zero
// CHECK-NEXT: return %arg0
func.func @sub_zero(%x: tensor<4xsi32>) -> tensor<4xsi32> {
  %c = kiln.constant dense<0> : tensor<4xsi32>
  %0 = kiln.sub %x, %c : (tensor<4xsi32>, tensor<4xsi32>) -> tensor<4xsi32>
  return %0 : tensor<4xsi32>
}

// -----

// 0 - x is not x.
// CHECK-LABEL: func @zero_minus_x
// CHECK: kiln.sub
func.func @zero_minus_x(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = kiln.constant dense<0.0> : tensor<4xf32>
  %0 = kiln.sub %c, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func @mul_one
// CHECK-NEXT: return %arg0
func.func @mul_one(%x: tensor<2xf32>) -> tensor<2xf32> {
  %c = kiln.constant dense<1.0> : tensor<2xf32>
  %0 = kiln.mul %c, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// A constant that is 1 only in some elements is not neutral.
// CHECK-LABEL: func @mul_not_all_one
// CHECK: kiln.mul
func.func @mul_not_all_one(%x: tensor<2xf32>) -> tensor<2xf32> {
  %c = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = kiln.mul %x, %c : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func @div_one
// CHECK-NEXT: return %arg0
func.func @div_one(%x: tensor<2xf64>) -> tensor<2xf64> {
  %c = kiln.constant dense<1.0> : tensor<f64>
  %0 = kiln.div %x, %c : (tensor<2xf64>, tensor<f64>) -> tensor<2xf64>
  return %0 : tensor<2xf64>
}

// -----

// CHECK-LABEL: func @pow_one
// CHECK-NEXT: return %arg0
func.func @pow_one(%x: tensor<2xf32>) -> tensor<2xf32> {
  %c = kiln.constant dense<1.0> : tensor<f32>
  %0 = kiln.pow %x, %c : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func @clip_unbounded
// CHECK-NEXT: return %arg0
func.func @clip_unbounded(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = kiln.clip %x : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func @where_true
// CHECK-NEXT: return %arg0
func.func @where_true(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  %c = kiln.constant dense<true> : tensor<3xi1>
  %0 = kiln.where %c, %a, %b : (tensor<3xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func @where_false
// CHECK-NEXT: return %arg1
func.func @where_false(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  %c = kiln.constant dense<false> : tensor<3xi1>
  %0 = kiln.where %c, %a, %b : (tensor<3xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// A mixed condition selects per element: kept.
// CHECK-LABEL: func @where_mixed
// CHECK: kiln.where
func.func @where_mixed(%a: tensor<2xf32>, %b: tensor<2xf32>) -> tensor<2xf32> {
  %c = kiln.constant dense<[true, false]> : tensor<2xi1>
  %0 = kiln.where %c, %a, %b : (tensor<2xi1>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func @idempotent
// CHECK-NEXT: return %arg0, %arg0, %arg1, %arg1
func.func @idempotent(%x: tensor<2xf32>, %b: tensor<2xi1>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xi1>, tensor<2xi1>) {
  %0 = kiln.max %x, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %1 = kiln.min %x, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %2 = kiln.and %b, %b : (tensor<2xi1>, tensor<2xi1>) -> tensor<2xi1>
  %3 = kiln.or %b, %b : (tensor<2xi1>, tensor<2xi1>) -> tensor<2xi1>
  return %0, %1, %2, %3 : tensor<2xf32>, tensor<2xf32>, tensor<2xi1>, tensor<2xi1>
}

// -----

// CHECK-LABEL: func @mul_minus_one
// CHECK-NEXT: %[[N:.*]] = kiln.neg %arg0
// CHECK-NEXT: return %[[N]]
func.func @mul_minus_one(%x: tensor<2xsi32>) -> tensor<2xsi32> {
  %c = kiln.constant dense<-1> : tensor<si32>
  %0 = kiln.mul %x, %c : (tensor<2xsi32>, tensor<si32>) -> tensor<2xsi32>
  return %0 : tensor<2xsi32>
}

// -----

// CHECK-LABEL: func @div_power_of_two
// CHECK: %[[C:.*]] = kiln.constant dense<1.250000e-01> : tensor<f32>
// CHECK: kiln.mul %arg0, %[[C]]
func.func @div_power_of_two(%x: tensor<2xf32>) -> tensor<2xf32> {
  %c = kiln.constant dense<8.0> : tensor<f32>
  %0 = kiln.div %x, %c : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// 1/3 is not exact: the division stays without --fast-math.
// CHECK-LABEL: func @div_by_three
// CHECK: kiln.div
func.func @div_by_three(%x: tensor<2xf32>) -> tensor<2xf32> {
  %c = kiln.constant dense<3.0> : tensor<f32>
  %0 = kiln.div %x, %c : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Integer division by a power of two is not a multiplication: kept.
// CHECK-LABEL: func @int_div_by_two
// CHECK: kiln.div
func.func @int_div_by_two(%x: tensor<2xsi32>) -> tensor<2xsi32> {
  %c = kiln.constant dense<2> : tensor<si32>
  %0 = kiln.div %x, %c : (tensor<2xsi32>, tensor<si32>) -> tensor<2xsi32>
  return %0 : tensor<2xsi32>
}

// -----

// CHECK-LABEL: func @pow_two
// CHECK-NEXT: %[[M:.*]] = kiln.mul %arg0, %arg0
// CHECK-NEXT: return %[[M]]
func.func @pow_two(%x: tensor<2xf32>) -> tensor<2xf32> {
  %c = kiln.constant dense<2.0> : tensor<f32>
  %0 = kiln.pow %x, %c : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func @pow_half
// CHECK-NEXT: kiln.sqrt %arg0
func.func @pow_half(%x: tensor<2xf32>) -> tensor<2xf32> {
  %c = kiln.constant dense<0.5> : tensor<f32>
  %0 = kiln.pow %x, %c : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func @pow_minus_one
// CHECK-NEXT: kiln.reciprocal %arg0
func.func @pow_minus_one(%x: tensor<2xf32>) -> tensor<2xf32> {
  %c = kiln.constant dense<-1.0> : tensor<f32>
  %0 = kiln.pow %x, %c : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// A run-time exponent is left alone.
// CHECK-LABEL: func @pow_runtime
// CHECK: kiln.pow
func.func @pow_runtime(%x: tensor<2xf32>, %e: tensor<f32>) -> tensor<2xf32> {
  %0 = kiln.pow %x, %e : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func @neg_neg
// CHECK-NEXT: return %arg0
func.func @neg_neg(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = kiln.neg %x : tensor<2xf32>
  %1 = kiln.neg %0 : tensor<2xf32>
  return %1 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func @add_neg
// CHECK-NEXT: %[[S:.*]] = kiln.sub %arg0, %arg1
// CHECK-NEXT: return %[[S]]
func.func @add_neg(%a: tensor<2xf32>, %b: tensor<2xf32>) -> tensor<2xf32> {
  %0 = kiln.neg %b : tensor<2xf32>
  %1 = kiln.add %0, %a : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %1 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func @sub_neg
// CHECK-NEXT: %[[S:.*]] = kiln.add %arg0, %arg1
// CHECK-NEXT: return %[[S]]
func.func @sub_neg(%a: tensor<2xf32>, %b: tensor<2xf32>) -> tensor<2xf32> {
  %0 = kiln.neg %b : tensor<2xf32>
  %1 = kiln.sub %a, %0 : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %1 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func @neg_times_neg
// CHECK-NEXT: %[[M:.*]] = kiln.mul %arg0, %arg1
// CHECK-NEXT: return %[[M]]
func.func @neg_times_neg(%a: tensor<2xf32>, %b: tensor<2xf32>) -> tensor<2xf32> {
  %0 = kiln.neg %a : tensor<2xf32>
  %1 = kiln.neg %b : tensor<2xf32>
  %2 = kiln.mul %0, %1 : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %2 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func @relu_relu
// CHECK-NEXT: %[[R:.*]] = kiln.relu %arg0
// CHECK-NEXT: return %[[R]]
func.func @relu_relu(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = kiln.relu %x : tensor<2xf32>
  %1 = kiln.relu %0 : tensor<2xf32>
  return %1 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func @abs_rules
// CHECK-NEXT: %[[A:.*]] = kiln.abs %arg0
// CHECK-NEXT: %[[B:.*]] = kiln.abs %arg0
// CHECK-NEXT: return %[[A]], %[[B]]
func.func @abs_rules(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  %0 = kiln.abs %x : tensor<2xf32>
  %1 = kiln.abs %0 : tensor<2xf32>
  %2 = kiln.neg %x : tensor<2xf32>
  %3 = kiln.abs %2 : tensor<2xf32>
  return %1, %3 : tensor<2xf32>, tensor<2xf32>
}

// -----

// CHECK-LABEL: func @relu_of_clip
// CHECK-NEXT: %[[C:.*]] = kiln.clip %arg0
// CHECK-NEXT: return %[[C]]
func.func @relu_of_clip(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = kiln.clip %x {min = 0.0 : f32, max = 6.0 : f32} : tensor<2xf32>
  %1 = kiln.relu %0 : tensor<2xf32>
  return %1 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func @clip_of_relu
// CHECK-NEXT: %[[C:.*]] = kiln.clip %arg0 {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32}
// CHECK-NEXT: return %[[C]]
func.func @clip_of_relu(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = kiln.relu %x : tensor<2xf32>
  %1 = kiln.clip %0 {min = 0.0 : f32, max = 6.0 : f32} : tensor<2xf32>
  return %1 : tensor<2xf32>
}

// -----

// A negative lower bound lets relu matter: kept.
// CHECK-LABEL: func @clip_negative_of_relu
// CHECK: kiln.relu
// CHECK: kiln.clip
func.func @clip_negative_of_relu(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = kiln.relu %x : tensor<2xf32>
  %1 = kiln.clip %0 {min = -1.0 : f32, max = 6.0 : f32} : tensor<2xf32>
  return %1 : tensor<2xf32>
}

// -----

// x - c -> x + (-c), then constants re-associate: ((x - 1) + 3) * 2 * 4.
// CHECK-LABEL: func @reassociate
// CHECK-DAG: %[[A:.*]] = kiln.constant dense<2.000000e+00> : tensor<f32>
// CHECK-DAG: %[[M:.*]] = kiln.constant dense<8.000000e+00> : tensor<f32>
// CHECK: %[[S:.*]] = kiln.add %arg0, %[[A]]
// CHECK: kiln.mul %[[S]], %[[M]]
func.func @reassociate(%x: tensor<2xf32>) -> tensor<2xf32> {
  %c1 = kiln.constant dense<1.0> : tensor<f32>
  %c3 = kiln.constant dense<3.0> : tensor<f32>
  %c2 = kiln.constant dense<2.0> : tensor<f32>
  %c4 = kiln.constant dense<4.0> : tensor<f32>
  %0 = kiln.sub %x, %c1 : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  %1 = kiln.add %0, %c3 : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  %2 = kiln.mul %1, %c2 : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  %3 = kiln.mul %c4, %2 : (tensor<f32>, tensor<2xf32>) -> tensor<2xf32>
  return %3 : tensor<2xf32>
}

// -----

// The inner product is used twice: re-associating would compute it twice.
// CHECK-LABEL: func @reassociate_shared
// CHECK-COUNT-2: kiln.mul
func.func @reassociate_shared(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  %c2 = kiln.constant dense<2.0> : tensor<f32>
  %c3 = kiln.constant dense<3.0> : tensor<f32>
  %0 = kiln.mul %x, %c2 : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  %1 = kiln.mul %0, %c3 : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  return %0, %1 : tensor<2xf32>, tensor<2xf32>
}

// -----

// Unsigned subtraction of a constant is not rewritten (no negation).
// CHECK-LABEL: func @unsigned_sub
// CHECK: kiln.sub
func.func @unsigned_sub(%x: tensor<2xui8>) -> tensor<2xui8> {
  %c = kiln.constant dense<1> : tensor<ui8>
  %0 = kiln.sub %x, %c : (tensor<2xui8>, tensor<ui8>) -> tensor<2xui8>
  return %0 : tensor<2xui8>
}

// -----

// a*b + a*c -> a*(b + c).
// CHECK-LABEL: func @factorise
// CHECK-NEXT: %[[S:.*]] = kiln.add %arg1, %arg2
// CHECK-NEXT: %[[M:.*]] = kiln.mul %arg0, %[[S]]
// CHECK-NEXT: return %[[M]]
func.func @factorise(%a: tensor<2xf32>, %b: tensor<2xf32>, %c: tensor<2xf32>) -> tensor<2xf32> {
  %0 = kiln.mul %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %1 = kiln.mul %c, %a : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %2 = kiln.add %0, %1 : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %2 : tensor<2xf32>
}

// -----

// No common factor: kept.
// CHECK-LABEL: func @no_common_factor
// CHECK-COUNT-2: kiln.mul
func.func @no_common_factor(%a: tensor<2xf32>, %b: tensor<2xf32>, %c: tensor<2xf32>, %d: tensor<2xf32>) -> tensor<2xf32> {
  %0 = kiln.mul %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %1 = kiln.mul %c, %d : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %2 = kiln.add %0, %1 : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %2 : tensor<2xf32>
}

// -----

// f16 -> f32 -> f64 loses nothing in the middle; si8 -> si32 -> si8 is x.
// CHECK-LABEL: func @cast_chain
// CHECK-NEXT: %[[C:.*]] = kiln.cast %arg0 {to = f64} : tensor<2xf16> -> tensor<2xf64>
// CHECK-NEXT: return %[[C]], %arg1
func.func @cast_chain(%x: tensor<2xf16>, %i: tensor<2xsi8>) -> (tensor<2xf64>, tensor<2xsi8>) {
  %0 = kiln.cast %x {to = f32} : tensor<2xf16> -> tensor<2xf32>
  %1 = kiln.cast %0 {to = f64} : tensor<2xf32> -> tensor<2xf64>
  %2 = kiln.cast %i {to = si32} : tensor<2xsi8> -> tensor<2xsi32>
  %3 = kiln.cast %2 {to = si8} : tensor<2xsi32> -> tensor<2xsi8>
  return %1, %3 : tensor<2xf64>, tensor<2xsi8>
}

// -----

// f32 -> f16 -> f32 rounds in the middle: kept.
// CHECK-LABEL: func @cast_chain_lossy
// CHECK-COUNT-2: kiln.cast
func.func @cast_chain_lossy(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = kiln.cast %x {to = f16} : tensor<2xf32> -> tensor<2xf16>
  %1 = kiln.cast %0 {to = f32} : tensor<2xf16> -> tensor<2xf32>
  return %1 : tensor<2xf32>
}

// -----

// x * 0 and x - x are not rewritten without --fast-math (inf, NaN).
// CHECK-LABEL: func @no_fast_math
// CHECK: kiln.mul
// CHECK: kiln.sub
func.func @no_fast_math(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  %c = kiln.constant dense<0.0> : tensor<f32>
  %0 = kiln.mul %x, %c : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  %1 = kiln.sub %x, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0, %1 : tensor<2xf32>, tensor<2xf32>
}

// -----

// Dynamic shapes: the rules that need no static shape still apply.
// CHECK-LABEL: func @dynamic
// CHECK-NEXT: return %arg0
func.func @dynamic(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %c = kiln.constant dense<1.0> : tensor<f32>
  %0 = kiln.mul %x, %c : (tensor<?x?xf32>, tensor<f32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
