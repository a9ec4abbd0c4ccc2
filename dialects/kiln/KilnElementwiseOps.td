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
    bool to a number is 0 or 1.

    ```mlir
    %y = kiln.cast %x : tensor<2x3xf32> -> tensor<2x3xsi64>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, TypeAttr:$to);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Type":$to)>
  ];
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
