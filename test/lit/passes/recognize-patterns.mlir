// Exporters' decompositions folded back into composite ops.
// RUN: kiln-opt %s --kiln-recognize-patterns -split-input-file | FileCheck %s

// CHECK-LABEL: func @layer_norm
// CHECK-NEXT: %[[Y:.*]] = kiln.layer_norm %arg0, %arg1, %arg2 {axis = 2 : i64, epsilon = 9.99999996E-13 : f32}
// CHECK-NEXT: return %[[Y]]
func.func @layer_norm(%x: tensor<2x3x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x3x8xf32> {
  %eps = kiln.constant dense<1.0e-12> : tensor<f32>
  %m = kiln.reduce_mean %x {axes = array<i64: 2>} : tensor<2x3x8xf32> -> tensor<2x3x1xf32>
  %d = kiln.sub %x, %m : (tensor<2x3x8xf32>, tensor<2x3x1xf32>) -> tensor<2x3x8xf32>
  %sq = kiln.mul %d, %d : (tensor<2x3x8xf32>, tensor<2x3x8xf32>) -> tensor<2x3x8xf32>
  %v = kiln.reduce_mean %sq {axes = array<i64: 2>} : tensor<2x3x8xf32> -> tensor<2x3x1xf32>
  %ve = kiln.add %v, %eps : (tensor<2x3x1xf32>, tensor<f32>) -> tensor<2x3x1xf32>
  %sd = kiln.sqrt %ve : tensor<2x3x1xf32>
  %n = kiln.div %d, %sd : (tensor<2x3x8xf32>, tensor<2x3x1xf32>) -> tensor<2x3x8xf32>
  %s = kiln.mul %g, %n : (tensor<8xf32>, tensor<2x3x8xf32>) -> tensor<2x3x8xf32>
  %y = kiln.add %s, %b : (tensor<2x3x8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  return %y : tensor<2x3x8xf32>
}

// -----

// Over two trailing axes, with Pow(d, 2), without scale and bias.
// CHECK-LABEL: func @layer_norm_two_axes
// CHECK-NEXT: %[[Y:.*]] = kiln.layer_norm %arg0 {axis = 1 : i64} :
// CHECK-NEXT: return %[[Y]]
func.func @layer_norm_two_axes(%x: tensor<2x3x8xf32>) -> tensor<2x3x8xf32> {
  %eps = kiln.constant dense<1.0e-5> : tensor<f32>
  %two = kiln.constant dense<2.0> : tensor<f32>
  %m = kiln.reduce_mean %x {axes = array<i64: 1, 2>} : tensor<2x3x8xf32> -> tensor<2x1x1xf32>
  %d = kiln.sub %x, %m : (tensor<2x3x8xf32>, tensor<2x1x1xf32>) -> tensor<2x3x8xf32>
  %sq = kiln.pow %d, %two : (tensor<2x3x8xf32>, tensor<f32>) -> tensor<2x3x8xf32>
  %v = kiln.reduce_mean %sq {axes = array<i64: 1, 2>} : tensor<2x3x8xf32> -> tensor<2x1x1xf32>
  %ve = kiln.add %eps, %v : (tensor<f32>, tensor<2x1x1xf32>) -> tensor<2x1x1xf32>
  %sd = kiln.sqrt %ve : tensor<2x1x1xf32>
  %n = kiln.div %d, %sd : (tensor<2x3x8xf32>, tensor<2x1x1xf32>) -> tensor<2x3x8xf32>
  return %n : tensor<2x3x8xf32>
}

// -----

// The mean is also returned: folding would compute it twice. A scale that
// varies along a non-normalised axis does not join either.
// CHECK-LABEL: func @layer_norm_shared_mean
// CHECK-NOT: kiln.layer_norm
func.func @layer_norm_shared_mean(%x: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x1xf32>) {
  %eps = kiln.constant dense<1.0e-5> : tensor<f32>
  %m = kiln.reduce_mean %x {axes = array<i64: 1>} : tensor<2x8xf32> -> tensor<2x1xf32>
  %d = kiln.sub %x, %m : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>
  %sq = kiln.mul %d, %d : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %v = kiln.reduce_mean %sq {axes = array<i64: 1>} : tensor<2x8xf32> -> tensor<2x1xf32>
  %ve = kiln.add %v, %eps : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %sd = kiln.sqrt %ve : tensor<2x1xf32>
  %n = kiln.div %d, %sd : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>
  return %n, %m : tensor<2x8xf32>, tensor<2x1xf32>
}

// -----

// Statistics over a leading axis are not a layer norm.
// CHECK-LABEL: func @not_trailing
// CHECK-NOT: kiln.layer_norm
func.func @not_trailing(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %eps = kiln.constant dense<1.0e-5> : tensor<f32>
  %m = kiln.reduce_mean %x {axes = array<i64: 0>} : tensor<2x8xf32> -> tensor<1x8xf32>
  %d = kiln.sub %x, %m : (tensor<2x8xf32>, tensor<1x8xf32>) -> tensor<2x8xf32>
  %sq = kiln.mul %d, %d : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %v = kiln.reduce_mean %sq {axes = array<i64: 0>} : tensor<2x8xf32> -> tensor<1x8xf32>
  %ve = kiln.add %v, %eps : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %sd = kiln.sqrt %ve : tensor<1x8xf32>
  %n = kiln.div %d, %sd : (tensor<2x8xf32>, tensor<1x8xf32>) -> tensor<2x8xf32>
  return %n : tensor<2x8xf32>
}

// -----

// GELU, erf form as PyTorch writes it: x * 0.5 * (1 + erf(x / sqrt(2))).
// CHECK-LABEL: func @gelu_erf
// CHECK-NEXT: %[[G:.*]] = kiln.gelu %arg0 : tensor<4xf32>
// CHECK-NEXT: return %[[G]]
func.func @gelu_erf(%x: tensor<4xf32>) -> tensor<4xf32> {
  %half = kiln.constant dense<0.5> : tensor<f32>
  %one = kiln.constant dense<1.0> : tensor<f32>
  %r2 = kiln.constant dense<1.41421354> : tensor<f32>
  %u = kiln.div %x, %r2 : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %e = kiln.erf %u : tensor<4xf32>
  %a = kiln.add %e, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %h = kiln.mul %x, %half : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %y = kiln.mul %h, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// GELU, tanh form, with x * 0.7978... and (x * x) * x, factors reordered.
// CHECK-LABEL: func @gelu_tanh
// CHECK-NEXT: %[[G:.*]] = kiln.gelu %arg0 {tanh_approximation = true}
// CHECK-NEXT: return %[[G]]
func.func @gelu_tanh(%x: tensor<4xf32>) -> tensor<4xf32> {
  %half = kiln.constant dense<0.5> : tensor<f32>
  %one = kiln.constant dense<1.0> : tensor<f32>
  %k = kiln.constant dense<0.044715> : tensor<f32>
  %c = kiln.constant dense<0.797884583> : tensor<f32>
  %x2 = kiln.mul %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %x3 = kiln.mul %x, %x2 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %kx3 = kiln.mul %x3, %k : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %in = kiln.add %x, %kx3 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %t0 = kiln.mul %c, %in : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %t = kiln.tanh %t0 : tensor<4xf32>
  %a = kiln.add %one, %t : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %xa = kiln.mul %x, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %y = kiln.mul %half, %xa : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// The wrong constant (1/2 of erf(x / 2)) is not GELU.
// CHECK-LABEL: func @not_gelu
// CHECK-NOT: kiln.gelu
func.func @not_gelu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %half = kiln.constant dense<0.5> : tensor<f32>
  %one = kiln.constant dense<1.0> : tensor<f32>
  %two = kiln.constant dense<2.0> : tensor<f32>
  %u = kiln.div %x, %two : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %e = kiln.erf %u : tensor<4xf32>
  %a = kiln.add %e, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %h = kiln.mul %x, %half : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %y = kiln.mul %h, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// CHECK-LABEL: func @silu_and_hard_swish
// CHECK-NEXT: %[[S:.*]] = kiln.silu %arg0
// CHECK-NEXT: %[[H:.*]] = kiln.hard_swish %arg0
// CHECK-NEXT: %[[R:.*]] = kiln.hard_swish %arg0
// CHECK-NEXT: return %[[S]], %[[H]], %[[R]]
func.func @silu_and_hard_swish(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %s = kiln.sigmoid %x : tensor<4xf32>
  %y = kiln.mul %s, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %hs = kiln.hard_sigmoid %x {alpha = 0.166666672 : f32, beta = 5.000000e-01 : f32} : tensor<4xf32>
  %h = kiln.mul %x, %hs : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %three = kiln.constant dense<3.0> : tensor<f32>
  %six = kiln.constant dense<6.0> : tensor<f32>
  %p = kiln.add %x, %three : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %c = kiln.clip %p {min = 0.0 : f32, max = 6.0 : f32} : tensor<4xf32>
  %m = kiln.mul %x, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %r = kiln.div %m, %six : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %y, %h, %r : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// x * sigmoid(y) with y != x is a gate, not SiLU.
// CHECK-LABEL: func @gate
// CHECK-NOT: kiln.silu
func.func @gate(%x: tensor<4xf32>, %g: tensor<4xf32>) -> tensor<4xf32> {
  %s = kiln.sigmoid %g : tensor<4xf32>
  %y = kiln.mul %x, %s : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// CHECK-LABEL: func @softmax
// CHECK-NEXT: %[[A:.*]] = kiln.softmax %arg0 {axis = 1 : i64}
// CHECK-NEXT: %[[B:.*]] = kiln.softmax %arg0 {axis = 1 : i64}
// CHECK-NEXT: return %[[A]], %[[B]]
func.func @softmax(%x: tensor<2x5xf32>) -> (tensor<2x5xf32>, tensor<2x5xf32>) {
  %m = kiln.reduce_max %x {axes = array<i64: 1>} : tensor<2x5xf32> -> tensor<2x1xf32>
  %d = kiln.sub %x, %m : (tensor<2x5xf32>, tensor<2x1xf32>) -> tensor<2x5xf32>
  %e = kiln.exp %d : tensor<2x5xf32>
  %s = kiln.reduce_sum %e {axes = array<i64: 1>} : tensor<2x5xf32> -> tensor<2x1xf32>
  %y = kiln.div %e, %s : (tensor<2x5xf32>, tensor<2x1xf32>) -> tensor<2x5xf32>
  %e2 = kiln.exp %x : tensor<2x5xf32>
  %s2 = kiln.reduce_sum %e2 {axes = array<i64: 1>} : tensor<2x5xf32> -> tensor<2x1xf32>
  %y2 = kiln.div %e2, %s2 : (tensor<2x5xf32>, tensor<2x1xf32>) -> tensor<2x5xf32>
  return %y, %y2 : tensor<2x5xf32>, tensor<2x5xf32>
}

// -----

// Normalising by the sum over another axis is not a softmax.
// CHECK-LABEL: func @not_softmax
// CHECK-NOT: kiln.softmax
func.func @not_softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %e = kiln.exp %x : tensor<2x5xf32>
  %s = kiln.reduce_sum %e {axes = array<i64: 0>} : tensor<2x5xf32> -> tensor<1x5xf32>
  %y = kiln.div %e, %s : (tensor<2x5xf32>, tensor<1x5xf32>) -> tensor<2x5xf32>
  return %y : tensor<2x5xf32>
}

// -----

// BERT's attention block: heads split by reshape + transpose, scores
// scaled and masked, softmax, product with v, heads merged.
// CHECK-LABEL: func @attention
// CHECK: %[[O:.*]] = kiln.attention %arg0, %arg1, %arg2, %arg3 {num_heads = 2 : i64, scale = 2.500000e-01 : f32}
// CHECK-SAME: -> tensor<1x6x32xf32>
// CHECK-NEXT: return %[[O]]
func.func @attention(%q: tensor<1x6x32xf32>, %k: tensor<1x6x32xf32>, %v: tensor<1x6x32xf32>, %mask: tensor<1x1x1x6xf32>) -> tensor<1x6x32xf32> {
  %split = kiln.constant dense<[1, 6, 2, 16]> : tensor<4xsi64>
  %merge = kiln.constant dense<[1, 6, 32]> : tensor<3xsi64>
  %c = kiln.constant dense<0.25> : tensor<f32>
  %q4 = kiln.reshape %q, %split : (tensor<1x6x32xf32>, tensor<4xsi64>) -> tensor<1x6x2x16xf32>
  %qt = kiln.transpose %q4 {perm = array<i64: 0, 2, 1, 3>} : tensor<1x6x2x16xf32> -> tensor<1x2x6x16xf32>
  %k4 = kiln.reshape %k, %split : (tensor<1x6x32xf32>, tensor<4xsi64>) -> tensor<1x6x2x16xf32>
  %kt = kiln.transpose %k4 {perm = array<i64: 0, 2, 3, 1>} : tensor<1x6x2x16xf32> -> tensor<1x2x16x6xf32>
  %v4 = kiln.reshape %v, %split : (tensor<1x6x32xf32>, tensor<4xsi64>) -> tensor<1x6x2x16xf32>
  %vt = kiln.transpose %v4 {perm = array<i64: 0, 2, 1, 3>} : tensor<1x6x2x16xf32> -> tensor<1x2x6x16xf32>
  %s = kiln.matmul %qt, %kt : (tensor<1x2x6x16xf32>, tensor<1x2x16x6xf32>) -> tensor<1x2x6x6xf32>
  %ss = kiln.mul %s, %c : (tensor<1x2x6x6xf32>, tensor<f32>) -> tensor<1x2x6x6xf32>
  %sm = kiln.add %ss, %mask : (tensor<1x2x6x6xf32>, tensor<1x1x1x6xf32>) -> tensor<1x2x6x6xf32>
  %p = kiln.softmax %sm {axis = 3 : i64} : tensor<1x2x6x6xf32>
  %o = kiln.matmul %p, %vt : (tensor<1x2x6x6xf32>, tensor<1x2x6x16xf32>) -> tensor<1x2x6x16xf32>
  %ot = kiln.transpose %o {perm = array<i64: 0, 2, 1, 3>} : tensor<1x2x6x16xf32> -> tensor<1x6x2x16xf32>
  %out = kiln.reshape %ot, %merge : (tensor<1x6x2x16xf32>, tensor<3xsi64>) -> tensor<1x6x32xf32>
  return %out : tensor<1x6x32xf32>
}

// -----

// The probabilities are also returned: the block stays decomposed.
// CHECK-LABEL: func @attention_probs_used
// CHECK-NOT: kiln.attention
func.func @attention_probs_used(%q: tensor<1x6x32xf32>, %k: tensor<1x6x32xf32>, %v: tensor<1x6x32xf32>) -> (tensor<1x6x32xf32>, tensor<1x2x6x6xf32>) {
  %split = kiln.constant dense<[1, 6, 2, 16]> : tensor<4xsi64>
  %merge = kiln.constant dense<[1, 6, 32]> : tensor<3xsi64>
  %q4 = kiln.reshape %q, %split : (tensor<1x6x32xf32>, tensor<4xsi64>) -> tensor<1x6x2x16xf32>
  %qt = kiln.transpose %q4 {perm = array<i64: 0, 2, 1, 3>} : tensor<1x6x2x16xf32> -> tensor<1x2x6x16xf32>
  %k4 = kiln.reshape %k, %split : (tensor<1x6x32xf32>, tensor<4xsi64>) -> tensor<1x6x2x16xf32>
  %kt = kiln.transpose %k4 {perm = array<i64: 0, 2, 3, 1>} : tensor<1x6x2x16xf32> -> tensor<1x2x16x6xf32>
  %v4 = kiln.reshape %v, %split : (tensor<1x6x32xf32>, tensor<4xsi64>) -> tensor<1x6x2x16xf32>
  %vt = kiln.transpose %v4 {perm = array<i64: 0, 2, 1, 3>} : tensor<1x6x2x16xf32> -> tensor<1x2x6x16xf32>
  %s = kiln.matmul %qt, %kt : (tensor<1x2x6x16xf32>, tensor<1x2x16x6xf32>) -> tensor<1x2x6x6xf32>
  %p = kiln.softmax %s {axis = 3 : i64} : tensor<1x2x6x6xf32>
  %o = kiln.matmul %p, %vt : (tensor<1x2x6x6xf32>, tensor<1x2x6x16xf32>) -> tensor<1x2x6x16xf32>
  %ot = kiln.transpose %o {perm = array<i64: 0, 2, 1, 3>} : tensor<1x2x6x16xf32> -> tensor<1x6x2x16xf32>
  %out = kiln.reshape %ot, %merge : (tensor<1x6x2x16xf32>, tensor<3xsi64>) -> tensor<1x6x32xf32>
  return %out, %p : tensor<1x6x32xf32>, tensor<1x2x6x6xf32>
}
