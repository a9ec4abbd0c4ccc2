// The static memory plan (backends/cpu/PlanMemory.cpp): top-level buffers
// of the entry become views into one arena argument, at offsets from their
// lifetimes; the plan is recorded in kiln.memory_plan.
// RUN: kiln-opt %s --kiln-cpu-plan-memory=in-place=false -split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-cpu-plan-memory -split-input-file | FileCheck %s --check-prefix=INPLACE

// a dies where b is written, b where c is: a and b overlap (both live at
// the second copy), b and c too, a and c do not and share offset 0.
// CHECK-LABEL: module attributes {kiln.memory_plan = {alignment = 64 : i64, arena_bytes = 128 : i64
// CHECK-SAME: lower_bound_bytes = 128 : i64
// CHECK-LABEL: func @chain
// CHECK-SAME: %[[ARENA:[^:]*]]: memref<128xi8>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK: %[[A:.*]] = memref.view %[[ARENA]][%[[C0]]][] {kiln.arena_slot = 0 : i64} : memref<128xi8> to memref<16xf32>
// CHECK: %[[B:.*]] = memref.view %[[ARENA]][%[[C64]]][] {kiln.arena_slot = 1 : i64} : memref<128xi8> to memref<16xf32>
// CHECK: %[[C:.*]] = memref.view %[[ARENA]][%[[C0]]][] {kiln.arena_slot = 2 : i64} : memref<128xi8> to memref<16xf32>
// CHECK-NOT: memref.alloc
// CHECK: linalg.copy ins(%[[A]] : memref<16xf32>) outs(%[[B]] : memref<16xf32>)
// With in-place sharing, each copy writes over the input that dies there:
// one 64-byte slot for all three.
// INPLACE-LABEL: module attributes {kiln.memory_plan = {alignment = 64 : i64, arena_bytes = 64 : i64
// INPLACE-SAME: in_place = 2 : i64, lower_bound_bytes = 64 : i64
// INPLACE-LABEL: func @chain
// INPLACE-SAME: memref<64xi8>)
// INPLACE-COUNT-3: memref.view %{{.*}} {kiln.arena_slot = 0 : i64} : memref<64xi8> to memref<16xf32>
module {
  func.func @chain(%x: memref<16xf32>, %y: memref<16xf32>) attributes {kiln.entry} {
    %a = memref.alloc() : memref<16xf32>
    %b = memref.alloc() : memref<16xf32>
    %c = memref.alloc() : memref<16xf32>
    linalg.copy ins(%x : memref<16xf32>) outs(%a : memref<16xf32>)
    linalg.copy ins(%a : memref<16xf32>) outs(%b : memref<16xf32>)
    linalg.copy ins(%b : memref<16xf32>) outs(%c : memref<16xf32>)
    linalg.copy ins(%c : memref<16xf32>) outs(%y : memref<16xf32>)
    return
  }
}

// -----

// A returned buffer, one passed to a call and one with a dynamic size keep
// their allocations (and are listed with the reason); the temporary that
// does not escape is planned.
// CHECK-LABEL: module attributes {kiln.memory_plan = {alignment = 64 : i64, arena_bytes = 64 : i64
// CHECK-SAME: unplanned = [{bytes = 64 : i64, node = "", reason = "returned"}, {bytes = 64 : i64, node = "", reason = "passed to a call (func.call)"}, {node = "", reason = "dynamic shape"}]
// CHECK-LABEL: func @escapes
// CHECK-SAME: %[[ARENA:[^:]*]]: memref<64xi8>)
// CHECK: %[[R:.*]] = memref.alloc() : memref<16xf32>
// CHECK: %[[K:.*]] = memref.alloc() : memref<16xf32>
// CHECK: %[[D:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: %[[T:.*]] = memref.view %[[ARENA]]
// CHECK: call @ext(%[[K]])
// CHECK: return %[[R]]
module {
  func.func private @ext(memref<16xf32>)
  func.func @escapes(%x: memref<16xf32>, %n: index) -> memref<16xf32> attributes {kiln.entry} {
    %r = memref.alloc() : memref<16xf32>
    %k = memref.alloc() : memref<16xf32>
    %d = memref.alloc(%n) : memref<?xf32>
    %t = memref.alloc() : memref<16xf32>
    linalg.copy ins(%x : memref<16xf32>) outs(%t : memref<16xf32>)
    linalg.copy ins(%t : memref<16xf32>) outs(%k : memref<16xf32>)
    func.call @ext(%k) : (memref<16xf32>) -> ()
    linalg.copy ins(%k : memref<16xf32>) outs(%r : memref<16xf32>)
    memref.dealloc %d : memref<?xf32>
    return %r : memref<16xf32>
  }
}

// -----

// A view that escapes makes its buffer escape.
// CHECK-LABEL: module attributes {kiln.memory_plan = {alignment = 64 : i64, arena_bytes = 0 : i64
// CHECK-SAME: buffers = []
// CHECK-SAME: reason = "returned"
// CHECK-LABEL: func @returned_view
// CHECK-NOT: memref<0xi8>
// CHECK: memref.alloc() : memref<4x4xf32>
module {
  func.func @returned_view(%x: memref<4x4xf32>) -> memref<16xf32> attributes {kiln.entry} {
    %a = memref.alloc() : memref<4x4xf32>
    linalg.copy ins(%x : memref<4x4xf32>) outs(%a : memref<4x4xf32>)
    %v = memref.collapse_shape %a [[0, 1]] : memref<4x4xf32> into memref<16xf32>
    return %v : memref<16xf32>
  }
}

// -----

