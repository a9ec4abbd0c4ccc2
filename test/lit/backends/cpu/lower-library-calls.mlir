// Bufferized kiln_lib ops become calls through the artifact's table
// (backends/cpu/LowerLibraryCalls.cpp, lib/runtime/cpu/CpuAbi.h).
// RUN: kiln-opt %s --kiln-cpu-lower-library-calls -split-input-file -verify-diagnostics | FileCheck %s

// The thunk calls slot 1 of the exported table with the context (slot 0)
// first.
// CHECK: llvm.func internal @kiln_cpu_conv2d(%[[DESC:.*]]: !llvm.ptr, %[[ARGS:.*]]: !llvm.ptr)
// CHECK: %[[T:.*]] = llvm.mlir.addressof @kiln_artifact_cpu_api
// CHECK: llvm.getelementptr %[[T]][0, 0]
// CHECK: %[[CTX:.*]] = llvm.load
// CHECK: llvm.getelementptr %[[T]][0, 1]
// CHECK: %[[FN:.*]] = llvm.load
// CHECK: llvm.call %[[FN]](%[[CTX]], %[[DESC]], %[[ARGS]])
// Descriptor: length 38, N C H W K R S P Q, pads, strides, dilations,
// groups 1, NCHW, bias, constant weights, direct (0), no Winograd pixel
// count (0), not integer, no
// zero point, output zero point 0, no scales; epilogue: 2 steps, add (100)
// with zero constants (as bits) and a [1, 4, 1, 1] operand, relu (1).
// CHECK: llvm.mlir.global internal constant @[[D:kiln_cpu_desc_[0-9]+]](dense<[39, 1, 3, 8, 8, 4, 3, 3, 8, 8, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 2, 100, 0, 0, 1, 4, 1, 1, 1, 0, 0]> : tensor<39xi64>)
// Six buffers (input, filter, bias, zero point (null), post operand,
// output) on the stack.
// CHECK-LABEL: func @conv
// CHECK: %[[N:.*]] = llvm.mlir.constant(6 : i64)
// CHECK: %[[BUF:.*]] = llvm.alloca %[[N]] x !llvm.ptr
// CHECK: %[[DA:.*]] = llvm.mlir.addressof @[[D]]
// CHECK-COUNT-6: llvm.store
// CHECK: llvm.call @kiln_cpu_conv2d(%[[DA]], %[[BUF]])
// CHECK-NOT: kiln_lib
// CHECK: llvm.mlir.global external @kiln_artifact_cpu_api() {{.*}} : !llvm.array<6 x ptr>
func.func @conv(%x: memref<1x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %b: memref<4xf32>, %r: memref<1x4x1x1xf32>, %y: memref<1x4x8x8xf32>) {
  kiln_lib.conv2d %x, %w bias %b post %r into %y {constant_weights, dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, post_ops = ["add", "relu"], strides = array<i64: 1, 1>} : memref<1x3x8x8xf32>, memref<4x3x3x3xf32> bias memref<4xf32>, memref<1x4x1x1xf32> into memref<1x4x8x8xf32>
  return
}

// -----

