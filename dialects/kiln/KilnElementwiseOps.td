//===- KilnElementwiseOps.td - elementwise ops ----------------*- tablegen -*-===//
//
// Unary ops keep their operand's type. Binary ops broadcast their operands
// with ONNX (numpy) multidirectional broadcasting; the result has the
// broadcast shape.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_ELEMENTWISE_OPS_TD
#define KILN_ELEMENTWISE_OPS_TD

include "dialects/kiln/KilnBase.td"

//===----------------------------------------------------------------------===//
// Unary
//===----------------------------------------------------------------------===//

class Kiln_UnaryOp<string mnemonic, Type tensorType, string formula,
                   list<Trait> traits = []>
    : Kiln_Op<mnemonic, traits # [Pure, SameOperandsAndResultType,
                                  InferTypeOpInterface]> {
  let summary = "elementwise " # formula;
  let description = "Computes `" # formula # "` for every element.";
  let arguments = (ins tensorType:$input);
  let results = (outs tensorType:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Kiln_ReluOp : Kiln_UnaryOp<"relu", Kiln_SignedTensor, "max(x, 0)">;
def Kiln_SigmoidOp : Kiln_UnaryOp<"sigmoid", Kiln_FloatTensor, "1 / (1 + exp(-x))">;
def Kiln_TanhOp : Kiln_UnaryOp<"tanh", Kiln_FloatTensor, "tanh(x)">;
def Kiln_ExpOp : Kiln_UnaryOp<"exp", Kiln_FloatTensor, "exp(x)">;
def Kiln_LogOp : Kiln_UnaryOp<"log", Kiln_FloatTensor, "log(x)">;
def Kiln_SqrtOp : Kiln_UnaryOp<"sqrt", Kiln_FloatTensor, "sqrt(x)">;
def Kiln_ErfOp : Kiln_UnaryOp<"erf", Kiln_FloatTensor, "erf(x)">;
def Kiln_NegOp : Kiln_UnaryOp<"neg", Kiln_SignedTensor, "-x">;
def Kiln_AbsOp : Kiln_UnaryOp<"abs", Kiln_NumericTensor, "|x|">;
def Kiln_CeilOp : Kiln_UnaryOp<"ceil", Kiln_FloatTensor, "ceil(x)">;
def Kiln_FloorOp : Kiln_UnaryOp<"floor", Kiln_FloatTensor, "floor(x)">;
def Kiln_RoundOp : Kiln_UnaryOp<"round", Kiln_FloatTensor,
                                "x rounded to nearest, ties to even">;
def Kiln_SinOp : Kiln_UnaryOp<"sin", Kiln_FloatTensor, "sin(x)">;
def Kiln_CosOp : Kiln_UnaryOp<"cos", Kiln_FloatTensor, "cos(x)">;
def Kiln_TanOp : Kiln_UnaryOp<"tan", Kiln_FloatTensor, "tan(x)">;
def Kiln_AsinOp : Kiln_UnaryOp<"asin", Kiln_FloatTensor, "asin(x)">;
def Kiln_AcosOp : Kiln_UnaryOp<"acos", Kiln_FloatTensor, "acos(x)">;
def Kiln_AtanOp : Kiln_UnaryOp<"atan", Kiln_FloatTensor, "atan(x)">;
def Kiln_SinhOp : Kiln_UnaryOp<"sinh", Kiln_FloatTensor, "sinh(x)">;
def Kiln_CoshOp : Kiln_UnaryOp<"cosh", Kiln_FloatTensor, "cosh(x)">;
def Kiln_AsinhOp : Kiln_UnaryOp<"asinh", Kiln_FloatTensor, "asinh(x)">;
def Kiln_AcoshOp : Kiln_UnaryOp<"acosh", Kiln_FloatTensor, "acosh(x)">;
def Kiln_AtanhOp : Kiln_UnaryOp<"atanh", Kiln_FloatTensor, "atanh(x)">;
def Kiln_ReciprocalOp : Kiln_UnaryOp<"reciprocal", Kiln_FloatTensor, "1 / x">;
def Kiln_SoftplusOp : Kiln_UnaryOp<"softplus", Kiln_FloatTensor, "log(exp(x) + 1)">;
def Kiln_SoftsignOp : Kiln_UnaryOp<"softsign", Kiln_FloatTensor, "x / (1 + |x|)">;
def Kiln_HardSwishOp : Kiln_UnaryOp<"hard_swish", Kiln_FloatTensor,
                                    "x * max(0, min(1, x / 6 + 1 / 2))">;
def Kiln_MishOp : Kiln_UnaryOp<"mish", Kiln_FloatTensor, "x * tanh(softplus(x))">;
def Kiln_SignOp : Kiln_UnaryOp<"sign", Kiln_NumericTensor, "-1, 0 or 1 (x for NaN)">;
def Kiln_NotOp : Kiln_UnaryOp<"not", RankedTensorOf<[I1]>, "logical not">;
def Kiln_BitwiseNotOp : Kiln_UnaryOp<"bitwise_not", RankedTensorOf<[Kiln_Int]>,
                                     "bitwise complement">;

// Unary ops with float parameters. `alpha`, `beta`, `gamma` mean what the
// ONNX operator of the same name says.
class Kiln_ParamUnaryOp<string mnemonic, Type tensorType, string formula,
                        dag params>
    : Kiln_Op<mnemonic, [Pure, SameOperandsAndResultType, InferTypeOpInterface]> {
  let summary = "elementwise " # formula;
  let description = "Computes `" # formula # "` for every element.";
  let arguments = !con((ins tensorType:$input), params);
  let results = (outs tensorType:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Kiln_EluOp : Kiln_ParamUnaryOp<"elu", Kiln_FloatTensor,
    "x < 0 ? alpha * (exp(x) - 1) : x", (ins F32Attr:$alpha)>;
def Kiln_SeluOp : Kiln_ParamUnaryOp<"selu", Kiln_FloatTensor,
    "gamma * (x <= 0 ? alpha * (exp(x) - 1) : x)",
    (ins F32Attr:$alpha, F32Attr:$gamma)>;
def Kiln_CeluOp : Kiln_ParamUnaryOp<"celu", Kiln_FloatTensor,
    "max(0, x) + min(0, alpha * (exp(x / alpha) - 1))", (ins F32Attr:$alpha)>;
def Kiln_HardSigmoidOp : Kiln_ParamUnaryOp<"hard_sigmoid", Kiln_FloatTensor,
    "max(0, min(1, alpha * x + beta))", (ins F32Attr:$alpha, F32Attr:$beta)>;
def Kiln_ThresholdedReluOp : Kiln_ParamUnaryOp<"thresholded_relu",
    Kiln_FloatTensor, "x > alpha ? x : 0", (ins F32Attr:$alpha)>;
def Kiln_ShrinkOp : Kiln_ParamUnaryOp<"shrink", Kiln_NumericTensor,
    "x < -lambd ? x + bias : (x > lambd ? x - bias : 0)",
    (ins F32Attr:$bias, F32Attr:$lambd)>;
def Kiln_GeluOp : Kiln_ParamUnaryOp<"gelu", Kiln_FloatTensor,
    "x / 2 * (1 + erf(x / sqrt(2))), or its tanh approximation",
    (ins DefaultValuedAttr<BoolAttr, "false">:$tanh_approximation)>;

/// Predicates: a boolean per element.
def Kiln_IsNaNOp : Kiln_Op<"is_nan", [Pure, Kiln_InferTypes]> {
  let summary = "x is NaN";
  let arguments = (ins Kiln_FloatTensor:$input);
  let results = (outs RankedTensorOf<[I1]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}
def Kiln_IsInfOp : Kiln_Op<"is_inf", [Pure, Kiln_InferTypes]> {
  let summary = "x is +inf (if detect_positive) or -inf (if detect_negative)";
  let arguments = (ins Kiln_FloatTensor:$input,
                       DefaultValuedAttr<BoolAttr, "true">:$detect_positive,
                       DefaultValuedAttr<BoolAttr, "true">:$detect_negative);
  let results = (outs RankedTensorOf<[I1]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Kiln_LeakyReluOp : Kiln_Op<"leaky_relu", [Pure, SameOperandsAndResultType,
                                              InferTypeOpInterface]> {
  let summary = "elementwise x < 0 ? alpha * x : x";
  let description = [{
    ```mlir
    %y = kiln.leaky_relu %x {alpha = 0.01 : f32} : tensor<4xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, F32Attr:$alpha);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Kiln_ClipOp : Kiln_Op<"clip", [Pure, SameOperandsAndResultType,
                                   InferTypeOpInterface]> {
  let summary = "elementwise min(max(x, min), max)";
  let description = [{
    Bounds are attributes of the tensor's element type; an absent bound does
    not clamp. The importer turns ONNX's optional `min`/`max` inputs (opset
    11+) into these attributes when they are constants, and into
    `kiln.max`/`kiln.min` when they are computed at run time.

    ```mlir
    %y = kiln.clip %x {min = 0.0 : f32, max = 6.0 : f32} : tensor<4xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input,
                       OptionalAttr<TypedAttrInterface>:$min,
                       OptionalAttr<TypedAttrInterface>:$max);
  let results = (outs Kiln_NumericTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  // Checks that the bounds have the tensor's element type.
  let hasVerifier = 1;
}

def Kiln_CastOp : Kiln_Op<"cast", [Pure, Kiln_InferTypes]> {
  let summary = "element type conversion with ONNX Cast semantics";
  let description = [{
    Float to integer truncates toward zero; anything to bool is `x != 0`;
    bool to a number is 0 or 1. Floats round to nearest even, except that
    with `truncate_bf16` a float becomes bfloat16 by keeping the high 16
    bits of its f32 value (NaN stays a quiet NaN): Cast before opset 19,
    as ONNX 1.12's backend tests define it.

    ```mlir
    %y = kiln.cast %x : tensor<2x3xf32> -> tensor<2x3xsi64>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, TypeAttr:$to,
                       UnitAttr:$truncate_bf16);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  // The result's shape is the input's; its element type is `to`.
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Binary with broadcasting
//===----------------------------------------------------------------------===//

class Kiln_BinaryOp<string mnemonic, Type tensorType, string formula,
                    list<Trait> traits = []>
    : Kiln_Op<mnemonic, traits # [Pure, Kiln_InferTypes]> {
  let summary = "elementwise " # formula # " with broadcasting";
  let description = "Computes `" # formula # "` on the broadcast operands.";
  let arguments = (ins tensorType:$lhs, tensorType:$rhs);
  let results = (outs tensorType:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Kiln_AddOp : Kiln_BinaryOp<"add", Kiln_NumericTensor, "a + b", [Commutative]> {
  let hasFolder = 1;
}
def Kiln_SubOp : Kiln_BinaryOp<"sub", Kiln_NumericTensor, "a - b">;
def Kiln_MulOp : Kiln_BinaryOp<"mul", Kiln_NumericTensor, "a * b", [Commutative]> {
  let hasFolder = 1;
}
def Kiln_DivOp : Kiln_BinaryOp<"div", Kiln_NumericTensor,
                               "a / b (integers truncate toward zero)">;
def Kiln_MinOp : Kiln_BinaryOp<"min", Kiln_NumericTensor, "min(a, b)",
                               [Commutative]>;
def Kiln_MaxOp : Kiln_BinaryOp<"max", Kiln_NumericTensor, "max(a, b)",
                               [Commutative]>;
def Kiln_ModOp : Kiln_BinaryOp<"mod", Kiln_NumericTensor,
    "a mod b: the remainder with b's sign, or with a's sign (C fmod) if fmod"> {
  let arguments = (ins Kiln_NumericTensor:$lhs, Kiln_NumericTensor:$rhs,
                       DefaultValuedAttr<BoolAttr, "false">:$fmod);
}
def Kiln_PReluOp : Kiln_BinaryOp<"prelu", Kiln_SignedTensor,
                                 "a < 0 ? b * a : a">;
def Kiln_AndOp : Kiln_BinaryOp<"and", RankedTensorOf<[I1]>, "a and b", [Commutative]>;
def Kiln_OrOp : Kiln_BinaryOp<"or", RankedTensorOf<[I1]>, "a or b", [Commutative]>;
def Kiln_XorOp : Kiln_BinaryOp<"xor", RankedTensorOf<[I1]>, "a xor b", [Commutative]>;
def Kiln_BitwiseAndOp : Kiln_BinaryOp<"bitwise_and", RankedTensorOf<[Kiln_Int]>,
                                      "a & b", [Commutative]>;
def Kiln_BitwiseOrOp : Kiln_BinaryOp<"bitwise_or", RankedTensorOf<[Kiln_Int]>,
                                     "a | b", [Commutative]>;
def Kiln_BitwiseXorOp : Kiln_BinaryOp<"bitwise_xor", RankedTensorOf<[Kiln_Int]>,
                                      "a ^ b", [Commutative]>;
def Kiln_BitShiftOp : Kiln_BinaryOp<"bit_shift", RankedTensorOf<[Kiln_UnsignedInt]>,
                                    "a << b, or a >> b if right"> {
  let arguments = (ins RankedTensorOf<[Kiln_UnsignedInt]>:$lhs,
                       RankedTensorOf<[Kiln_UnsignedInt]>:$rhs,
                       DefaultValuedAttr<BoolAttr, "false">:$right);
}

// Comparisons: a boolean per broadcast element. Floats compare ordered
// (anything against NaN is false).
class Kiln_CompareOp<string mnemonic, string formula, list<Trait> traits = []>
    : Kiln_Op<mnemonic, traits # [Pure, Kiln_InferTypes]> {
  let summary = "elementwise " # formula # " with broadcasting";
  let arguments = (ins Kiln_Tensor:$lhs, Kiln_Tensor:$rhs);
  let results = (outs RankedTensorOf<[I1]>:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}
def Kiln_EqualOp : Kiln_CompareOp<"equal", "a == b", [Commutative]>;
def Kiln_LessOp : Kiln_CompareOp<"less", "a < b">;
def Kiln_LessEqualOp : Kiln_CompareOp<"less_equal", "a <= b">;
def Kiln_GreaterOp : Kiln_CompareOp<"greater", "a > b">;
def Kiln_GreaterEqualOp : Kiln_CompareOp<"greater_equal", "a >= b">;

def Kiln_WhereOp : Kiln_Op<"where", [Pure, Kiln_InferTypes]> {
  let summary = "cond ? a : b with broadcasting";
  let arguments = (ins RankedTensorOf<[I1]>:$condition, Kiln_Tensor:$lhs,
                       Kiln_Tensor:$rhs);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $condition `,` $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def Kiln_PowOp : Kiln_Op<"pow", [Pure, Kiln_InferTypes]> {
  let summary = "elementwise a ^ b with broadcasting";
  let description = [{
    The exponent may have another numeric type than the base (ONNX Pow
    opset 12+); the result has the base's element type.
  }];
  let arguments = (ins Kiln_NumericTensor:$lhs, Kiln_NumericTensor:$rhs);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

#endif // KILN_ELEMENTWISE_OPS_TD