// Views extend their buffer's life: a is read through a collapse_shape and
// a subview after b is written, so a and b may not share memory (without
// following the views, a would end at the fill and b would take its
// place).
// CHECK-LABEL: module attributes {kiln.memory_plan = {alignment = 64 : i64, arena_bytes = 128 : i64
// CHECK-LABEL: func @views
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK: memref.view %{{.*}}[%[[C0]]][] {kiln.arena_slot = 0 : i64} : memref<128xi8> to memref<4x4xf32>
// CHECK: memref.view %{{.*}}[%[[C64]]][] {kiln.arena_slot = 1 : i64} : memref<128xi8> to memref<16xf32>
module {
  func.func @views(%x: memref<16xf32>, %y: memref<16xf32>, %z: memref<2x4xf32>) attributes {kiln.entry} {
    %a = memref.alloc() : memref<4x4xf32>
    %f = arith.constant 1.0 : f32
    linalg.fill ins(%f : f32) outs(%a : memref<4x4xf32>)
    %v = memref.collapse_shape %a [[0, 1]] : memref<4x4xf32> into memref<16xf32>
    %s = memref.subview %a[0, 0] [2, 4] [1, 1] : memref<4x4xf32> to memref<2x4xf32, strided<[4, 1]>>
    %b = memref.alloc() : memref<16xf32>
    linalg.copy ins(%x : memref<16xf32>) outs(%b : memref<16xf32>)
    linalg.copy ins(%v : memref<16xf32>) outs(%y : memref<16xf32>)
    linalg.copy ins(%s : memref<2x4xf32, strided<[4, 1]>>) outs(%z : memref<2x4xf32>)
    linalg.copy ins(%b : memref<16xf32>) outs(%y : memref<16xf32>)
    return
  }
}

// -----

// An alloc inside a loop is left to the deallocation pipeline; two
// top-level buffers used only inside the same loop are live for all of it,
// together, and get distinct offsets.
// CHECK-LABEL: module attributes {kiln.memory_plan = {alignment = 64 : i64, arena_bytes = 128 : i64
// CHECK-SAME: buffers = [{bytes = 64 : i64, end = 5 : i64, node = "", offset = 0 : i64, slot = 0 : i64, start = 5 : i64}, {bytes = 64 : i64, end = 5 : i64, node = "", offset = 64 : i64, slot = 1 : i64, start = 5 : i64}]
// CHECK-SAME: lower_bound_bytes = 128 : i64
// CHECK-LABEL: func @loop
// CHECK-COUNT-2: memref.view %{{.*}} : memref<128xi8> to memref<16xf32>
// CHECK: scf.for
// CHECK: memref.alloc() : memref<16xf32>
module {
  func.func @loop(%x: memref<16xf32>, %y: memref<16xf32>) attributes {kiln.entry} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %a = memref.alloc() : memref<16xf32>
    %b = memref.alloc() : memref<16xf32>
    scf.for %i = %c0 to %c4 step %c1 {
      linalg.copy ins(%x : memref<16xf32>) outs(%a : memref<16xf32>)
      %t = memref.alloc() : memref<16xf32>
      linalg.copy ins(%a : memref<16xf32>) outs(%t : memref<16xf32>)
      linalg.copy ins(%t : memref<16xf32>) outs(%b : memref<16xf32>)
      linalg.copy ins(%b : memref<16xf32>) outs(%y : memref<16xf32>)
      memref.dealloc %t : memref<16xf32>
    }
    return
  }
}

// -----

// A zero-size buffer takes no room; sizes round up to the alignment; an
// unused buffer lives only where it is made.
// CHECK-LABEL: module attributes {kiln.memory_plan = {alignment = 64 : i64, arena_bytes = 64 : i64
// CHECK-SAME: buffers = [{bytes = 0 : i64, end = 1 : i64, node = "", offset = 0 : i64, slot = 0 : i64, start = 1 : i64}, {bytes = 4 : i64, end = 2 : i64, node = "", offset = 0 : i64, slot = 1 : i64, start = 2 : i64}, {bytes = 3 : i64, end = 4 : i64, node = "", offset = 0 : i64, slot = 2 : i64, start = 4 : i64}]
// CHECK-SAME: lower_bound_bytes = 4 : i64
// CHECK-LABEL: func @small
// CHECK: memref.view %{{.*}} : memref<64xi8> to memref<0xf32>
// CHECK: memref.view %{{.*}} : memref<64xi8> to memref<1xi32>
// CHECK: memref.view %{{.*}} : memref<64xi8> to memref<3xi8>
module {
  func.func @small(%x: memref<0xf32>, %y: memref<3xi8>) attributes {kiln.entry} {
    %e = memref.alloc() : memref<0xf32>
    linalg.copy ins(%x : memref<0xf32>) outs(%e : memref<0xf32>)
    %unused = memref.alloc() : memref<1xi32>
    %b = memref.alloc() : memref<3xi8>
    linalg.copy ins(%b : memref<3xi8>) outs(%y : memref<3xi8>)
    return
  }
}

// -----

// Only the entry is planned.
// CHECK-LABEL: func.func private @helper
// CHECK: memref.alloc() : memref<16xf32>
// CHECK-LABEL: func @entry
// CHECK-SAME: memref<64xi8>
module {
  func.func private @helper(%x: memref<16xf32>) {
    %a = memref.alloc() : memref<16xf32>
    linalg.copy ins(%x : memref<16xf32>) outs(%a : memref<16xf32>)
    return
  }
  func.func @entry(%x: memref<16xf32>) attributes {kiln.entry} {
    %a = memref.alloc() : memref<16xf32>
    linalg.copy ins(%x : memref<16xf32>) outs(%a : memref<16xf32>)
    return
  }
}
