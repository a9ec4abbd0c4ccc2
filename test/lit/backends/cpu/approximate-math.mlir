// f32 exp/tanh/erf/log become vectorisable polynomials; other types and
// functions stay (backends/cpu/ApproximateMath.cpp).
// RUN: kiln-opt %s --kiln-cpu-approximate-math | FileCheck %s

// CHECK-LABEL: func @f32_scalar_and_vector
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK-NOT: math.erf
// CHECK-NOT: math.log
// CHECK: math.fma
// CHECK: return
func.func @f32_scalar_and_vector(%x: f32, %v: vector<16xf32>) -> (f32, f32, f32, vector<16xf32>) {
  %a = math.exp %x : f32
  %b = math.tanh %x : f32
  %c = math.erf %x : f32
  %d = math.log %v : vector<16xf32>
  return %a, %b, %c, %d : f32, f32, f32, vector<16xf32>
}

// CHECK-LABEL: func @kept
// CHECK: math.exp %{{.*}} : f64
// CHECK: math.sin %{{.*}} : f32
func.func @kept(%x: f64, %y: f32) -> (f64, f32) {
  %a = math.exp %x : f64
  %b = math.sin %y : f32
  return %a, %b : f64, f32
}
