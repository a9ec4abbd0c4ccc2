// RUN: kiln-opt %s --kiln-cuda-lower-precision=precision=fp8 -verify-diagnostics

// expected-error @below {{unknown precision 'fp8' for kiln-cuda-lower-precision (expected fp16 or bf16)}}
module {
  func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> attributes {kiln.entry} {
    return %x : tensor<2xf32>
  }
}
