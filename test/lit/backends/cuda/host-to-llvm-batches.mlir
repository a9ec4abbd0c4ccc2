// The batches of a product as cuBLAS gets them (descriptor fields: type,
// batch, M N K, trans A/B, batch strides of A B C, accumulate, alpha's
// bits, TF32). A batch of row blocks against one shared matrix is one
// product of all the rows; a batch that varies B stays a strided batch,
// and so does a transposed A (its blocks are not rows of one matrix).
// RUN: kiln-opt %s --kiln-cuda-host-to-llvm | FileCheck %s

// [2, 3, 4] by [4, 5]: one product of 6 rows (batch 1: its strides unused).
// CHECK-DAG: llvm.mlir.global internal constant @{{kiln_cuda_desc_[0-9]+}}(dense<[0, 1, 6, 5, 4, 0, 0, 24, 0, 30, 0, 4607182418800017408, 0, 0]> : tensor<14xi64>)
// [2, 3, 4] by [2, 4, 5]: 2 products of 3 rows, B transposed.
// CHECK-DAG: llvm.mlir.global internal constant @{{kiln_cuda_desc_[0-9]+}}(dense<[0, 2, 3, 5, 4, 0, 1, 12, 20, 15, 0, 4607182418800017408, 0, 0]> : tensor<14xi64>)
// [2, 4, 3]^T by [4, 5]: 2 products, B shared (stride 0).
// CHECK-DAG: llvm.mlir.global internal constant @{{kiln_cuda_desc_[0-9]+}}(dense<[0, 2, 3, 5, 4, 1, 0, 12, 0, 15, 0, 4607182418800017408, 0, 0]> : tensor<14xi64>)
// CHECK-COUNT-3: llvm.call @kiln_cuda_matmul(
module attributes {gpu.container_module} {
  func.func @f(%a: memref<2x3x4xf32>, %b: memref<4x5xf32>, %bb: memref<2x5x4xf32>, %at: memref<2x4x3xf32>) -> (memref<2x3x5xf32>, memref<2x3x5xf32>, memref<2x3x5xf32>) {
    %o1 = memref.alloc() : memref<2x3x5xf32>
    kiln_lib.matmul %a, %b into %o1 : memref<2x3x4xf32>, memref<4x5xf32> into memref<2x3x5xf32>
    %o2 = memref.alloc() : memref<2x3x5xf32>
    kiln_lib.matmul %a, %bb into %o2 {trans_b} : memref<2x3x4xf32>, memref<2x5x4xf32> into memref<2x3x5xf32>
    %o3 = memref.alloc() : memref<2x3x5xf32>
    kiln_lib.matmul %at, %b into %o3 {trans_a} : memref<2x4x3xf32>, memref<4x5xf32> into memref<2x3x5xf32>
    return %o1, %o2, %o3 : memref<2x3x5xf32>, memref<2x3x5xf32>, memref<2x3x5xf32>
  }
}