// Winograd (algorithm 1, after constant weights), channels last; no
// epilogue.
// CHECK: llvm.mlir.global internal constant @{{.*}}(dense<[29, 1, 16, 8, 8, 16, 3, 3, 8, 8, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0]> : tensor<29xi64>)
// CHECK: llvm.call @kiln_cpu_conv2d
func.func @conv_winograd(%x: memref<1x8x8x16xf32>, %w: memref<16x16x3x3xf32>, %y: memref<1x8x8x16xf32>) {
  kiln_lib.conv2d %x, %w into %y {algorithm = "winograd", channels_last, constant_weights, dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : memref<1x8x8x16xf32>, memref<16x16x3x3xf32> into memref<1x8x8x16xf32>
  return
}

// -----

// Matmul: rank 3, lhs 2x3x4, rhs padded to 1x5x4 (trans_b), output 2x3x5,
// alpha 1.0 as bits, not integer; no epilogue.
// CHECK: llvm.mlir.global internal constant @{{.*}}(dense<[17, 3, 0, 1, 4607182418800017408, 0, 0, 2, 3, 4, 1, 5, 4, 2, 3, 5, 0]> : tensor<17xi64>)
// CHECK: llvm.call @kiln_cpu_matmul
func.func @matmul(%a: memref<2x3x4xf32>, %b: memref<5x4xf32>, %c: memref<2x3x5xf32>) {
  kiln_lib.matmul %a, %b into %c {trans_b} : memref<2x3x4xf32>, memref<5x4xf32> into memref<2x3x5xf32>
  return
}

// -----

// An integer convolution (u8 x s8 -> s32) with its input's zero point:
// integer (1: to s32) and zero point (1) after the algorithm; the zero point's
// buffer fourth.
// CHECK: llvm.mlir.global internal constant @{{.*}}(dense<[29, 1, 3, 8, 8, 4, 3, 3, 8, 8, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0]> : tensor<29xi64>)
// CHECK-LABEL: func @conv_integer
// CHECK-SAME: %[[Z:[a-z0-9]+]]: memref<1xi32>
// CHECK: llvm.mlir.constant(5 : i64)
// CHECK: llvm.getelementptr %{{.*}}[3]
// CHECK-NEXT: memref.extract_aligned_pointer_as_index %[[Z]]
// CHECK: llvm.call @kiln_cpu_conv2d
func.func @conv_integer(%x: memref<1x3x8x8xi8>, %w: memref<4x3x3x3xi8>, %z: memref<1xi32>, %y: memref<1x4x8x8xi32>) {
  kiln_lib.conv2d %x, %w zero_point %z into %y {constant_weights, dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : memref<1x3x8x8xi8>, memref<4x3x3x3xi8> zero_point memref<1xi32> into memref<1x4x8x8xi32>
  return
}

// -----

// A requantizing integer convolution: u8 output (2), zero point 3, two
// scales (0.5 and 0.25 as f32 bits) at the descriptor's end; its f32 bias
// in the bias slot; relu (1) in the epilogue.
// CHECK: llvm.mlir.global internal constant @{{.*}}(dense<[34, 1, 3, 8, 8, 2, 3, 3, 8, 8, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 2, 0, 3, 2, 1, 1, 0, 0, 1056964608, 1048576000]> : tensor<34xi64>)
// CHECK: llvm.call @kiln_cpu_conv2d
func.func @conv_requantized(%x: memref<1x3x8x8xi8>, %w: memref<2x3x3x3xi8>, %b: memref<2xf32>, %y: memref<1x2x8x8xi8>) {
  kiln_lib.conv2d %x, %w bias %b into %y {constant_weights, dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, output_scales = array<f32: 0.5, 0.25>, output_zero_point = 3 : i64, post_ops = ["relu"]} : memref<1x3x8x8xi8>, memref<2x3x3x3xi8> bias memref<2xf32> into memref<1x2x8x8xi8>
  return
}

// -----

// Sizes known only at run time: the descriptor's constant holds a
// placeholder for each (ShapedType's dynamic size); before each call it is
// copied into a stack array of the function and the sizes stored over the
// placeholders (entries 7 and 11: the left operand's and the output's rows;
// entry 17: the residual's rows).
// CHECK: llvm.mlir.global internal constant @[[G:.*]](dense<[19, 2, 0, 0, 4607182418800017408, 0, 0, -9223372036854775808, 4, 4, 5, -9223372036854775808, 5, 1, 100, 0, 0, -9223372036854775808, 5]> : tensor<19xi64>)
// CHECK-LABEL: func @matmul_dynamic
// CHECK: %[[N:.*]] = llvm.mlir.constant(19 : i64) : i64
// CHECK: %[[STACK:.*]] = llvm.alloca %[[N]] x i64
// CHECK: %[[M:.*]] = memref.dim %arg0, %c0
// CHECK: %[[MO:.*]] = memref.dim %arg3, %c0
// CHECK: %[[MR:.*]] = memref.dim %arg2, %c0
// CHECK: %[[DESC:.*]] = llvm.mlir.addressof @[[G]]
// CHECK: "llvm.intr.memcpy"(%[[STACK]], %[[DESC]], %{{.*}}) <{isVolatile = false}>
// CHECK: %[[MI:.*]] = arith.index_cast %[[M]] : index to i64
// CHECK: %[[AT:.*]] = llvm.getelementptr %[[STACK]][7]
// CHECK: llvm.store %[[MI]], %[[AT]]
// CHECK: arith.index_cast %[[MO]]
// CHECK: llvm.getelementptr %[[STACK]][11]
// CHECK: arith.index_cast %[[MR]]
// CHECK: llvm.getelementptr %[[STACK]][17]
// CHECK: llvm.call @kiln_cpu_matmul(%[[STACK]], %{{.*}})
func.func @matmul_dynamic(%a: memref<?x4xf32>, %b: memref<4x5xf32>, %r: memref<?x5xf32>, %c: memref<?x5xf32>) {
  kiln_lib.matmul %a, %b post %r into %c {post_ops = ["add"]} : memref<?x4xf32>, memref<4x5xf32>, memref<?x5xf32> into memref<?x5xf32>
  return
}

// -----

// A convolution's batch known only at run time: entry 1 (N), from the input.
// CHECK-LABEL: func @conv_dynamic_batch
// CHECK: %[[STACK:.*]] = llvm.alloca %{{.*}} x i64
// CHECK: %[[N:.*]] = memref.dim %arg0, %c0
// CHECK-NOT: memref.dim
// CHECK: "llvm.intr.memcpy"(%[[STACK]]
// CHECK: %[[NI:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK: %[[AT:.*]] = llvm.getelementptr %[[STACK]][1]
// CHECK: llvm.store %[[NI]], %[[AT]]
// CHECK-NOT: memref.dim
// CHECK: llvm.call @kiln_cpu_conv2d(%[[STACK]], %{{.*}})
func.func @conv_dynamic_batch(%x: memref<?x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %y: memref<?x4x8x8xf32>) {
  kiln_lib.conv2d %x, %w into %y {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : memref<?x3x8x8xf32>, memref<4x3x3x3xf32> into memref<?x4x8x8xf32>
  return
}

// -----

// Winograd with sizes known only at run time: its pixel count (entry 23).
// CHECK: llvm.mlir.global internal constant @{{.*}}(dense<[29, -9223372036854775808, 16, 8, 8, 64, 3, 3, 8, 8, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 49, 0, 0, 0, 0, 0]> : tensor<29xi64>)
// CHECK: llvm.call @kiln_cpu_conv2d
func.func @conv_winograd_dynamic(%x: memref<?x16x8x8xf32>, %w: memref<64x16x3x3xf32>, %y: memref<?x64x8x8xf32>) {
  kiln_lib.conv2d %x, %w into %y {algorithm = "winograd", constant_weights, dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, winograd_min_pixels = 49 : i64} : memref<?x16x8x8xf32>, memref<64x16x3x3xf32> into memref<?x64x8x8xf32>
  return
}

// -----

// Height and width known only at run time: entries 3 and 4 (H, W) from the
// input, 8 and 9 (P, Q) from the output; the static batch and channels are
// in the constant.
// CHECK-LABEL: func @conv_dynamic_spatial
// CHECK: %[[STACK:.*]] = llvm.alloca %{{.*}} x i64
// CHECK: %[[H:.*]] = memref.dim %arg0, %c2
// CHECK: %[[W:.*]] = memref.dim %arg0, %c3
// CHECK: %[[P:.*]] = memref.dim %arg2, %c2
// CHECK: %[[Q:.*]] = memref.dim %arg2, %c3
// CHECK-NOT: memref.dim
// CHECK: "llvm.intr.memcpy"(%[[STACK]]
// CHECK: arith.index_cast %[[H]] : index to i64
// CHECK: llvm.getelementptr %[[STACK]][3]
// CHECK: arith.index_cast %[[W]] : index to i64
// CHECK: llvm.getelementptr %[[STACK]][4]
// CHECK: arith.index_cast %[[P]] : index to i64
// CHECK: llvm.getelementptr %[[STACK]][8]
// CHECK: arith.index_cast %[[Q]] : index to i64
// CHECK: llvm.getelementptr %[[STACK]][9]
// CHECK: llvm.call @kiln_cpu_conv2d(%[[STACK]], %{{.*}})
func.func @conv_dynamic_spatial(%x: memref<2x3x?x?xf32>, %w: memref<4x3x3x3xf32>, %y: memref<2x4x?x?xf32>) {
  kiln_lib.conv2d %x, %w into %y {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : memref<2x3x?x?xf32>, memref<4x3x3x3xf32> into memref<2x4x?x?xf32>
  return
}

// -----

// auto_pad SAME over a height and width known only at run time: the pads
// (entries 10-13: top, left, bottom, right) are computed from the input's
// sizes before the call. SAME_LOWER puts the odd pixel at the beginning.
// The static batch makes no entry of its own.
// CHECK-LABEL: func @conv_same_dynamic
// CHECK: %[[STACK:.*]] = llvm.alloca %{{.*}} x i64
// CHECK: %[[H:.*]] = memref.dim %arg0, %c2
// CHECK: %[[W:.*]] = memref.dim %arg0, %c3
// CHECK: %[[OH:.*]] = arith.ceildivsi %[[H]], %c2
// CHECK: %[[LASTH:.*]] = arith.muli %{{.*}}, %c2
// CHECK: %[[READH:.*]] = arith.addi %[[LASTH]], %c3
// CHECK: %[[OVERH:.*]] = arith.subi %[[READH]], %[[H]] :
// CHECK: %[[TOTALH:.*]] = arith.maxsi %c0{{.*}}, %[[OVERH]]
// CHECK: %[[HALFH:.*]] = arith.floordivsi %[[TOTALH]], %c2
// CHECK: %[[TOP:.*]] = arith.subi %[[TOTALH]], %[[HALFH]]
// CHECK-NOT: memref.dim %arg0
// CHECK: arith.ceildivsi %[[W]], %c3
// CHECK: "llvm.intr.memcpy"(%[[STACK]]
// CHECK: arith.index_cast %[[TOP]] : index to i64
// CHECK: llvm.getelementptr %[[STACK]][10]
// CHECK: arith.index_cast %[[HALFH]] : index to i64
// CHECK: llvm.getelementptr %[[STACK]][12]
// CHECK: llvm.getelementptr %[[STACK]][11]
// CHECK: llvm.getelementptr %[[STACK]][13]
// CHECK: llvm.call @kiln_cpu_conv2d(%[[STACK]], %{{.*}})
func.func @conv_same_dynamic(%x: memref<2x3x?x?xf32>, %w: memref<4x3x3x3xf32>, %y: memref<2x4x?x?xf32>) {
  kiln_lib.conv2d %x, %w into %y {auto_pad = "SAME_LOWER", dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 3>} : memref<2x3x?x?xf32>, memref<4x3x3x3xf32> into memref<2x4x?x?xf32>
  return
}

// -----

// SAME over static sizes needs no run-time entry: 7 rows at stride 2 give 4
// outputs, whose windows read 9 rows: pads 1 and 1; 5 columns at stride 3
// give 2, reading 6: the one pixel of padding at the end (SAME_UPPER).
// CHECK-LABEL: llvm.mlir.global internal constant @kiln_cpu_desc_{{.*}}(dense<[{{[0-9]+}}, 1, 3, 7, 5, 4, 3, 3, 4, 2, 1, 0, 1, 1, 2, 3,
// CHECK-LABEL: func @conv_same_static
// CHECK-NOT: memref.dim
// CHECK: llvm.call @kiln_cpu_conv2d
func.func @conv_same_static(%x: memref<1x3x7x5xf32>, %w: memref<4x3x3x3xf32>, %y: memref<1x4x4x2xf32>) {
  kiln_lib.conv2d %x, %w into %y {auto_pad = "SAME_UPPER", dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 3>} : memref<1x3x7x5xf32>, memref<4x3x3x3xf32> into memref<1x4x4x2xf32>
  return
}

// -----

// An integer matrix product: integer (1) before the dimensions.
// CHECK: llvm.mlir.global internal constant @{{.*}}(dense<[14, 2, 0, 0, 4607182418800017408, 1, 1, 3, 4, 4, 5, 3, 5, 0]> : tensor<14xi64>)
// CHECK: llvm.call @kiln_cpu_matmul
func.func @matmul_integer(%a: memref<3x4xi8>, %b: memref<4x5xi8>, %c: memref<3x5xi32>) {
  kiln_lib.matmul %a, %b into %c {constant_weights} : memref<3x4xi8>, memref<4x5xi8> into memref<3x5xi32>
  return
}

// -----

func.func @on_tensors(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>, %c: tensor<3x5xf32>) -> tensor<3x5xf32> {
  // expected-error @+1 {{must be bufferized before it is lowered}}
  %0 = kiln_lib.matmul %a, %b into %c : tensor<3x4xf32>, tensor<4x5xf32> into tensor<3x5xf32> -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

func.func @accumulate(%a: memref<3x4xf32>, %b: memref<4x5xf32>, %c: memref<3x5xf32>) {
  // expected-error @+1 {{accumulating products have no oneDNN call}}
  kiln_lib.matmul %a, %b into %c {accumulate} : memref<3x4xf32>, memref<4x5xf32> into memref<3x5xf32>
  return
}
