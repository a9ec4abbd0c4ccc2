// In-place sharing in the memory plan (backends/cpu/PlanMemory.cpp): the
// output of an all-parallel linalg op takes the slot of an input that dies
// there only when every element is read and written at the same place.
// RUN: kiln-opt %s --kiln-cpu-plan-memory -split-input-file | FileCheck %s

// a dies in the generic that writes b: b takes a's slot.
// CHECK-LABEL: module attributes {kiln.memory_plan = {alignment = 64 : i64, arena_bytes = 64 : i64
// CHECK-SAME: in_place_of = 0 : i64
// CHECK-SAME: in_place = 1 : i64, lower_bound_bytes = 64 : i64
#id = affine_map<(i) -> (i)>
module {
  func.func @dies_here(%x: memref<16xf32>, %y: memref<16xf32>) attributes {kiln.entry} {
    %a = memref.alloc() : memref<16xf32>
    linalg.copy ins(%x : memref<16xf32>) outs(%a : memref<16xf32>)
    %b = memref.alloc() : memref<16xf32>
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%a, %x : memref<16xf32>, memref<16xf32>) outs(%b : memref<16xf32>) {
    ^bb0(%p: f32, %q: f32, %o: f32):
      %e = math.exp %p : f32
      %s = arith.addf %e, %q : f32
      linalg.yield %s : f32
    }
    linalg.copy ins(%b : memref<16xf32>) outs(%y : memref<16xf32>)
    return
  }
}

// -----

// a is read again later: no sharing.
// CHECK-LABEL: module attributes {kiln.memory_plan = {alignment = 64 : i64, arena_bytes = 128 : i64
// CHECK-SAME: in_place = 0 : i64
#id = affine_map<(i) -> (i)>
module {
  func.func @lives_on(%x: memref<16xf32>, %y: memref<16xf32>) attributes {kiln.entry} {
    %a = memref.alloc() : memref<16xf32>
    linalg.copy ins(%x : memref<16xf32>) outs(%a : memref<16xf32>)
    %b = memref.alloc() : memref<16xf32>
    linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
        ins(%a : memref<16xf32>) outs(%b : memref<16xf32>) {
    ^bb0(%p: f32, %o: f32):
      %e = math.exp %p : f32
      linalg.yield %e : f32
    }
    linalg.copy ins(%a : memref<16xf32>) outs(%y : memref<16xf32>)
    linalg.copy ins(%b : memref<16xf32>) outs(%y : memref<16xf32>)
    return
  }
}

// -----

