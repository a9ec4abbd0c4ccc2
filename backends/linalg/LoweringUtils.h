//===- LoweringUtils.h - building blocks of the kiln -> linalg lowering -*- C++ -*-===//
//
// Every op lowering is written with these helpers so that broadcasting,
// dynamic dimensions, signedness and run-time checks are handled one way.
//
// Kiln tensors carry signedness (si32, ui8); linalg/arith work on signless
// integers, so a lowering reads the *kiln* element type (from the op) to pick
// signed or unsigned arithmetic and builds values of the *signless* type.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_LINALG_LOWERINGUTILS_H
#define KILN_BACKENDS_LINALG_LOWERINGUTILS_H

#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Transforms/DialectConversion.h"

#include <functional>
#include <string>

namespace kiln::lowering {

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

/// What arithmetic a kiln element type needs.
struct ElementKind {
  bool isFloat = false;
  bool isUnsigned = false; // unsigned integers and bool
  bool isBool = false;
  unsigned width = 0;
};
ElementKind kindOf(mlir::Type kilnElement);

/// si/ui integer -> signless; everything else unchanged.
mlir::Type toSignless(mlir::Type type);

/// Converts kiln tensor types to the signless types linalg works on.
class SignlessTypeConverter : public mlir::TypeConverter {
public:
  SignlessTypeConverter();
};

//===----------------------------------------------------------------------===//
// Shapes and tensors
//===----------------------------------------------------------------------===//

/// The sizes of `tensor`, static ones as attributes.
llvm::SmallVector<mlir::OpFoldResult> getDims(mlir::OpBuilder &b,
                                              mlir::Location loc,
                                              mlir::Value tensor);
mlir::Value dimValue(mlir::OpBuilder &b, mlir::Location loc,
                     mlir::Value tensor, int64_t dim);
mlir::Value indexValue(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::OpFoldResult ofr);
mlir::OpFoldResult indexAttr(mlir::OpBuilder &b, int64_t v);

mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                        llvm::ArrayRef<mlir::OpFoldResult> dims,
                        mlir::Type elementType);
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         llvm::ArrayRef<mlir::OpFoldResult> dims,
                         mlir::Value scalar);

/// The product of `dims`, static when they all are.
mlir::OpFoldResult productOf(mlir::OpBuilder &b, mlir::Location loc,
                             llvm::ArrayRef<mlir::OpFoldResult> dims);

/// The tensor type with the static sizes among `dims`.
mlir::RankedTensorType typeForDims(llvm::ArrayRef<mlir::OpFoldResult> dims,
                                   mlir::Type elementType);

/// `v` reshaped to `dims` (same element count). With `groups` (which source
/// dimensions make each target dimension, or the reverse when expanding) it
/// is an expand/collapse_shape, which keeps dynamic sizes and costs no copy;
/// without, static shapes are grouped automatically and anything else goes
/// through tensor.reshape.
mlir::Value
reshapeTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
          llvm::ArrayRef<mlir::OpFoldResult> dims,
          std::optional<llvm::ArrayRef<mlir::ReassociationIndices>> groups =
              std::nullopt);

/// Groups for reshaping between a shape of `fullRank` dimensions and the
/// same shape without the size-1 dimensions `unitDims`: each unit dimension
/// joins a neighbouring kept one. Empty when every dimension is a unit one.
llvm::SmallVector<mlir::ReassociationIndices>
unitDimGroups(int64_t fullRank, llvm::ArrayRef<int64_t> unitDims);

/// Casts `v` to `type` (tensor.cast) if it differs.
mlir::Value castTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                   mlir::Type type);

//===----------------------------------------------------------------------===//
// Scalars
//===----------------------------------------------------------------------===//

/// A constant of the signless `type` for a kiln `kind`.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type type, double value);
/// The smallest / largest value of an element type (-inf/+inf for floats).
mlir::Value lowestValue(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Type type, const ElementKind &kind);
mlir::Value highestValue(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Type type, const ElementKind &kind);

/// ONNX Cast of a scalar between kiln element types.
mlir::Value castScalar(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                       mlir::Type fromKiln, mlir::Type toKiln);

/// Arithmetic that depends on the element kind.
mlir::Value addScalars(mlir::OpBuilder &b, mlir::Location loc,
                       const ElementKind &k, mlir::Value x, mlir::Value y);
mlir::Value mulScalars(mlir::OpBuilder &b, mlir::Location loc,
                       const ElementKind &k, mlir::Value x, mlir::Value y);
mlir::Value maxScalars(mlir::OpBuilder &b, mlir::Location loc,
                       const ElementKind &k, mlir::Value x, mlir::Value y);
mlir::Value minScalars(mlir::OpBuilder &b, mlir::Location loc,
                       const ElementKind &k, mlir::Value x, mlir::Value y);
mlir::Value indexToElement(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value index, mlir::Type type,
                           const ElementKind &k);

//===----------------------------------------------------------------------===//
// Run-time checks
//===----------------------------------------------------------------------===//

/// "node 'name' (OpType)" from the location the importer gave `op`.
std::string describeNode(mlir::Operation *op);

/// Aborts the run through the runtime when `cond` is false, with `message`
/// prefixed by the node's description.
void runtimeCheck(mlir::OpBuilder &b, mlir::Location loc, mlir::Operation *op,
                  mlir::Value cond, llvm::StringRef message);

