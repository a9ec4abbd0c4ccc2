// Alias scopes for accesses through arena views
// (backends/cpu/ArenaAliasScopes.cpp).
// RUN: kiln-opt %s --kiln-cpu-arena-alias-scopes -split-input-file -verify-diagnostics | FileCheck %s

// Slots 0 (live 0..2), 1 (1..3) and 2 (3..4): 0 and 1 overlap, 1 and 2
// overlap, 0 and 2 may share bytes. A load through slot 0's view (found
// back through the address, the descriptor's fields and the view's offset)
// is apart from slot 1 only; a store through slot 1 from slots 0 and 2;
// slot 2 from slot 1. An access not derived from a view gets no scope; the
// arena's aligned pointer becomes noalias.
// CHECK-DAG: #[[DOMAIN:.*]] = #llvm.alias_scope_domain<id = {{.*}}, description = "kiln arena">
// CHECK-DAG: #[[S0:.*]] = #llvm.alias_scope<id = {{.*}}, domain = #[[DOMAIN]], description = "slot 0">
// CHECK-DAG: #[[S1:.*]] = #llvm.alias_scope<id = {{.*}}, domain = #[[DOMAIN]], description = "slot 1">
// CHECK-DAG: #[[S2:.*]] = #llvm.alias_scope<id = {{.*}}, domain = #[[DOMAIN]], description = "slot 2">
// CHECK-LABEL: llvm.func @main
// CHECK-SAME: %{{.*}}: i64, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr {llvm.noalias}, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64)
// CHECK: llvm.load %{{.*}} {alias_scopes = [#[[S0]]], noalias_scopes = [#[[S1]]]} : !llvm.ptr -> f32
// CHECK: llvm.store %{{.*}}, %{{.*}} {alias_scopes = [#[[S1]]], noalias_scopes = [#[[S0]], #[[S2]]]} : f32, !llvm.ptr
// CHECK: llvm.store %{{.*}}, %{{.*}} {alias_scopes = [#[[S2]]], noalias_scopes = [#[[S1]]]} : f32, !llvm.ptr
// CHECK: llvm.load %{{.*}} : !llvm.ptr -> f32
// CHECK-LABEL: llvm.func @_mlir_ciface_main
// CHECK-NOT: llvm.noalias
#a = loc(fused<{kiln.arena_slot = 0 : i64}>["a"])
#b = loc(fused<{kiln.arena_slot = 1 : i64}>["b"])
#c = loc(fused<{kiln.arena_slot = 2 : i64}>["c"])
module attributes {kiln.memory_plan = {buffers = [
    {bytes = 64 : i64, start = 0 : i64, end = 2 : i64, offset = 0 : i64, slot = 0 : i64},
    {bytes = 64 : i64, start = 1 : i64, end = 3 : i64, offset = 64 : i64, slot = 1 : i64},
    {bytes = 64 : i64, start = 3 : i64, end = 4 : i64, offset = 0 : i64, slot = 2 : i64}]}} {
  llvm.func @main(%i: i64, %alloc: !llvm.ptr, %aligned: !llvm.ptr, %off: i64, %size: i64, %stride: i64) attributes {llvm.emit_c_interface} {
    %c0 = llvm.mlir.constant(0 : i64) : i64
    %c64 = llvm.mlir.constant(64 : i64) : i64
    %pa = llvm.getelementptr %aligned[%c0] : (!llvm.ptr, i64) -> !llvm.ptr, i8 loc(#a)
    %pb = llvm.getelementptr %aligned[%c64] : (!llvm.ptr, i64) -> !llvm.ptr, i8 loc(#b)
    %pc = llvm.getelementptr %aligned[%c0] : (!llvm.ptr, i64) -> !llvm.ptr, i8 loc(#c)
    %poison = llvm.mlir.poison : !llvm.struct<(ptr, ptr, i64)>
    %d0 = llvm.insertvalue %alloc, %poison[0] : !llvm.struct<(ptr, ptr, i64)>
    %d1 = llvm.insertvalue %pa, %d0[1] : !llvm.struct<(ptr, ptr, i64)>
    %d2 = llvm.insertvalue %c0, %d1[2] : !llvm.struct<(ptr, ptr, i64)>
    %base = llvm.extractvalue %d2[1] : !llvm.struct<(ptr, ptr, i64)>
    %qa = llvm.getelementptr %base[%i] : (!llvm.ptr, i64) -> !llvm.ptr, f32
    %x = llvm.load %qa : !llvm.ptr -> f32
    %qb = llvm.getelementptr %pb[%i] : (!llvm.ptr, i64) -> !llvm.ptr, f32
    llvm.store %x, %qb : f32, !llvm.ptr
    %qc = llvm.getelementptr %pc[%i] : (!llvm.ptr, i64) -> !llvm.ptr, f32
    llvm.store %x, %qc : f32, !llvm.ptr
    %y = llvm.load %aligned : !llvm.ptr -> f32
    llvm.return
  }
  llvm.func @_mlir_ciface_main(%d: !llvm.ptr, %p: !llvm.ptr, %o: i64, %s: i64, %t: i64, %u: i64) attributes {llvm.emit_c_interface} {
    llvm.return
  }
}

// -----

// expected-error @below {{kiln-cpu-arena-alias-scopes: malformed kiln.memory_plan buffer}}
module attributes {kiln.memory_plan = {buffers = [{bytes = 64 : i64}]}} {
}
