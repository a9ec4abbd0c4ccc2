// Through the whole CPU pipeline, the intermediates of a static model live
// in the arena the entry takes as its last argument: the only heap
// allocation left is the output's, which the caller owns.
// RUN: kiln-opt %s --kiln-cpu-codegen | FileCheck %s
// RUN: kiln-opt %s --pass-pipeline='builtin.module(kiln-inline-kernels,kiln-weights-to-params,kiln-cpu-mark-entry,kiln-decompose-composites,kiln-convert-to-linalg,canonicalize,cse,kiln-fuse-kernel-elementwise,canonicalize,cse,kiln-cpu-unshare-inits,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},kiln-cpu-plan-memory)' | FileCheck %s --check-prefix=PLAN

// Three products of 8x16 floats (512 bytes) with a relu after each of the
// first two. Each product accumulates in its own buffer (its own zero
// fill, kiln-cpu-unshare-inits), each relu writes over the product it reads
// (in place): two 512-byte slots hold everything but the returned product,
// which is the lower bound.
// PLAN: kiln.memory_plan = {alignment = 64 : i64, arena_bytes = 1024 : i64
// PLAN-SAME: node = "mm1"{{.*}}node = "relu1"{{.*}}node = "mm2"{{.*}}node = "relu2"
// PLAN-SAME: in_place = 2 : i64, lower_bound_bytes = 1024 : i64
// PLAN-SAME: unplanned = [{bytes = 512 : i64, node = "mm3", reason = "returned"}]
// PLAN: func.func @main_graph(%{{.*}}: memref<8x16xf32>, %{{.*}}: memref<16x16xf32>, %[[ARENA:.*]]: memref<1024xi8>)
// PLAN-COUNT-4: memref.view %[[ARENA]]
// PLAN-NOT: memref.view
// PLAN-NOT: memref.copy

// The arena pointer is noalias, and accesses through the views carry the
// alias scopes of their slots (kiln-cpu-arena-alias-scopes).
// CHECK: llvm.func @main_graph({{.*}}, %{{.*}}: !llvm.ptr {llvm.noalias}, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64)
// CHECK: llvm.load {{.*}} {alias_scopes = [#{{.*}}], noalias_scopes = [#{{.*}}]} : !llvm.ptr -> f32
// CHECK: llvm.store {{.*}} {alias_scopes = [#{{.*}}], noalias_scopes = [#{{.*}}]} : f32, !llvm.ptr
// The output from the runtime's pool (kiln-cpu-pooled-allocations).
// CHECK: llvm.call @kiln_cpu_alloc
// CHECK-NOT: llvm.call @kiln_cpu_alloc
// CHECK-NOT: llvm.call @kiln_cpu_free
// CHECK-NOT: llvm.call @malloc
// CHECK: llvm.func @_mlir_ciface_main_graph(
module {
  func.func @main_graph(%x: tensor<8x16xf32> {kiln.input = "x"})
      -> (tensor<8x16xf32> {kiln.output = "y"}) attributes {kiln.entry} {
    %w = kiln.constant dense<0.5> : tensor<16x16xf32> loc("w")
    %0 = kiln.matmul %x, %w : (tensor<8x16xf32>, tensor<16x16xf32>) -> tensor<8x16xf32> loc("mm1")
    %1 = kiln.relu %0 : tensor<8x16xf32> loc("relu1")
    %2 = kiln.matmul %1, %w : (tensor<8x16xf32>, tensor<16x16xf32>) -> tensor<8x16xf32> loc("mm2")
    %3 = kiln.relu %2 : tensor<8x16xf32> loc("relu2")
    %4 = kiln.matmul %3, %w : (tensor<8x16xf32>, tensor<16x16xf32>) -> tensor<8x16xf32> loc("mm3")
    return %4 : tensor<8x16xf32>
  }
}
