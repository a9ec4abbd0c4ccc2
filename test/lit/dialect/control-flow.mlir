// kiln.if and kiln.loop parse, print and parse again; their verifiers
// accept types that agree up to dynamic dimensions along control edges.
// RUN: kiln-opt %s | kiln-opt | FileCheck %s

// CHECK-LABEL: func @if_join
// CHECK: kiln.if %{{.*}} : tensor<i1> -> (tensor<?xf32>) {
// CHECK: kiln.yield %{{.*}} : tensor<2xf32>
// CHECK: } else {
// CHECK: kiln.yield %{{.*}} : tensor<3xf32>
func.func @if_join(%c: tensor<i1>, %a: tensor<2xf32>, %b: tensor<3xf32>) -> tensor<?xf32> {
  %r = kiln.if %c : tensor<i1> -> (tensor<?xf32>) {
    kiln.yield %a : tensor<2xf32>
  } else {
    kiln.yield %b : tensor<3xf32>
  }
  return %r : tensor<?xf32>
}

// CHECK-LABEL: func @if_no_results
// CHECK: kiln.if %{{.*}} : tensor<i1> {
func.func @if_no_results(%c: tensor<i1>) {
  kiln.if %c : tensor<i1> {
    kiln.yield
  } else {
    kiln.yield
  }
  return
}

// A loop with a trip count, a condition, one carried value and one scan
// output.
// CHECK-LABEL: func @loop
// CHECK: kiln.loop trip_count(%{{.*}} : tensor<si64>) cond(%{{.*}} : tensor<i1>) inits(%{{.*}} : tensor<1xf32>) -> (tensor<1xf32>, tensor<?x1xf32>) {
// CHECK: ^bb0(%{{.*}}: tensor<si64>, %{{.*}}: tensor<i1>, %{{.*}}: tensor<1xf32>):
func.func @loop(%n: tensor<si64>, %c: tensor<i1>, %y: tensor<1xf32>) -> (tensor<1xf32>, tensor<?x1xf32>) {
  %r:2 = kiln.loop trip_count(%n : tensor<si64>) cond(%c : tensor<i1>) inits(%y : tensor<1xf32>) -> (tensor<1xf32>, tensor<?x1xf32>) {
  ^bb0(%i: tensor<si64>, %ci: tensor<i1>, %v: tensor<1xf32>):
    %w = kiln.add %v, %v : (tensor<1xf32>, tensor<1xf32>) -> tensor<1xf32>
    kiln.yield %ci, %w, %w : tensor<i1>, tensor<1xf32>, tensor<1xf32>
  }
  return %r#0, %r#1 : tensor<1xf32>, tensor<?x1xf32>
}

// Neither trip count nor condition: the body's condition alone ends it.
// CHECK-LABEL: func @loop_while
// CHECK: kiln.loop inits() {
func.func @loop_while() {
  kiln.loop inits() {
  ^bb0(%i: tensor<si64>, %ci: tensor<i1>):
    kiln.yield %ci : tensor<i1>
  }
  return
}
