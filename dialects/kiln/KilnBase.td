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
//
// MLIR's InferTypeOpAdaptor, but the adaptor also sees the attributes when
// they come as a dictionary: a custom assembly format without result types
// (`kiln.cum_sum %x {axis = 1 : i64} : tensor<...>`) infers them before the
// parser has moved the parsed attributes into the properties, and the
// adaptor read the empty properties (a null `axis`: kiln-opt crashed).
def Kiln_InferTypes : TraitList<[
  DeclareOpInterfaceMethods<InferTypeOpInterface>,
  NativeOpTrait<
    /*name=*/"InferTypeOpAdaptor",
    /*traits=*/[],
    /*extraOpDeclaration=*/[{
      static ::llvm::LogicalResult
      inferReturnTypes(::mlir::MLIRContext *context,
                       std::optional<::mlir::Location> location,
                       Adaptor adaptor,
                       ::llvm::SmallVectorImpl<::mlir::Type> &inferredReturnTypes);
      static bool isCompatibleReturnTypes(::mlir::TypeRange l,
                                          ::mlir::TypeRange r) {
        return ::kiln::areCompatibleTensorTypes(l, r);
      }
    }],
    /*extraOpDefinition=*/[{
      ::llvm::LogicalResult
      $cppClass::inferReturnTypes(::mlir::MLIRContext *context,
                        std::optional<::mlir::Location> location,
                        ::mlir::ValueRange operands, ::mlir::DictionaryAttr attributes,
                        ::mlir::OpaqueProperties properties, ::mlir::RegionRange regions,
                        ::llvm::SmallVectorImpl<::mlir::Type> &inferredReturnTypes) {
        using Props = $cppClass::Properties;
        Props props;
        if (properties)
          props = *properties.as<Props *>();
        bool fromDictionary = false;
        ::mlir::Location loc =
            location.value_or(::mlir::UnknownLoc::get(context));
        if constexpr (!std::is_same_v<Props, ::mlir::EmptyProperties>) {
          // Nothing set (the parser's case): take the dictionary's.
          if (props == Props() && attributes) {
            auto emitError = [&] { return ::mlir::emitError(loc); };
            if (::mlir::failed(
                    $cppClass::setPropertiesFromAttr(props, attributes, emitError)))
              return ::mlir::failure();
            fromDictionary = true;
          }
        }
        $cppClass::Adaptor adaptor(operands, attributes, &props, regions);
        // A required attribute the text left out is then an error, not a
        // null read.
        if (fromDictionary && ::mlir::failed(adaptor.verify(loc)))
          return ::mlir::failure();
        return $cppClass::inferReturnTypes(context, location, adaptor,
                                           inferredReturnTypes);
      }
    }]
  >
]>;

#endif // KILN_BASE_TD