/// Run-time checks that sizes computed from data (a shape input, pads, a
/// count) describe a tensor that can exist: no size is negative, and there
/// are at most kMaxElements (ShapeUtils.h; beyond, the byte count overflows
/// and the buffer would be allocated too small). Static sizes fold away.
void checkSizes(mlir::OpBuilder &b, mlir::Location loc, mlir::Operation *op,
                llvm::ArrayRef<mlir::OpFoldResult> dims);

//===----------------------------------------------------------------------===//
// Elementwise with broadcasting
//===----------------------------------------------------------------------===//

/// Dimensions of the broadcast of `operands` (a ranked result of `rank`
/// with the static sizes of `resultShape`), with run-time checks that
/// dynamic dimensions agree.
llvm::SmallVector<mlir::OpFoldResult>
broadcastDims(mlir::OpBuilder &b, mlir::Location loc, mlir::Operation *op,
              mlir::ValueRange operands, llvm::ArrayRef<int64_t> resultShape);

/// The same for operands given as lists of dimensions (aligned to the
/// trailing dimensions), for ops that broadcast only some dimensions.
llvm::SmallVector<mlir::OpFoldResult>
broadcastDimLists(mlir::OpBuilder &b, mlir::Location loc, mlir::Operation *op,
                  llvm::ArrayRef<llvm::SmallVector<mlir::OpFoldResult>> lists,
                  llvm::ArrayRef<int64_t> resultShape);

/// `operand` made ready to be read with `broadcastMap` against `outDims`
/// (aligned to the trailing dimensions): dimensions that are dynamic in the
/// operand but may be 1 at run time are broadcast by a copy when they are.
mlir::Value resolveRuntimeBroadcast(mlir::OpBuilder &b, mlir::Location loc,
                                    mlir::Value operand,
                                    llvm::ArrayRef<mlir::OpFoldResult> outDims);

/// The indexing map reading `operandType` inside a loop nest over `outDims`
/// with numpy broadcasting (static size-1 dimensions read index 0).
mlir::AffineMap broadcastMap(mlir::MLIRContext *ctx,
                             mlir::RankedTensorType operandType,
                             llvm::ArrayRef<mlir::OpFoldResult> outDims);

/// `operand` broadcast (numpy rules) to `outDims`, as a new tensor.
mlir::Value broadcastTo(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value operand,
                        llvm::ArrayRef<mlir::OpFoldResult> outDims);

/// A linalg.generic over `outDims` without inputs: `body` gets the loop
/// indices and returns the element.
mlir::Value
generateTensor(mlir::OpBuilder &b, mlir::Location loc,
               llvm::ArrayRef<mlir::OpFoldResult> outDims, mlir::Type element,
               llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                              mlir::ValueRange indices)>
                   body);

/// How many elements of `t` satisfy `pred` (an i1 of the element), as an
/// index.
mlir::Value
countWhere(mlir::OpBuilder &b, mlir::Location loc, mlir::Value t,
           llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                          mlir::Value)>
               pred);

/// Element `i` of a 1-D integer tensor, as an index.
mlir::Value extractIndex(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value tensor, int64_t i);
/// The single element of a 0-d (or one-element) tensor.
mlir::Value extractScalar(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value tensor);

using ScalarBody = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// A linalg.generic over the broadcast of `operands`, computing `body` on
/// their scalars, into a tensor of `resultElement`.
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::Operation *op, mlir::ValueRange operands,
                             llvm::ArrayRef<int64_t> resultShape,
                             mlir::Type resultElement, ScalarBody body);

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

using CombineFn = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::Value value, mlir::Value acc)>;

/// Reduces `input` over `axes` (sorted) starting from `initValue`; the
/// result has the reduced dimensions removed.
mlir::Value buildReduction(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value input, llvm::ArrayRef<int64_t> axes,
                           mlir::Value initValue, CombineFn combine);

/// How a kiln reduce_* op starts and combines (and whether it then divides
/// by the count, for reduce_mean).
struct ReductionSpec {
  ElementKind kind;
  mlir::Value init;
  std::function<mlir::Value(mlir::OpBuilder &, mlir::Location, mlir::Value,
                            mlir::Value)>
      combine;
  bool isMean = false;
};
ReductionSpec reductionSpec(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Operation *reduceOp);

/// `r` divided elementwise by the index `count`, in r's element kind.
mlir::Value divideByCount(mlir::OpBuilder &b, mlir::Location loc, mlir::Value r,
                          mlir::Value count, const ElementKind &kind);

/// Reads `axes` (a 1-D integer tensor) at run time, each made non-negative
/// against `rank` and checked to be in range.
llvm::SmallVector<mlir::Value> readDynamicAxes(mlir::OpBuilder &b,
                                               mlir::Location loc,
                                               mlir::Operation *op,
                                               mlir::Value axes, int64_t rank);

/// The map from a loop nest over `rank` dimensions to the same dimensions
/// without `axes` (how a reduced tensor is read back in an elementwise pass).
mlir::AffineMap dropDimsMap(mlir::MLIRContext *ctx, int64_t rank,
                            llvm::ArrayRef<int64_t> axes);

} // namespace kiln::lowering

#endif // KILN_BACKENDS_LINALG_LOWERINGUTILS_H
