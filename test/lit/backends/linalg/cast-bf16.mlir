// Float -> bfloat16 with truncate_bf16 (Cast before opset 19) keeps the
// high 16 bits of the f32 value, NaN made the quiet NaN; without it the
// conversion rounds (arith.truncf).
// RUN: kiln-opt %s --kiln-convert-to-linalg --canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func @truncate
// CHECK-DAG: %[[SIXTEEN:.*]] = arith.constant 16 : i32
// CHECK-DAG: %[[QNAN:.*]] = arith.constant 32704 : i16
// CHECK: linalg.generic
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: bf16):
// CHECK: %[[BITS:.*]] = arith.bitcast %[[X]] : f32 to i32
// CHECK: %[[HIGH:.*]] = arith.shrui %[[BITS]], %[[SIXTEEN]] : i32
// CHECK: %[[H16:.*]] = arith.trunci %[[HIGH]] : i32 to i16
// CHECK: %[[NAN:.*]] = arith.cmpf uno, %[[X]], %[[X]] : f32
// CHECK: %[[SEL:.*]] = arith.select %[[NAN]], %[[QNAN]], %[[H16]] : i16
// CHECK: arith.bitcast %[[SEL]] : i16 to bf16
// CHECK-NOT: arith.truncf
func.func @truncate(%x: tensor<3x4xf32>) -> tensor<3x4xbf16> {
  %0 = kiln.cast %x {to = bf16, truncate_bf16} : tensor<3x4xf32> -> tensor<3x4xbf16>
  return %0 : tensor<3x4xbf16>
}

// -----

// From f16: through f32 (exact), then truncated.
// CHECK-LABEL: func @truncate_f16
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: arith.bitcast %{{.*}} : f32 to i32
func.func @truncate_f16(%x: tensor<4xf16>) -> tensor<4xbf16> {
  %0 = kiln.cast %x {to = bf16, truncate_bf16} : tensor<4xf16> -> tensor<4xbf16>
  return %0 : tensor<4xbf16>
}

// -----

// CHECK-LABEL: func @round
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK-NOT: arith.shrui
func.func @round(%x: tensor<4xf32>) -> tensor<4xbf16> {
  %0 = kiln.cast %x {to = bf16} : tensor<4xf32> -> tensor<4xbf16>
  return %0 : tensor<4xbf16>
}
