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

// -----

// oneDNN convolutions: a residual added first dies at the convolution, which
// then accumulates onto it (the `sum` post-op): the output takes its slot.
// CHECK-LABEL: module attributes {kiln.memory_plan = {alignment = 64 : i64, arena_bytes = 1024 : i64
// CHECK-SAME: in_place = 1 : i64
module {
  func.func @conv_residual(%x: memref<1x4x8x8xf32>, %w: memref<4x4x3x3xf32>, %b: memref<4xf32>, %y: memref<1x4x8x8xf32>) attributes {kiln.entry} {
    %r = memref.alloc() : memref<1x4x8x8xf32>
    linalg.copy ins(%x : memref<1x4x8x8xf32>) outs(%r : memref<1x4x8x8xf32>)
    %o = memref.alloc() : memref<1x4x8x8xf32>
    kiln_lib.conv2d %x, %w bias %b post %r into %o {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, post_ops = ["add", "relu"], strides = array<i64: 1, 1>} : memref<1x4x8x8xf32>, memref<4x4x3x3xf32> bias memref<4xf32>, memref<1x4x8x8xf32> into memref<1x4x8x8xf32>
    linalg.copy ins(%o : memref<1x4x8x8xf32>) outs(%y : memref<1x4x8x8xf32>)
    return
  }
}

// -----

// The residual is read again after the convolution: no sharing.
// CHECK-LABEL: module attributes {kiln.memory_plan = {alignment = 64 : i64, arena_bytes = 2048 : i64
// CHECK-SAME: in_place = 0 : i64
module {
  func.func @conv_residual_lives_on(%x: memref<1x4x8x8xf32>, %w: memref<4x4x3x3xf32>, %b: memref<4xf32>, %y: memref<1x4x8x8xf32>) attributes {kiln.entry} {
    %r = memref.alloc() : memref<1x4x8x8xf32>
    linalg.copy ins(%x : memref<1x4x8x8xf32>) outs(%r : memref<1x4x8x8xf32>)
    %o = memref.alloc() : memref<1x4x8x8xf32>
    kiln_lib.conv2d %x, %w bias %b post %r into %o {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, post_ops = ["add"], strides = array<i64: 1, 1>} : memref<1x4x8x8xf32>, memref<4x4x3x3xf32> bias memref<4xf32>, memref<1x4x8x8xf32> into memref<1x4x8x8xf32>
    linalg.copy ins(%r : memref<1x4x8x8xf32>) outs(%y : memref<1x4x8x8xf32>)
    linalg.copy ins(%o : memref<1x4x8x8xf32>) outs(%y : memref<1x4x8x8xf32>)
    return
  }
}

// -----

// The residual is also the convolution's input, which the convolution reads
// while it writes: no sharing.
// CHECK-LABEL: module attributes {kiln.memory_plan = {alignment = 64 : i64, arena_bytes = 2048 : i64
// CHECK-SAME: in_place = 0 : i64
module {
  func.func @conv_of_residual(%x: memref<1x4x8x8xf32>, %w: memref<4x4x3x3xf32>, %b: memref<4xf32>, %y: memref<1x4x8x8xf32>) attributes {kiln.entry} {
    %r = memref.alloc() : memref<1x4x8x8xf32>
    linalg.copy ins(%x : memref<1x4x8x8xf32>) outs(%r : memref<1x4x8x8xf32>)
    %o = memref.alloc() : memref<1x4x8x8xf32>
    kiln_lib.conv2d %r, %w bias %b post %r into %o {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, post_ops = ["add"], strides = array<i64: 1, 1>} : memref<1x4x8x8xf32>, memref<4x4x3x3xf32> bias memref<4xf32>, memref<1x4x8x8xf32> into memref<1x4x8x8xf32>
    linalg.copy ins(%o : memref<1x4x8x8xf32>) outs(%y : memref<1x4x8x8xf32>)
    return
  }
}

// -----

// A broadcast addend (a per-channel bias), and a residual added after
// another step: neither is a `sum`, no sharing.
// CHECK-LABEL: module attributes {kiln.memory_plan = {alignment = 64 : i64, arena_bytes = 2112 : i64
// CHECK-SAME: in_place = 0 : i64
module {
  func.func @not_sum(%x: memref<1x4x8x8xf32>, %w: memref<4x4x3x3xf32>, %b: memref<4xf32>, %y: memref<1x4x8x8xf32>) attributes {kiln.entry} {
    %c = memref.alloc() : memref<1x4x1x1xf32>
    %cx = memref.subview %x[0, 0, 0, 0] [1, 4, 1, 1] [1, 1, 1, 1] : memref<1x4x8x8xf32> to memref<1x4x1x1xf32, strided<[256, 64, 8, 1]>>
    memref.copy %cx, %c : memref<1x4x1x1xf32, strided<[256, 64, 8, 1]>> to memref<1x4x1x1xf32>
    %r = memref.alloc() : memref<1x4x8x8xf32>
    linalg.copy ins(%x : memref<1x4x8x8xf32>) outs(%r : memref<1x4x8x8xf32>)
    %o = memref.alloc() : memref<1x4x8x8xf32>
    kiln_lib.conv2d %x, %w bias %b post %c, %r into %o {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, post_ops = ["add", "add"], strides = array<i64: 1, 1>} : memref<1x4x8x8xf32>, memref<4x4x3x3xf32> bias memref<4xf32>, memref<1x4x1x1xf32>, memref<1x4x8x8xf32> into memref<1x4x8x8xf32>
    linalg.copy ins(%o : memref<1x4x8x8xf32>) outs(%y : memref<1x4x8x8xf32>)
    return
  }
}
