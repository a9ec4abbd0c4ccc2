//===- KilnBase.td - the kiln dialect, its types and op classes -*- tablegen -*-===//
//
// The kiln dialect holds a model's graph with ONNX semantics made regular:
// one op per computation, attributes wherever a parameter must be known to
// type the result (axes, permutations, kernel geometry), operands where the
// value may only be known at run time (reshape targets, slice bounds).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_BASE_TD
#define KILN_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Kiln_Dialect : Dialect {
  let name = "kiln";
  let cppNamespace = "::kiln";
  let summary = "Deep-learning graph ops with regularised ONNX semantics";
  let description = [{
    Ops on ranked tensors. Integer tensors carry their signedness in the
    element type (`si8`..`si64`, `ui8`..`ui64`) as ONNX does; booleans are
    `i1`. Dynamic dimensions are `?` and are specialised by the driver.
  }];
  let hasConstantMaterializer = 1;
  let extraClassDeclaration = [{
    void registerOps();
  }];
}

//===----------------------------------------------------------------------===//
// Element and tensor constraints
//===----------------------------------------------------------------------===//

def Kiln_Float : AnyTypeOf<[F16, BF16, F32, F64], "float">;
def Kiln_SignedInt : AnyTypeOf<[SI8, SI16, SI32, SI64], "signed integer">;
def Kiln_UnsignedInt : AnyTypeOf<[UI8, UI16, UI32, UI64], "unsigned integer">;
def Kiln_Int : AnyTypeOf<[Kiln_SignedInt, Kiln_UnsignedInt], "integer">;
def Kiln_Bool : TypeAlias<I1, "bool">;
def Kiln_Numeric : AnyTypeOf<[Kiln_Float, Kiln_Int], "number">;
def Kiln_Element : AnyTypeOf<[Kiln_Numeric, I1], "kiln element">;

def Kiln_Tensor : RankedTensorOf<[Kiln_Element]>;
def Kiln_FloatTensor : RankedTensorOf<[Kiln_Float]>;
def Kiln_NumericTensor : RankedTensorOf<[Kiln_Numeric]>;
def Kiln_SignedTensor : RankedTensorOf<[Kiln_Float, Kiln_SignedInt]>;
def Kiln_IndexTensor : RankedTensorOf<[SI32, SI64]>;
// 1-D shape or axis lists, as ONNX passes them.
def Kiln_I64Vector : 1DTensorOf<[SI64]>;

//===----------------------------------------------------------------------===//
// Op classes
//===----------------------------------------------------------------------===//

class Kiln_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kiln_Dialect, mnemonic, traits>;

// Result types come from the operands and attributes through
// inferReturnTypes. An op may carry a more refined type than inference gives
// (a static dimension where inference says `?`), never a conflicting one.
def Kiln_InferTypes : InferTypeOpAdaptorBase<[{
  static bool isCompatibleReturnTypes(::mlir::TypeRange l,
                                      ::mlir::TypeRange r) {
    return ::kiln::areCompatibleTensorTypes(l, r);
  }
}]>;

#endif // KILN_BASE_TD
