// kiln_lib ops made before kiln -> linalg take the signless types, and so do
// the tensor.empty that is their init and the tensor.dim ops that size it
// (backends/linalg/ConvertKilnToLinalg.cpp): an unsigned operand left
// behind a conversion cast would stop bufferization.
// RUN: kiln-opt %s --kiln-convert-to-linalg | FileCheck %s

// CHECK-LABEL: func @dynamic_integer_matmul(%arg0: tensor<?x3xi8>, %arg1: tensor<3x2xi8>) -> tensor<?x2xi32>
// CHECK-NOT: unrealized_conversion_cast
// CHECK: %[[M:.*]] = tensor.dim %arg0, %{{.*}} : tensor<?x3xi8>
// CHECK: %[[E:.*]] = tensor.empty(%[[M]]) : tensor<?x2xi32>
// CHECK: %[[P:.*]] = kiln_lib.matmul %arg0, %arg1 into %[[E]] : tensor<?x3xi8>, tensor<3x2xi8> into tensor<?x2xi32>
// CHECK-NOT: unrealized_conversion_cast
// CHECK: return %[[P]]
func.func @dynamic_integer_matmul(%a: tensor<?x3xui8>, %b: tensor<3x2xsi8>) -> tensor<?x2xsi32> {
  %c0 = arith.constant 0 : index
  %m = tensor.dim %a, %c0 : tensor<?x3xui8>
  %e = tensor.empty(%m) : tensor<?x2xsi32>
  %0 = kiln_lib.matmul %a, %b into %e : tensor<?x3xui8>, tensor<3x2xsi8> into tensor<?x2xsi32> -> tensor<?x2xsi32>
  return %0 : tensor<?x2xsi32>
}
