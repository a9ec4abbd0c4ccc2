// f32 convolutions and products go to oneDNN as kiln_lib ops, their
// elementwise epilogues as post-ops (backends/cpu/SelectLibraryCalls.cpp).
// RUN: kiln-opt %s --kiln-cpu-select-library-calls=use-cost-model=false -split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-cpu-select-library-calls -split-input-file | FileCheck %s --check-prefix=COST

// Bias-like add (reshaped to the output's rank) and ReLU become post-ops;
// a constant filter is marked for repacking.
// CHECK-LABEL: func @conv_add_relu
// CHECK: %[[C:.*]] = kiln.reshape %arg1
// CHECK-SAME: -> tensor<1x4x1x1xf32>
// CHECK: %[[INIT:.*]] = tensor.empty() : tensor<1x4x8x8xf32>
// CHECK: %[[Y:.*]] = kiln_lib.conv2d %arg0, %{{.*}} post %[[C]] into %[[INIT]]
// CHECK-SAME: constant_weights
// CHECK-SAME: pads = array<i64: 1, 1, 1, 1>, post_args = array<f32: 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00>, post_ops = ["add", "relu"]
// CHECK-NOT: kiln.relu
// CHECK-NOT: kiln.add
// CHECK: return %[[Y]]
func.func @conv_add_relu(%x: tensor<1x3x8x8xf32>, %c: tensor<4x1x1xf32>) -> tensor<1x4x8x8xf32> {
  %w = kiln.constant dense<0.5> : tensor<4x3x3x3xf32>
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  %1 = kiln.add %0, %c : (tensor<1x4x8x8xf32>, tensor<4x1x1xf32>) -> tensor<1x4x8x8xf32>
  %2 = kiln.relu %1 : tensor<1x4x8x8xf32>
  return %2 : tensor<1x4x8x8xf32>
}

// -----

