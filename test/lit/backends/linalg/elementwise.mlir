// Elementwise ops become one linalg.generic over the broadcast shape;
// signedness picks the arithmetic and is dropped from the types.
// RUN: kiln-opt %s --kiln-convert-to-linalg --canonicalize -split-input-file | FileCheck %s

// Static broadcasting reads the smaller operand through its own map.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @add_bias
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK: arith.addf
func.func @add_bias(%a: tensor<2x4xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = kiln.add %a, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// A size-1 dimension against another size broadcasts with index 0.
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func @unit_dim
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[B]], #{{.*}}]
func.func @unit_dim(%a: tensor<3x4xf32>, %b: tensor<1x4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.sub %a, %b : (tensor<3x4xf32>, tensor<1x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// Two dynamic dimensions that may be 1 at run time: the output size is the
// one that is not 1, checked at run time, and an operand is broadcast by a
// copy only when its size differs.
// CHECK-LABEL: func @runtime_broadcast
// CHECK: cf.assert %{{.*}}, "op 'kiln.mul': operand shapes do not broadcast"
// CHECK: scf.if
// CHECK: tensor.extract
// CHECK: linalg.generic
// CHECK: arith.mulf
func.func @runtime_broadcast(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = kiln.mul %a, %b : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Unsigned and signed integer division, signless afterwards.
// CHECK-LABEL: func @int_div(%{{.*}}: tensor<4xi8>, %{{.*}}: tensor<4xi8>, %{{.*}}: tensor<4xi32>, %{{.*}}: tensor<4xi32>)
// CHECK: arith.divui
// CHECK: arith.divsi
func.func @int_div(%a: tensor<4xui8>, %b: tensor<4xui8>, %c: tensor<4xsi32>, %d: tensor<4xsi32>) -> (tensor<4xui8>, tensor<4xsi32>) {
  %0 = kiln.div %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %1 = kiln.div %c, %d : (tensor<4xsi32>, tensor<4xsi32>) -> tensor<4xsi32>
  return %0, %1 : tensor<4xui8>, tensor<4xsi32>
}

// -----

// Unary ops and their scalar forms.
// CHECK-LABEL: func @unary
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: math.tanh
// CHECK: math.erf
// CHECK: math.sqrt
// CHECK: math.absf
// CHECK: arith.negf
// CHECK: arith.cmpf olt
// CHECK: arith.select
func.func @unary(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = kiln.relu %x : tensor<8xf32>
  %1 = kiln.sigmoid %0 : tensor<8xf32>
  %2 = kiln.tanh %1 : tensor<8xf32>
  %3 = kiln.erf %2 : tensor<8xf32>
  %4 = kiln.sqrt %3 : tensor<8xf32>
  %5 = kiln.abs %4 : tensor<8xf32>
  %6 = kiln.neg %5 : tensor<8xf32>
  %7 = kiln.leaky_relu %6 {alpha = 0.1 : f32} : tensor<8xf32>
  return %7 : tensor<8xf32>
}

// -----

// Integer Relu and Abs use integer max / absi; unsigned Abs is the identity.
// CHECK-LABEL: func @int_unary
// CHECK: arith.maxsi
// CHECK: math.absi
func.func @int_unary(%x: tensor<8xsi32>, %u: tensor<8xui8>) -> (tensor<8xsi32>, tensor<8xui8>) {
  %0 = kiln.relu %x : tensor<8xsi32>
  %1 = kiln.abs %0 : tensor<8xsi32>
  %2 = kiln.abs %u : tensor<8xui8>
  return %1, %2 : tensor<8xsi32>, tensor<8xui8>
}

// -----

// Clip bounds become constants of the (signless) element type.
// CHECK-LABEL: func @clip
// CHECK-DAG: arith.constant -2 : i32
// CHECK-DAG: arith.constant 7 : i32
// CHECK: arith.maxsi
// CHECK: arith.minsi
func.func @clip(%x: tensor<8xsi32>) -> tensor<8xsi32> {
  %0 = kiln.clip %x {min = -2 : si32, max = 7 : si32} : tensor<8xsi32>
  return %0 : tensor<8xsi32>
}

// -----

// Cast: float to unsigned, bool to float, narrowing and widening integers.
// CHECK-LABEL: func @casts
// CHECK: arith.fptoui
// CHECK: arith.uitofp
// CHECK: arith.trunci
// CHECK: arith.extsi
// CHECK: arith.cmpf une
func.func @casts(%f: tensor<4xf32>, %b: tensor<4xi1>, %i: tensor<4xsi64>, %s: tensor<4xsi8>) -> (tensor<4xui8>, tensor<4xf16>, tensor<4xsi16>, tensor<4xsi32>, tensor<4xi1>) {
  %0 = kiln.cast %f {to = ui8} : tensor<4xf32> -> tensor<4xui8>
  %1 = kiln.cast %b {to = f16} : tensor<4xi1> -> tensor<4xf16>
  %2 = kiln.cast %i {to = si16} : tensor<4xsi64> -> tensor<4xsi16>
  %3 = kiln.cast %s {to = si32} : tensor<4xsi8> -> tensor<4xsi32>
  %4 = kiln.cast %f {to = i1} : tensor<4xf32> -> tensor<4xi1>
  return %0, %1, %2, %3, %4 : tensor<4xui8>, tensor<4xf16>, tensor<4xsi16>, tensor<4xsi32>, tensor<4xi1>
}

// -----

// Pow of an integer base computes in f64 and converts back.
// CHECK-LABEL: func @int_pow
// CHECK: arith.sitofp %{{.*}} : i32 to f64
// CHECK: math.powf %{{.*}}, %{{.*}} : f64
// CHECK: arith.fptosi %{{.*}} : f64 to i32
func.func @int_pow(%x: tensor<4xsi32>, %e: tensor<4xsi32>) -> tensor<4xsi32> {
  %0 = kiln.pow %x, %e : (tensor<4xsi32>, tensor<4xsi32>) -> tensor<4xsi32>
  return %0 : tensor<4xsi32>
}
