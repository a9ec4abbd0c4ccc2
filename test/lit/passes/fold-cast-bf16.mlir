// Constant float -> bfloat16 casts fold with the rounding the cast asks
// for: truncate_bf16 keeps the high 16 bits (0.48033667 is 0x3EF5EE5D:
// 0x3EF5 truncated, 0x3EF6 rounded); NaN stays NaN.
// RUN: kiln-opt %s --kiln-fold-constants | FileCheck %s

// CHECK-LABEL: func @fold
// CHECK-DAG: kiln.constant dense<[4.785160e-01, 0x7FC0]> : tensor<2xbf16>
// CHECK-DAG: kiln.constant dense<[4.804690e-01, 0x7FC0]> : tensor<2xbf16>
func.func @fold() -> (tensor<2xbf16>, tensor<2xbf16>) {
  %c = kiln.constant dense<[0.48033667, 0x7FC00000]> : tensor<2xf32>
  %t = kiln.cast %c {to = bf16, truncate_bf16} : tensor<2xf32> -> tensor<2xbf16>
  %r = kiln.cast %c {to = bf16} : tensor<2xf32> -> tensor<2xbf16>
  return %t, %r : tensor<2xbf16>, tensor<2xbf16>
}