// Channels-last convolution, asymmetric padding, a residual add and a clip
// (bounds as post_args); the filter is an argument, not constant.
// CHECK-LABEL: func @conv_nhwc_residual_clip
// CHECK: kiln_lib.conv2d %arg0, %arg1 post %arg2 into
// CHECK-SAME: channels_last
// CHECK-NOT: constant_weights
// CHECK-SAME: pads = array<i64: 0, 0, 1, 1>, post_args = array<f32: 0.000000e+00, 0.000000e+00, 0.000000e+00, 6.000000e+00>, post_ops = ["add", "clip"]
func.func @conv_nhwc_residual_clip(%x: tensor<1x8x8x3xf32>, %w: tensor<4x3x3x3xf32>, %r: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = kiln.conv %x, %w {channels_last = true, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x8x8x3xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32>
  %1 = kiln.add %r, %0 : (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %2 = kiln.clip %1 {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x4x4x4xf32>
  return %2 : tensor<1x4x4x4xf32>
}

// -----

// The epilogue stops at a value with two users, at a broadcast that would
// grow the result, and at a subtraction with the chain on the right.
// CHECK-LABEL: func @epilogue_stops
// CHECK: %[[M:.*]] = kiln_lib.matmul %arg0, %arg1 into %{{[0-9]+}} : tensor
// CHECK: kiln.relu %[[M]]
// CHECK: kiln.add %[[M]]
// CHECK: %[[M2:.*]] = kiln_lib.matmul %arg0, %arg1 into
// CHECK: kiln.add %[[M2]], %arg2 : (tensor<3x5xf32>, tensor<2x3x5xf32>)
// CHECK: %[[M3:.*]] = kiln_lib.matmul %arg0, %arg1 into
// CHECK: kiln.sub %arg3, %[[M3]]
func.func @epilogue_stops(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>, %big: tensor<2x3x5xf32>, %s: tensor<3x5xf32>) -> (tensor<3x5xf32>, tensor<3x5xf32>, tensor<2x3x5xf32>, tensor<3x5xf32>) {
  %0 = kiln.matmul %a, %b : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  %1 = kiln.relu %0 : tensor<3x5xf32>
  %2 = kiln.add %0, %0 : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  %3 = kiln.matmul %a, %b : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  %4 = kiln.add %3, %big : (tensor<3x5xf32>, tensor<2x3x5xf32>) -> tensor<2x3x5xf32>
  %5 = kiln.matmul %a, %b : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  %6 = kiln.sub %s, %5 : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  return %1, %2, %4, %6 : tensor<3x5xf32>, tensor<3x5xf32>, tensor<2x3x5xf32>, tensor<3x5xf32>
}

// -----

// A transpose of the rhs's last two dimensions becomes trans_b (attention's
// Q K^T); batches broadcast; GELU is a post-op.
// CHECK-LABEL: func @batched_transposed_gelu
// CHECK: kiln_lib.matmul %arg0, %arg1 into %{{.*}} {
// CHECK-SAME: post_ops = ["gelu_erf"]
// CHECK-SAME: trans_b
// CHECK-SAME: : tensor<2x3x4xf32>, tensor<1x5x4xf32> into tensor<2x3x5xf32>
func.func @batched_transposed_gelu(%a: tensor<2x3x4xf32>, %k: tensor<1x5x4xf32>) -> tensor<2x3x5xf32> {
  %t = kiln.transpose %k {perm = array<i64: 0, 2, 1>} : tensor<1x5x4xf32> -> tensor<1x4x5xf32>
  %0 = kiln.matmul %a, %t : (tensor<2x3x4xf32>, tensor<1x4x5xf32>) -> tensor<2x3x5xf32>
  %1 = kiln.gelu %0 : tensor<2x3x5xf32>
  return %1 : tensor<2x3x5xf32>
}

// -----

// Gemm: C (beta 1) is the first post-op, alpha stays; a scaled C keeps the
// gemm for code generation.
// CHECK-LABEL: func @gemm
// CHECK: %[[C:.*]] = kiln.reshape %arg2
// CHECK-SAME: -> tensor<1x5xf32>
// CHECK: kiln_lib.matmul %arg0, %arg1 post %[[C]] into
// CHECK-SAME: alpha = 2.000000e+00 : f32
// CHECK-SAME: post_ops = ["add", "relu"]
// CHECK-SAME: trans_b
// CHECK: kiln.gemm %arg0, %arg1, %arg2
func.func @gemm(%a: tensor<3x4xf32>, %b: tensor<5x4xf32>, %c: tensor<5xf32>) -> (tensor<3x5xf32>, tensor<3x5xf32>) {
  %0 = kiln.gemm %a, %b, %c {trans_b = true, alpha = 2.0 : f32} : (tensor<3x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  %1 = kiln.relu %0 : tensor<3x5xf32>
  %2 = kiln.gemm %a, %b, %c {trans_b = true, beta = 0.5 : f32} : (tensor<3x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  return %1, %2 : tensor<3x5xf32>, tensor<3x5xf32>
}

// -----

// Not for the library: integers, vectors.
// CHECK-LABEL: func @stays
// CHECK-NOT: kiln_lib
// CHECK: kiln.matmul
// CHECK: kiln.matmul
func.func @stays(%i: tensor<3x4xsi32>, %j: tensor<4x5xsi32>, %b: tensor<4x5xf32>, %v: tensor<4xf32>) -> (tensor<3x5xsi32>, tensor<5xf32>) {
  %0 = kiln.matmul %i, %j : (tensor<3x4xsi32>, tensor<4x5xsi32>) -> tensor<3x5xsi32>
  %3 = kiln.matmul %v, %b : (tensor<4xf32>, tensor<4x5xf32>) -> tensor<5xf32>
  return %0, %3 : tensor<3x5xsi32>, tensor<5xf32>
}

// -----

// Products with sizes known only at run time go to the library too (with
// the cost model as well: their generated code would be plain loops). The
// output's sizes come from the operands: rows from the left one, columns
// from the right one, batch dimensions broadcast (a 1 takes the other's
// size, 0 included; other sizes must agree, checked at run time). A residual
// of the output's rank joins the epilogue whatever its sizes; one of lower
// rank with a dynamic size does not (it would need a reshape of unknown
// sizes).
// CHECK-LABEL: func @dynamic_products
// CHECK: %[[M:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[E:.*]] = tensor.empty(%[[M]]) : tensor<?x5xf32>
// CHECK: kiln_lib.matmul %arg0, %arg1 post %arg2 into %[[E]] {{{.*}}post_ops = ["add", "relu"]}
// CHECK: %[[B0:.*]] = tensor.dim %arg3, %c0
// CHECK: %[[B1:.*]] = tensor.dim %arg4, %c0
// CHECK: %[[ONE:.*]] = arith.cmpi eq, %[[B0]], %c1
// CHECK: %[[B:.*]] = arith.select %[[ONE]], %[[B1]], %[[B0]]
// CHECK: cf.assert {{.*}}"op 'kiln.matmul': operand shapes do not broadcast"
// CHECK: cf.assert {{.*}}"op 'kiln.matmul': operand shapes do not broadcast"
// CHECK: %[[E2:.*]] = tensor.empty(%[[B]]) : tensor<?x3x5xf32>
// CHECK: %[[P:.*]] = kiln_lib.matmul %arg3, %arg4 into %[[E2]]
// CHECK: kiln.add %[[P]], %arg5
// CHECK: %[[N:.*]] = tensor.dim %arg6, %c0
// CHECK: tensor.empty(%[[N]]) : tensor<?x7xf32>
// CHECK: kiln_lib.matmul %arg6, %arg7 into %{{.*}} {trans_b}
// COST-LABEL: func @dynamic_products
// COST-COUNT-3: kiln_lib.matmul
func.func @dynamic_products(%a: tensor<?x4xf32>, %b: tensor<4x5xf32>, %r: tensor<?x5xf32>,
                            %x: tensor<?x3x4xf32>, %y: tensor<?x4x5xf32>, %s: tensor<?xf32>,
                            %g: tensor<?x6xf32>, %h: tensor<7x6xf32>)
    -> (tensor<?x5xf32>, tensor<?x3x5xf32>, tensor<?x7xf32>) {
  %0 = kiln.matmul %a, %b : (tensor<?x4xf32>, tensor<4x5xf32>) -> tensor<?x5xf32>
  %1 = kiln.add %0, %r : (tensor<?x5xf32>, tensor<?x5xf32>) -> tensor<?x5xf32>
  %2 = kiln.relu %1 : tensor<?x5xf32>
  %3 = kiln.matmul %x, %y : (tensor<?x3x4xf32>, tensor<?x4x5xf32>) -> tensor<?x3x5xf32>
  %4 = kiln.add %3, %s : (tensor<?x3x5xf32>, tensor<?xf32>) -> tensor<?x3x5xf32>
  %5 = kiln.gemm %g, %h {trans_b = true} : (tensor<?x6xf32>, tensor<7x6xf32>) -> tensor<?x7xf32>
  return %2, %4, %5 : tensor<?x5xf32>, tensor<?x3x5xf32>, tensor<?x7xf32>
}

// -----

// A 1-D convolution is the 2-D one over a height of 1: the input, a
// constant filter (still constant, so repacked once) and the residual
// operand get a unit dimension before the length; pads, strides and
// dilations one entry for it (0, 1, 1); the result is reshaped back.
// CHECK-LABEL: func @conv1d_residual_relu
// CHECK-DAG: %[[X:.*]] = kiln.reshape %arg0, {{.*}} -> tensor<1x3x1x9xf32>
// CHECK-DAG: %[[W:.*]] = kiln.constant dense<5.000000e-01> : tensor<4x3x1x3xf32>
// CHECK-DAG: %[[R:.*]] = kiln.reshape %arg1, {{.*}} -> tensor<1x4x1x3xf32>
// CHECK: %[[Y:.*]] = kiln_lib.conv2d %[[X]], %[[W]] post %[[R]] into
// CHECK-SAME: constant_weights
// CHECK-SAME: dilations = array<i64: 1, 2>
// CHECK-SAME: pads = array<i64: 0, 1, 0, 0>
// CHECK-SAME: post_ops = ["add", "relu"]
// CHECK-SAME: strides = array<i64: 1, 2>
// CHECK-SAME: -> tensor<1x4x1x3xf32>
// CHECK: %[[OUT:.*]] = kiln.squeeze %[[Y]] {axes = array<i64: 2>} : tensor<1x4x1x3xf32> -> tensor<1x4x3xf32>
// CHECK: return %[[OUT]]
// The channels-last form puts the unit dimension after the batch.
// CHECK-LABEL: func @conv1d_channels_last
// CHECK: kiln.reshape %arg0, {{.*}} -> tensor<2x1x10x3xf32>
// CHECK: kiln_lib.conv2d
// CHECK-SAME: channels_last
// CHECK-NOT: constant_weights
// CHECK-SAME: -> tensor<2x1x8x4xf32>
// CHECK: kiln.squeeze %{{.*}} {axes = array<i64: 1>} : tensor<2x1x8x4xf32> -> tensor<2x8x4xf32>
func.func @conv1d_residual_relu(%x: tensor<1x3x9xf32>, %r: tensor<1x4x3xf32>) -> tensor<1x4x3xf32> {
  %w = kiln.constant dense<0.5> : tensor<4x3x3xf32>
  %0 = kiln.conv %x, %w {dilations = array<i64: 2>, pads = array<i64: 1, 0>, strides = array<i64: 2>} : (tensor<1x3x9xf32>, tensor<4x3x3xf32>) -> tensor<1x4x3xf32>
  %1 = kiln.add %0, %r : (tensor<1x4x3xf32>, tensor<1x4x3xf32>) -> tensor<1x4x3xf32>
  %2 = kiln.relu %1 : tensor<1x4x3xf32>
  return %2 : tensor<1x4x3xf32>
}
func.func @conv1d_channels_last(%x: tensor<2x10x3xf32>, %w: tensor<4x3x3xf32>) -> tensor<2x8x4xf32> {
  %0 = kiln.conv %x, %w {channels_last = true, dilations = array<i64: 1>, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<2x10x3xf32>, tensor<4x3x3xf32>) -> tensor<2x8x4xf32>
  return %0 : tensor<2x8x4xf32>
}

// -----

// With the cost model, a tiny product stays generated code (a library call's
// fixed cost would dominate) and a large one goes to the library.
// COST-LABEL: func @by_cost
// COST: kiln.matmul %arg0, %arg1 : (tensor<3x4xf32>, tensor<4x5xf32>)
// COST: kiln_lib.matmul %arg2, %arg3 into
func.func @by_cost(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>, %c: tensor<128x256xf32>, %d: tensor<256x256xf32>) -> (tensor<3x5xf32>, tensor<128x256xf32>) {
  %0 = kiln.matmul %a, %b : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  %1 = kiln.matmul %c, %d : (tensor<128x256xf32>, tensor<256x256xf32>) -> tensor<128x256xf32>
  return %0, %1 : tensor<3x5xf32>, tensor<128x256xf32>
}

// -----

// A 2-D convolution whose batch, height or width are known only at run
// time goes to the library (direct here: 4 channels; select-winograd.mlir),
// its output sized the way the generated loops size it: the batch the
// input's, each spatial size (in + pads - span) floordiv stride + 1 (terms
// of 0 and 1 build nothing), checked at run time not to be negative.
// CHECK-LABEL: func @dynamic_sizes_conv
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C5:.*]] = arith.constant 5 : index
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[N:.*]] = tensor.dim %arg0, %[[C0]]
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x4x8x8xf32>
// CHECK: kiln_lib.conv2d %arg0, %{{.*}} post %arg1 into %[[E]] {{.*}}post_ops = ["add", "relu"]
// CHECK: %[[H:.*]] = tensor.dim %arg2, %[[C2]] : tensor<1x3x?x8xf32>
// CHECK: %[[H1:.*]] = arith.addi %[[H]], %[[C1]]
// CHECK: %[[H2:.*]] = arith.addi %[[H1]], %[[C1]]
// CHECK: %[[H3:.*]] = arith.subi %[[H2]], %[[C3]]
// CHECK: %[[P:.*]] = arith.addi %[[H3]], %[[C1]]
// CHECK: %[[OK:.*]] = arith.cmpi sge, %[[H3]], %[[C0]]
// CHECK: cf.assert %[[OK]], "{{.*}}the input is smaller than the window along spatial axis 0"
// CHECK: %[[E1:.*]] = tensor.empty(%[[P]]) : tensor<1x4x?x8xf32>
// CHECK: kiln_lib.conv2d %arg2, %{{.*}} into %[[E1]]
// CHECK: %[[XH:.*]] = tensor.dim %arg3, %[[C2]]
// CHECK: %[[XW:.*]] = tensor.dim %arg3, %[[C3]]
// CHECK: %[[A:.*]] = arith.addi %[[XH]], %[[C2]]
// CHECK: %[[B:.*]] = arith.subi %[[A]], %[[C5]]
// CHECK: %[[P2:.*]] = arith.addi %[[B]], %[[C1]]
// CHECK: %[[W1:.*]] = arith.addi %[[XW]], %[[C1]]
// CHECK: %[[W2:.*]] = arith.addi %[[W1]], %[[C1]]
// CHECK: %[[W3:.*]] = arith.subi %[[W2]], %[[C3]]
// CHECK: %[[W4:.*]] = arith.floordivsi %[[W3]], %[[C2]]
// CHECK: %[[Q2:.*]] = arith.addi %[[W4]], %[[C1]]
// CHECK: %[[N2:.*]] = tensor.dim %arg3, %[[C0]]
// CHECK: %[[E2:.*]] = tensor.empty(%[[N2]], %[[P2]], %[[Q2]]) : tensor<?x4x?x?xf32>
// CHECK: kiln_lib.conv2d %arg3, %{{.*}} into %[[E2]] {{.*}}dilations = array<i64: 2, 1>, {{.*}}pads = array<i64: 0, 1, 2, 1>, strides = array<i64: 1, 2>
// The dynamic 1-D one runs as 2-D over a unit height: its input and init
// get the unit dimension (kiln.unsqueeze), its result loses it.
// CHECK: %[[L:.*]] = tensor.dim %arg4, %[[C0]] : tensor<?x3x8xf32>
// CHECK: %[[E3:.*]] = tensor.empty(%[[L]]) : tensor<?x4x8xf32>
// CHECK: %[[X3:.*]] = kiln.unsqueeze %arg4 {axes = array<i64: 2>} : tensor<?x3x8xf32> -> tensor<?x3x1x8xf32>
// CHECK: %[[I3:.*]] = kiln.unsqueeze %[[E3]] {axes = array<i64: 2>} : tensor<?x4x8xf32> -> tensor<?x4x1x8xf32>
// CHECK: %[[Y3:.*]] = kiln_lib.conv2d %[[X3]], %{{.*}} into %[[I3]] {{.*}}pads = array<i64: 0, 1, 0, 1>
// CHECK: kiln.squeeze %[[Y3]] {axes = array<i64: 2>} : tensor<?x4x1x8xf32> -> tensor<?x4x8xf32>
// CHECK-NOT: kiln.conv
// COST-LABEL: func @dynamic_sizes_conv
// COST-COUNT-4: kiln_lib.conv2d
// COST-NOT: kiln_lib.conv2d
func.func @dynamic_sizes_conv(%x: tensor<?x3x8x8xf32>, %r: tensor<?x4x8x8xf32>, %h: tensor<1x3x?x8xf32>, %xs: tensor<?x3x?x?xf32>, %l: tensor<?x3x8xf32>)
    -> (tensor<?x4x8x8xf32>, tensor<1x4x?x8xf32>, tensor<?x4x?x?xf32>, tensor<?x4x8xf32>) {
  %w = kiln.constant dense<0.5> : tensor<4x3x3x3xf32>
  %w1 = kiln.constant dense<0.5> : tensor<4x3x3xf32>
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x8x8xf32>
  %1 = kiln.add %0, %r : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  %2 = kiln.relu %1 : tensor<?x4x8x8xf32>
  %3 = kiln.conv %h, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x?x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x?x8xf32>
  %5 = kiln.conv %xs, %w {dilations = array<i64: 2, 1>, pads = array<i64: 0, 1, 2, 1>, strides = array<i64: 1, 2>} : (tensor<?x3x?x?xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x?x?xf32>
  %4 = kiln.conv %l, %w1 {dilations = array<i64: 1>, pads = array<i64: 1, 1>, strides = array<i64: 1>} : (tensor<?x3x8xf32>, tensor<4x3x3xf32>) -> tensor<?x4x8xf32>
  return %2, %3, %5, %4 : tensor<?x4x8x8xf32>, tensor<1x4x?x8xf32>, tensor<?x4x?x?xf32>, tensor<?x4x8xf32>
}

// -----

// A dynamic channel count stays for the generated loops (which check it
// against the filter at run time).
// CHECK-LABEL: func @dynamic_channels_conv
// CHECK-NOT: kiln_lib
// CHECK: kiln.conv
func.func @dynamic_channels_conv(%x: tensor<1x?x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %w = kiln.constant dense<0.5> : tensor<4x3x3x3xf32>
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x?x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// auto_pad SAME along a strided axis of unknown size (the frontend resolved
// every other): the call keeps auto_pad and zero pads, its padding is
// computed when it runs; the output is ceil(size / stride). 1-D too (the
// unit height gets no padding).
// CHECK-LABEL: func @same_dynamic_conv
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK: %[[H:.*]] = tensor.dim %arg0, %[[C2]] : tensor<?x3x?x?xf32>
// CHECK: %[[W:.*]] = tensor.dim %arg0, %[[C3]] : tensor<?x3x?x?xf32>
// CHECK: %[[P:.*]] = arith.ceildivsi %[[H]], %[[C2]]
// CHECK: %[[Q:.*]] = arith.ceildivsi %[[W]], %[[C3]]
// CHECK: tensor.empty({{.*}}%[[P]], %[[Q]]) : tensor<?x4x?x?xf32>
// CHECK: kiln_lib.conv2d %arg0, {{.*}}auto_pad = "SAME_LOWER"{{.*}}pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 3>
// CHECK: kiln.unsqueeze %arg1
// CHECK: kiln_lib.conv2d {{.*}}auto_pad = "SAME_UPPER"{{.*}}pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 2>
// CHECK-NOT: kiln.conv
// COST-LABEL: func @same_dynamic_conv
// COST-COUNT-2: kiln_lib.conv2d
func.func @same_dynamic_conv(%x: tensor<?x3x?x?xf32>, %l: tensor<1x3x?xf32>)
    -> (tensor<?x4x?x?xf32>, tensor<1x4x?xf32>) {
  %w = kiln.constant dense<0.5> : tensor<4x3x3x3xf32>
  %w1 = kiln.constant dense<0.5> : tensor<4x3x3xf32>
  %0 = kiln.conv %x, %w {auto_pad = "SAME_LOWER", dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 3>} : (tensor<?x3x?x?xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x?x?xf32>
  %1 = kiln.conv %l, %w1 {auto_pad = "SAME_UPPER", dilations = array<i64: 1>, pads = array<i64: 0, 0>, strides = array<i64: 2>} : (tensor<1x3x?xf32>, tensor<4x3x3xf32>) -> tensor<1x4x?xf32>
  return %0, %1 : tensor<?x4x?x?xf32>, tensor<1x4x?xf32>
}
