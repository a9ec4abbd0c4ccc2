// The host side of a CUDA module becomes LLVM whose device operations are
// calls through the artifact's table of runtime functions
// (lib/runtime/cuda/CudaAbi.h): allocation, launches by kernel index with
// the parameters as an array of pointers (memrefs expanded to their
// descriptor fields), and cuBLAS/cuDNN calls with constant descriptors.
// RUN: kiln-opt %s --kiln-cuda-host-to-llvm | FileCheck %s

// CHECK: module attributes {gpu.container_module, kiln_cuda.kernels = ["k0"]}
// The convolution: f32, N C H W = 1 3 8 8, K R S = 4 3 3, P Q = 8 8, pads,
// strides, dilations 1, one group, ReLU, no TF32.
// CHECK-DAG: llvm.mlir.global internal constant @[[CONV:kiln_cuda_desc_[0-9]+]](dense<[0, 1, 3, 8, 8, 4, 3, 3, 8, 8, 1, 1, 1, 1, 1, 1, 1, 1, 0]> : tensor<19xi64>)
// The product: f32, batch 1, M N K = 4 5 8, B transposed, batch strides,
// no accumulation, alpha 1.0 (as the bits of a double), no TF32.
// CHECK-DAG: llvm.mlir.global internal constant @[[MM:kiln_cuda_desc_[0-9]+]](dense<[0, 1, 4, 5, 8, 0, 1, 32, 40, 20, 0, 4607182418800017408, 0, 0]> : tensor<14xi64>)
// Each runtime function is a thunk: slot 0 (the context) goes first.
// CHECK-DAG: llvm.func internal @kiln_cuda_alloc(%{{.*}}: i64) -> !llvm.ptr
// CHECK-DAG: llvm.func internal @kiln_cuda_free(%{{.*}}: !llvm.ptr)
// CHECK-DAG: llvm.func internal @kiln_cuda_launch(%{{.*}}: i32, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i32, %{{.*}}: !llvm.ptr)
// CHECK-DAG: llvm.func internal @kiln_cuda_matmul(
// CHECK-DAG: llvm.func internal @kiln_cuda_conv2d(

// CHECK-LABEL: llvm.func @f(
// CHECK-DAG: %[[ONE:.*]] = llvm.mlir.constant(1 : index) : i64
// CHECK-DAG: %[[TWO:.*]] = llvm.mlir.constant(2 : index) : i64
// CHECK-DAG: %[[SIXTYFOUR:.*]] = llvm.mlir.constant(64 : index) : i64
// CHECK: llvm.call @kiln_cuda_alloc
// CHECK: %[[T:.*]] = llvm.call @kiln_cuda_alloc
// A memref<8xf32> is 5 parameters, the f32 one more.
// CHECK: %[[PARAMS:.*]] = llvm.alloca %{{.*}} x !llvm.ptr
// CHECK: llvm.getelementptr %[[PARAMS]][5]
// CHECK: %[[K:.*]] = llvm.mlir.constant(0 : i32) : i32
// CHECK: llvm.call @kiln_cuda_launch(%[[K]], %[[TWO]], %[[ONE]], %[[ONE]], %[[SIXTYFOUR]], %[[ONE]], %[[ONE]], %{{.*}}, %[[PARAMS]])
// CHECK: %[[D0:.*]] = llvm.mlir.addressof @[[MM]]
// CHECK: llvm.call @kiln_cuda_matmul(%[[D0]],
// CHECK: llvm.call @kiln_cuda_free(
// CHECK: llvm.call @kiln_cuda_alloc
// CHECK: %[[D1:.*]] = llvm.mlir.addressof @[[CONV]]
// CHECK: llvm.call @kiln_cuda_conv2d(%[[D1]],
// CHECK-NOT: memref.
// CHECK-NOT: gpu.launch_func
// CHECK: llvm.return
// The table the runtime fills: one pointer per slot of CudaAbi.h.
// CHECK: llvm.mlir.global external @kiln_artifact_cuda_api() {{.*}} : !llvm.array<12 x ptr>
module attributes {gpu.container_module} {
  gpu.module @kiln_kernels {
    gpu.func @k0(%arg0: memref<8xf32>, %arg1: f32) kernel {
      gpu.return
    }
  }
  func.func @f(%a: memref<4x8xf32>, %b: memref<5x8xf32>, %x: memref<1x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %bias: memref<4xf32>) -> (memref<4x5xf32>, memref<1x4x8x8xf32>) {
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c64 = arith.constant 64 : index
    %cst = arith.constant 2.5 : f32
    %out = memref.alloc() : memref<4x5xf32>
    %t = memref.alloc() : memref<8xf32>
    gpu.launch_func @kiln_kernels::@k0 blocks in (%c2, %c1, %c1) threads in (%c64, %c1, %c1) args(%t : memref<8xf32>, %cst : f32)
    kiln_lib.matmul %a, %b into %out {trans_b} : memref<4x8xf32>, memref<5x8xf32> into memref<4x5xf32>
    memref.dealloc %t : memref<8xf32>
    %y = memref.alloc() : memref<1x4x8x8xf32>
    kiln_lib.conv2d %x, %w bias %bias into %y {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, post_ops = ["relu"], strides = array<i64: 1, 1>} : memref<1x3x8x8xf32>, memref<4x3x3x3xf32> bias memref<4xf32> into memref<1x4x8x8xf32>
    return %out, %y : memref<4x5xf32>, memref<1x4x8x8xf32>
  }
}
