// A product with an epilogue (kiln-cuda-select-library-calls: a column
// bias, then ReLU or tanh GELU) calls kiln_cuda_matmul_epilogue, the
// cuBLASLt wrapper: the descriptor's last field is the activation
// (CudaAbi.h: 1 ReLU, 2 tanh GELU), the bias's address comes before C's,
// null without a bias.
// RUN: kiln-opt %s --kiln-cuda-host-to-llvm | FileCheck %s

// f32, batch 1 (the [2, 3, 4] rows fold into 6), M N K = 6 5 4, ReLU.
// CHECK-DAG: llvm.mlir.global internal constant @[[RELU:kiln_cuda_desc_[0-9]+]](dense<[0, 1, 6, 5, 4, 0, 0, 24, 0, 30, 0, 4607182418800017408, 0, 1]> : tensor<14xi64>)
// M N K = 3 5 4, B transposed, tanh GELU.
// CHECK-DAG: llvm.mlir.global internal constant @[[GELU:kiln_cuda_desc_[0-9]+]](dense<[0, 1, 3, 5, 4, 0, 1, 12, 20, 15, 0, 4607182418800017408, 0, 2]> : tensor<14xi64>)
// The convolution: f32, N C H W = 1 3 8 8, K R S = 4 3 3, ReLU.
// CHECK-DAG: llvm.mlir.global internal constant @[[CONV:kiln_cuda_desc_[0-9]+]](dense<[0, 1, 3, 8, 8, 4, 3, 3, 8, 8, 1, 1, 1, 1, 1, 1, 1, 1, 0]> : tensor<19xi64>)
// CHECK-DAG: llvm.func internal @kiln_cuda_matmul_epilogue(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)

// CHECK-LABEL: llvm.func @f(
// CHECK: %[[D0:.*]] = llvm.mlir.addressof @[[RELU]]
// The addresses of A, B, the bias (a strided view) and C, in that order.
// CHECK: %[[A0:.*]] = llvm.inttoptr
// CHECK: %[[B0:.*]] = llvm.inttoptr
// CHECK: %[[BIAS:.*]] = llvm.inttoptr
// CHECK: %[[C0:.*]] = llvm.inttoptr
// CHECK: llvm.call @kiln_cuda_matmul_epilogue(%[[D0]], %[[A0]], %[[B0]], %[[BIAS]], %[[C0]])
// CHECK: llvm.call @kiln_cuda_alloc
// CHECK: %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK-NEXT: %[[D1:.*]] = llvm.mlir.addressof @[[GELU]]
// CHECK: llvm.call @kiln_cuda_matmul_epilogue(%[[D1]], %{{.*}}, %{{.*}}, %[[NULL]], %{{.*}})
// CHECK-NOT: llvm.call @kiln_cuda_matmul(
// A convolution with a residual calls kiln_cuda_conv2d_residual with the
// addresses of x, w, the bias, the residual and y (their order is checked
// numerically by e2e.cuda.fake_cudnn); ReLU in the descriptor (the
// activation, its 18th field).
// CHECK: %[[CD:.*]] = llvm.mlir.addressof @[[CONV]]
// CHECK: llvm.call @kiln_cuda_conv2d_residual(%[[CD]], %{{[0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}})
// CHECK-NOT: llvm.call @kiln_cuda_conv2d(
module attributes {gpu.container_module} {
  func.func @f(%a: memref<2x3x4xf32>, %b: memref<4x5xf32>, %bias: memref<1x1x5xf32, strided<[5, 5, 1], offset: 2>>, %a2: memref<3x4xf32>, %b2: memref<5x4xf32>) -> (memref<2x3x5xf32>, memref<3x5xf32>) {
    %c = memref.alloc() : memref<2x3x5xf32>
    kiln_lib.matmul %a, %b post %bias into %c {post_ops = ["add", "relu"], post_args = array<f32: 0.0, 0.0, 0.0, 0.0>} : memref<2x3x4xf32>, memref<4x5xf32>, memref<1x1x5xf32, strided<[5, 5, 1], offset: 2>> into memref<2x3x5xf32>
    %d = memref.alloc() : memref<3x5xf32>
    kiln_lib.matmul %a2, %b2 into %d {trans_b, post_ops = ["gelu_tanh"], post_args = array<f32: 0.0, 0.0>} : memref<3x4xf32>, memref<5x4xf32> into memref<3x5xf32>
    return %c, %d : memref<2x3x5xf32>, memref<3x5xf32>
  }
  func.func @conv(%x: memref<1x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %bias: memref<4xf32>, %z: memref<1x4x8x8xf32>) -> memref<1x4x8x8xf32> {
    %y = memref.alloc() : memref<1x4x8x8xf32>
    kiln_lib.conv2d %x, %w bias %bias post %z into %y {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, post_ops = ["add", "relu"], post_args = array<f32: 0.0, 0.0, 0.0, 0.0>, strides = array<i64: 1, 1>} : memref<1x3x8x8xf32>, memref<4x3x3x3xf32> bias memref<4xf32>, memref<1x4x8x8xf32> into memref<1x4x8x8xf32>
    return %y : memref<1x4x8x8xf32>
  }
}
