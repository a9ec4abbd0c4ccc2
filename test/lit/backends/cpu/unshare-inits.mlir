// Each destination-passing op gets its own init (backends/cpu/UnshareInits.cpp).
// RUN: kiln-opt %s --kiln-cpu-unshare-inits -split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-cpu-unshare-inits --one-shot-bufferize="bufferize-function-boundaries allow-return-allocs-from-loops" -split-input-file | FileCheck %s --check-prefix=BUF

// A zero fill shared by two products: each product gets a fill of its own,
// right before it, and the shared one goes. After bufferization nothing is
// copied: each product accumulates into its own buffer.
// CHECK-LABEL: func @shared_fill
// CHECK-NOT: linalg.fill
// CHECK: %[[E1:.*]] = tensor.empty() : tensor<4x4xf32>
// CHECK-NEXT: %[[F1:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E1]] : tensor<4x4xf32>)
// CHECK-NEXT: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x4xf32>, tensor<4x4xf32>) outs(%[[F1]] : tensor<4x4xf32>)
// CHECK-NEXT: %[[E2:.*]] = tensor.empty() : tensor<4x4xf32>
// CHECK-NEXT: %[[F2:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E2]] : tensor<4x4xf32>)
// CHECK-NEXT: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x4xf32>, tensor<4x4xf32>) outs(%[[F2]] : tensor<4x4xf32>)
// BUF-LABEL: func @shared_fill
// BUF-NOT: memref.copy
// BUF: return
func.func @shared_fill(%x: tensor<4x4xf32>, %w: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  %a = linalg.matmul ins(%x, %w : tensor<4x4xf32>, tensor<4x4xf32>) outs(%z : tensor<4x4xf32>) -> tensor<4x4xf32>
  %b = linalg.matmul ins(%a, %w : tensor<4x4xf32>, tensor<4x4xf32>) outs(%z : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %a, %b : tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// A bias broadcast (reads something smaller than it writes) is recomputed
// per use; an elementwise op on a full-size input is not (recomputing it
// would cost more than the copy), and neither is a use that only reads.
// CHECK-LABEL: func @broadcast_and_not
// CHECK-COUNT-2: linalg.broadcast
// CHECK-NOT: linalg.broadcast
// CHECK: %[[EXP:.*]] = linalg.exp
// CHECK-NOT: linalg.exp
// CHECK: linalg.add ins(%{{.*}}, %[[EXP]] : {{.*}}) outs(%[[EXP]] : tensor<4x4xf32>)
// CHECK: linalg.add ins(%{{.*}}, %[[EXP]] : {{.*}}) outs(%[[EXP]] : tensor<4x4xf32>)
func.func @broadcast_and_not(%bias: tensor<4xf32>, %x: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %e = tensor.empty() : tensor<4x4xf32>
  %bb = linalg.broadcast ins(%bias : tensor<4xf32>) outs(%e : tensor<4x4xf32>) dimensions = [0]
  %a = linalg.add ins(%x, %x : tensor<4x4xf32>, tensor<4x4xf32>) outs(%bb : tensor<4x4xf32>) -> tensor<4x4xf32>
  %b = linalg.add ins(%a, %x : tensor<4x4xf32>, tensor<4x4xf32>) outs(%bb : tensor<4x4xf32>) -> tensor<4x4xf32>
  %ex = linalg.exp ins(%x : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  %c = linalg.add ins(%a, %ex : tensor<4x4xf32>, tensor<4x4xf32>) outs(%ex : tensor<4x4xf32>) -> tensor<4x4xf32>
  %d = linalg.add ins(%b, %ex : tensor<4x4xf32>, tensor<4x4xf32>) outs(%ex : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %a, %b, %c, %d : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// A use inside a loop keeps the shared init: a copy in the loop body would
// run on every iteration. The use after the loop gets its own.
// CHECK-LABEL: func @loop
// CHECK: %[[Z:.*]] = linalg.fill
// CHECK: scf.for
// CHECK-NOT: linalg.fill
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x4xf32>, tensor<4x4xf32>) outs(%[[Z]] : tensor<4x4xf32>)
// CHECK: scf.yield
// CHECK: tensor.empty
// CHECK-NEXT: %[[Z2:.*]] = linalg.fill
// CHECK-NEXT: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x4xf32>, tensor<4x4xf32>) outs(%[[Z2]] : tensor<4x4xf32>)
func.func @loop(%x: tensor<4x4xf32>, %w: tensor<4x4xf32>, %n: index) -> tensor<4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %e = tensor.empty() : tensor<4x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %x) -> tensor<4x4xf32> {
    %m = linalg.matmul ins(%acc, %w : tensor<4x4xf32>, tensor<4x4xf32>) outs(%z : tensor<4x4xf32>) -> tensor<4x4xf32>
    scf.yield %m : tensor<4x4xf32>
  }
  %last = linalg.matmul ins(%r, %w : tensor<4x4xf32>, tensor<4x4xf32>) outs(%z : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %last : tensor<4x4xf32>
}

// -----

// Two iteration arguments of one loop started from one tensor.empty: each
// gets its own, made before the loop. Left shared, one-shot-bufferize
// gives both one buffer although the body writes %b's while it still
// reads %x (written into %a's): the second inner loop would read its own
// stores. After bufferization the two are distinct allocations.
// CHECK-LABEL: func @loop_inits
// CHECK: %[[E1:.*]] = tensor.empty(%{{.*}}) : tensor<?xf32>
// CHECK-NEXT: %[[E2:.*]] = tensor.empty(%{{.*}}) : tensor<?xf32>
// CHECK-NEXT: scf.for %{{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %[[E1]], %{{.*}} = %[[E2]])
// BUF-LABEL: func @loop_inits
// BUF: %[[A1:.*]] = memref.alloc(%{{.*}}) {{.*}} : memref<?xf32>
// BUF: %[[A2:.*]] = memref.alloc(%{{.*}}) {{.*}} : memref<?xf32>
// BUF: scf.for %{{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %[[A1]], %{{.*}} = %[[A2]])
func.func @loop_inits(%n: index, %m: index) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %one = arith.constant 1.0 : f32
  %o = tensor.empty() : tensor<4xf32>
  %e = tensor.empty(%m) : tensor<?xf32>
  %r:3 = scf.for %i = %c0 to %n step %c1 iter_args(%out = %o, %a = %e, %b = %e) -> (tensor<4xf32>, tensor<?xf32>, tensor<?xf32>) {
    %x = scf.for %j = %c0 to %c4 step %c1 iter_args(%t = %a) -> (tensor<?xf32>) {
      %t2 = tensor.insert %one into %t[%j] : tensor<?xf32>
      scf.yield %t2 : tensor<?xf32>
    }
    %y = scf.for %j = %c0 to %c4 step %c1 iter_args(%t = %b) -> (tensor<?xf32>) {
      %v = tensor.extract %x[%j] : tensor<?xf32>
      %w = arith.addf %v, %v : f32
      %t2 = tensor.insert %w into %t[%j] : tensor<?xf32>
      scf.yield %t2 : tensor<?xf32>
    }
    %z = scf.for %j = %c0 to %c4 step %c1 iter_args(%t = %out) -> (tensor<4xf32>) {
      %v = tensor.extract %y[%j] : tensor<?xf32>
      %t2 = tensor.insert %v into %t[%j] : tensor<4xf32>
      scf.yield %t2 : tensor<4xf32>
    }
    scf.yield %z, %x, %y : tensor<4xf32>, tensor<?xf32>, tensor<?xf32>
  }
  return %r#0 : tensor<4xf32>
}