// a + transpose(a): element (i, j) of b would overwrite a(i, j), which
// (j, i) still reads. No sharing.
// CHECK-LABEL: module attributes {kiln.memory_plan = {alignment = 64 : i64, arena_bytes = 128 : i64
// CHECK-SAME: in_place = 0 : i64
#id2 = affine_map<(i, j) -> (i, j)>
#tr = affine_map<(i, j) -> (j, i)>
module {
  func.func @read_twice(%x: memref<4x4xf32>, %y: memref<4x4xf32>) attributes {kiln.entry} {
    %a = memref.alloc() : memref<4x4xf32>
    linalg.copy ins(%x : memref<4x4xf32>) outs(%a : memref<4x4xf32>)
    %b = memref.alloc() : memref<4x4xf32>
    linalg.generic {indexing_maps = [#id2, #tr, #id2], iterator_types = ["parallel", "parallel"]}
        ins(%a, %a : memref<4x4xf32>, memref<4x4xf32>) outs(%b : memref<4x4xf32>) {
    ^bb0(%p: f32, %q: f32, %o: f32):
      %s = arith.addf %p, %q : f32
      linalg.yield %s : f32
    }
    linalg.copy ins(%b : memref<4x4xf32>) outs(%y : memref<4x4xf32>)
    return
  }
}

// -----

// A transposing copy reads other elements than it writes. No sharing.
// CHECK-LABEL: module attributes {kiln.memory_plan = {alignment = 64 : i64, arena_bytes = 128 : i64
// CHECK-SAME: in_place = 0 : i64
#id2 = affine_map<(i, j) -> (i, j)>
#tr = affine_map<(i, j) -> (j, i)>
module {
  func.func @transpose(%x: memref<4x4xf32>, %y: memref<4x4xf32>) attributes {kiln.entry} {
    %a = memref.alloc() : memref<4x4xf32>
    linalg.copy ins(%x : memref<4x4xf32>) outs(%a : memref<4x4xf32>)
    %b = memref.alloc() : memref<4x4xf32>
    linalg.generic {indexing_maps = [#tr, #id2], iterator_types = ["parallel", "parallel"]}
        ins(%a : memref<4x4xf32>) outs(%b : memref<4x4xf32>) {
    ^bb0(%p: f32, %o: f32):
      linalg.yield %p : f32
    }
    linalg.copy ins(%b : memref<4x4xf32>) outs(%y : memref<4x4xf32>)
    return
  }
}

// -----

// Elements of another size (f32 -> f16) would not line up. No sharing.
// CHECK-LABEL: module attributes {kiln.memory_plan = {alignment = 64 : i64, arena_bytes = 192 : i64
// CHECK-SAME: in_place = 0 : i64
#id = affine_map<(i) -> (i)>
module {
  func.func @narrowing(%x: memref<32xf32>, %y: memref<32xf16>) attributes {kiln.entry} {
    %a = memref.alloc() : memref<32xf32>
    linalg.copy ins(%x : memref<32xf32>) outs(%a : memref<32xf32>)
    %b = memref.alloc() : memref<32xf16>
    linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
        ins(%a : memref<32xf32>) outs(%b : memref<32xf16>) {
    ^bb0(%p: f32, %o: f16):
      %t = arith.truncf %p : f32 to f16
      linalg.yield %t : f16
    }
    linalg.copy ins(%b : memref<32xf16>) outs(%y : memref<32xf16>)
    return
  }
}

// -----

// Through reshapes: a conv-like 1x1x4x4 result read as 4x4 (collapse_shape
// keeps the element order of a contiguous buffer) is still read element by
// element where it is written.
// CHECK-LABEL: module attributes {kiln.memory_plan = {alignment = 64 : i64, arena_bytes = 64 : i64
// CHECK-SAME: in_place = 1 : i64
#id2 = affine_map<(i, j) -> (i, j)>
module {
  func.func @reshaped(%x: memref<1x1x4x4xf32>, %y: memref<4x4xf32>) attributes {kiln.entry} {
    %a = memref.alloc() : memref<1x1x4x4xf32>
    linalg.copy ins(%x : memref<1x1x4x4xf32>) outs(%a : memref<1x1x4x4xf32>)
    %v = memref.collapse_shape %a [[0, 1, 2], [3]] : memref<1x1x4x4xf32> into memref<4x4xf32>
    %b = memref.alloc() : memref<4x4xf32>
    linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
        ins(%v : memref<4x4xf32>) outs(%b : memref<4x4xf32>) {
    ^bb0(%p: f32, %o: f32):
      %e = math.exp %p : f32
      linalg.yield %e : f32
    }
    linalg.copy ins(%b : memref<4x4xf32>) outs(%y : memref<4x4xf32>)
    return
  }
}

// -----

// Strided views (subviews, even one of everything) are not followed: no
// sharing.
// CHECK-LABEL: module attributes {kiln.memory_plan = {alignment = 64 : i64, arena_bytes = 128 : i64
// CHECK-SAME: in_place = 0 : i64
#id2 = affine_map<(i, j) -> (i, j)>
module {
  func.func @strided(%x: memref<4x4xf32>, %y: memref<4x4xf32>) attributes {kiln.entry} {
    %a = memref.alloc() : memref<4x4xf32>
    linalg.copy ins(%x : memref<4x4xf32>) outs(%a : memref<4x4xf32>)
    %v = memref.subview %a[0, 0] [4, 4] [1, 1] : memref<4x4xf32> to memref<4x4xf32, strided<[4, 1]>>
    %b = memref.alloc() : memref<4x4xf32>
    linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
        ins(%v : memref<4x4xf32, strided<[4, 1]>>) outs(%b : memref<4x4xf32>) {
    ^bb0(%p: f32, %o: f32):
      linalg.yield %p : f32
    }
    linalg.copy ins(%b : memref<4x4xf32>) outs(%y : memref<4x4xf32>)
    return
  }
}
