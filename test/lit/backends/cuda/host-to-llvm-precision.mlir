// The element type and the TF32 permission reach the library descriptors
// (lib/runtime/cuda/CudaAbi.h): field 0 is the data type (0 f32, 1 f16,
// 2 bf16), the last field allows TF32 for f32 data (--precision=tf32).
// RUN: kiln-opt %s --kiln-cuda-host-to-llvm | FileCheck %s --check-prefix=STRICT
// RUN: kiln-opt %s --kiln-cuda-host-to-llvm=allow-tf32=true | FileCheck %s --check-prefix=TF32

// STRICT-DAG: llvm.mlir.global internal constant @{{.*}}(dense<[1, 1, 3, 8, 8, 4, 3, 3, 8, 8, 1, 1, 1, 1, 1, 1, 1, 0, 0]> : tensor<19xi64>)
// STRICT-DAG: llvm.mlir.global internal constant @{{.*}}(dense<[2, 1, 4, 5, 8, 0, 0, 32, 40, 20, 0, 4607182418800017408, 0, 0]> : tensor<14xi64>)
// STRICT-DAG: llvm.mlir.global internal constant @{{.*}}(dense<[0, 1, 4, 5, 8, 0, 0, 32, 40, 20, 0, 4607182418800017408, 0, 0]> : tensor<14xi64>)
// TF32-DAG: llvm.mlir.global internal constant @{{.*}}(dense<[1, 1, 3, 8, 8, 4, 3, 3, 8, 8, 1, 1, 1, 1, 1, 1, 1, 0, 1]> : tensor<19xi64>)
// TF32-DAG: llvm.mlir.global internal constant @{{.*}}(dense<[2, 1, 4, 5, 8, 0, 0, 32, 40, 20, 0, 4607182418800017408, 1, 0]> : tensor<14xi64>)
// TF32-DAG: llvm.mlir.global internal constant @{{.*}}(dense<[0, 1, 4, 5, 8, 0, 0, 32, 40, 20, 0, 4607182418800017408, 1, 0]> : tensor<14xi64>)
module attributes {gpu.container_module} {
  func.func @f(%x: memref<1x3x8x8xf16>, %w: memref<4x3x3x3xf16>, %y: memref<1x4x8x8xf16>,
               %a: memref<4x8xbf16>, %b: memref<8x5xbf16>, %c: memref<4x5xbf16>,
               %a32: memref<4x8xf32>, %b32: memref<8x5xf32>, %c32: memref<4x5xf32>) {
    kiln_lib.conv2d %x, %w into %y {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : memref<1x3x8x8xf16>, memref<4x3x3x3xf16> into memref<1x4x8x8xf16>
    kiln_lib.matmul %a, %b into %c : memref<4x8xbf16>, memref<8x5xbf16> into memref<4x5xbf16>
    kiln_lib.matmul %a32, %b32 into %c32 : memref<4x8xf32>, memref<8x5xf32> into memref<4x5xf32>
    return
  }
}
