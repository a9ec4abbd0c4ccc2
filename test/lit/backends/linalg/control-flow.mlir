// kiln.if -> scf.if and kiln.loop -> scf.while (iteration, condition,
// carried values, scan buffers); the kiln ops inside are lowered in place.
// RUN: kiln-opt %s --kiln-convert-to-linalg -split-input-file | FileCheck %s

// Yields of a more precise type meet the result through tensor.cast.
// CHECK-LABEL: func @if
// CHECK: %[[C:.*]] = tensor.extract %{{.*}}[] : tensor<i1>
// CHECK: scf.if %[[C]] -> (tensor<?xf32>) {
// CHECK: linalg.generic
// CHECK: %[[T:.*]] = tensor.cast %{{.*}} : tensor<2xf32> to tensor<?xf32>
// CHECK: scf.yield %[[T]] : tensor<?xf32>
// CHECK: } else {
// CHECK: tensor.cast %{{.*}} : tensor<3xf32> to tensor<?xf32>
func.func @if(%c: tensor<i1>, %a: tensor<2xf32>, %b: tensor<3xf32>) -> tensor<?xf32> {
  %r = kiln.if %c : tensor<i1> -> (tensor<?xf32>) {
    %n = kiln.neg %a : tensor<2xf32>
    kiln.yield %n : tensor<2xf32>
  } else {
    kiln.yield %b : tensor<3xf32>
  }
  return %r : tensor<?xf32>
}

// -----

// The loop runs while i < n and the condition holds; the scan buffer has
// n rows, row i written by iteration i, cut to the iterations run.
// CHECK-LABEL: func @loop
// CHECK: %[[N:.*]] = arith.index_cast %{{.*}} : i64 to index
// CHECK: %[[BUF:.*]] = tensor.empty(%[[N]]) : tensor<?x1xf32>
// CHECK: %[[W:.*]]:4 = scf.while (%[[I:.*]] = %{{.*}}, %[[CC:.*]] = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %[[BUF]]) : (index, i1, tensor<1xf32>, tensor<?x1xf32>)
// CHECK: %[[LT:.*]] = arith.cmpi slt, %[[I]], %[[N]] : index
// CHECK: %[[GO:.*]] = arith.andi %[[LT]], %[[CC]] : i1
// CHECK: scf.condition(%[[GO]])
// CHECK: } do {
// CHECK: ^bb0(%[[J:.*]]: index, %{{.*}}: i1, %[[V:.*]]: tensor<1xf32>, %[[B:.*]]: tensor<?x1xf32>):
// CHECK: %[[SUM:.*]] = linalg.generic
// CHECK: %[[NEXT:.*]] = arith.addi %[[J]], %{{.*}} : index
// CHECK: %[[INS:.*]] = tensor.insert_slice %[[SUM]] into %[[B]][%[[J]], 0] [1, 1] [1, 1] : tensor<1xf32> into tensor<?x1xf32>
// CHECK: scf.yield %[[NEXT]], %{{.*}}, %[[SUM]], %[[INS]] : index, i1, tensor<1xf32>, tensor<?x1xf32>
// CHECK: tensor.extract_slice %[[W]]#3[0, 0] [%[[W]]#0, 1] [1, 1] : tensor<?x1xf32> to tensor<?x1xf32>
func.func @loop(%n: tensor<si64>, %c: tensor<i1>, %y: tensor<1xf32>) -> (tensor<1xf32>, tensor<?x1xf32>) {
  %r:2 = kiln.loop trip_count(%n : tensor<si64>) cond(%c : tensor<i1>) inits(%y : tensor<1xf32>) -> (tensor<1xf32>, tensor<?x1xf32>) {
  ^bb0(%i: tensor<si64>, %ci: tensor<i1>, %v: tensor<1xf32>):
    %w = kiln.add %v, %v : (tensor<1xf32>, tensor<1xf32>) -> tensor<1xf32>
    kiln.yield %ci, %w, %w : tensor<i1>, tensor<1xf32>, tensor<1xf32>
  }
  return %r#0, %r#1 : tensor<1xf32>, tensor<?x1xf32>
}

// -----

// Without a trip count or condition only the body's condition ends it; the
// iteration number reaches the body as a tensor<i64>.
// CHECK-LABEL: func @loop_while
// CHECK: scf.while
// CHECK: scf.condition(%{{.*}})
// CHECK: arith.index_cast %{{.*}} : index to i64
// CHECK: tensor.from_elements %{{.*}} : tensor<i64>
func.func @loop_while(%x: tensor<si64>) -> tensor<si64> {
  %r = kiln.loop inits(%x : tensor<si64>) -> (tensor<si64>) {
  ^bb0(%i: tensor<si64>, %ci: tensor<i1>, %v: tensor<si64>):
    %lt = kiln.less %i, %v : (tensor<si64>, tensor<si64>) -> tensor<i1>
    kiln.yield %lt, %v : tensor<i1>, tensor<si64>
  }
  return %r : tensor<si64>
}

// -----

// A scan element of dynamic shape: the buffer is sized by the first
// iteration's element, and later elements are checked against it.
// CHECK-LABEL: func @scan_dynamic
// CHECK: scf.while
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %{{.*}}, %{{.*}} : index
// CHECK: scf.if %[[FIRST]] -> (tensor<?x?xf32>) {
// CHECK: tensor.empty
// CHECK: cf.assert %{{.*}}, "{{.*}}a scan output changes shape between iterations"
// CHECK: tensor.insert_slice
func.func @scan_dynamic(%n: tensor<si64>, %y: tensor<?xf32>) -> tensor<?x?xf32> {
  %r:2 = kiln.loop trip_count(%n : tensor<si64>) inits(%y : tensor<?xf32>) -> (tensor<?xf32>, tensor<?x?xf32>) {
  ^bb0(%i: tensor<si64>, %ci: tensor<i1>, %v: tensor<?xf32>):
    kiln.yield %ci, %v, %v : tensor<i1>, tensor<?xf32>, tensor<?xf32>
  }
  return %r#1 : tensor<?x?xf32>
}
