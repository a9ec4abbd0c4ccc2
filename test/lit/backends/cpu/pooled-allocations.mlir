// malloc and free in the lowered module go to the runtime's buffer pool
// through the artifact's table (backends/cpu/PooledAllocations.cpp,
// lib/runtime/cpu/CpuAbi.h: slots 4 and 5).
// RUN: kiln-opt %s --kiln-cpu-pooled-allocations -split-input-file -verify-diagnostics | FileCheck %s

// The thunks: alloc's result aliases nothing, and it stays a call so that
// every caller sees that.
// CHECK: llvm.func internal @kiln_cpu_free
// CHECK:   llvm.getelementptr %{{.*}}[0, 5]
// CHECK: llvm.func internal @kiln_cpu_alloc(%{{.*}}: i64) -> (!llvm.ptr {llvm.noalias}) attributes {no_inline}
// CHECK:   %[[T:.*]] = llvm.mlir.addressof @kiln_artifact_cpu_api
// CHECK:   llvm.getelementptr %[[T]][0, 4]
// CHECK-LABEL: llvm.func @buffers
// CHECK: %[[P:.*]] = llvm.call @kiln_cpu_alloc(%arg0) : (i64) -> !llvm.ptr
// CHECK: llvm.store %{{.*}}, %[[P]]
// CHECK: llvm.call @kiln_cpu_free(%[[P]]) : (!llvm.ptr) -> ()
// CHECK-NOT: @malloc(
// CHECK-NOT: @free(
// CHECK: llvm.mlir.global external @kiln_artifact_cpu_api() {{.*}} : !llvm.array<6 x ptr>
llvm.func @malloc(i64) -> !llvm.ptr
llvm.func @free(!llvm.ptr)
llvm.func @buffers(%n: i64, %v: f32) {
  %p = llvm.call @malloc(%n) : (i64) -> !llvm.ptr
  llvm.store %v, %p : f32, !llvm.ptr
  llvm.call @free(%p) : (!llvm.ptr) -> ()
  llvm.return
}

// -----

// Without heap buffers (everything in the arena) there is nothing to route
// and no table is made.
// CHECK-LABEL: llvm.func @no_buffers
// CHECK-NOT: kiln_artifact_cpu_api
// CHECK-NOT: kiln_cpu_alloc
llvm.func @no_buffers(%p: !llvm.ptr, %v: f32) {
  llvm.store %v, %p : f32, !llvm.ptr
  llvm.return
}

// -----

llvm.func @malloc(i32) -> !llvm.ptr
llvm.func @odd_malloc(%n: i32) {
  // expected-error @+1 {{calls malloc with an unexpected type}}
  %p = llvm.call @malloc(%n) : (i32) -> !llvm.ptr
  llvm.return
}
