//===- NodeImporter.h - what an operator importer works with ------*- C++ -*-===//
//
// One NodeImporter is made per ONNX node. Operator importers (ops/*.cpp)
// read the node's inputs and attributes through it, build kiln ops with
// `build<Op>()` (which infers and verifies result types, reporting errors at
// the node instead of asserting) and bind the node's outputs.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_FRONTEND_ONNX_NODEIMPORTER_H
#define KILN_LIB_FRONTEND_ONNX_NODEIMPORTER_H

#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/ShapeUtils.h"
#include "lib/frontend/onnx/Composite.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/onnx_pb.h>

#include <optional>

namespace kiln::onnx_frontend {

class GraphImporter;

class NodeImporter {
public:
  NodeImporter(GraphImporter &graph, const onnx::NodeProto &node, int opset,
               mlir::Location loc);

  const onnx::NodeProto &node() const { return node_; }
  /// The importer of the enclosing graph (for subgraphs and synthesised
  /// nodes).
  GraphImporter &graph() { return graph_; }
  /// The opset version of the node's domain.
  int opset() const { return opset_; }
  mlir::Location loc() const { return loc_; }
  mlir::OpBuilder &builder();
  mlir::MLIRContext *context();

  //===--------------------------------------------------------------------===//
  // Inputs
  //===--------------------------------------------------------------------===//

  size_t numInputs() const { return node_.input_size(); }
  /// True if input `i` is given (ONNX marks omitted optional inputs "").
  bool hasInput(size_t i) const;
  /// Input `i`; null with an error if it is missing.
  mlir::Value input(size_t i);
  mlir::Value optionalInput(size_t i) { return hasInput(i) ? input(i) : nullptr; }
  /// Inputs 0..count-1, all required; failure (with the error) if one is
  /// missing.
  mlir::FailureOr<llvm::SmallVector<mlir::Value>> inputs(size_t count);
  /// Input `i` as a sequence or optional; null with an error if it is
  /// missing or a tensor.
  CompositeRef composite(size_t i);
  /// Input `i` whatever it is; null with an error if it is missing.
  AnyValue anyInput(size_t i);
  mlir::RankedTensorType inputType(size_t i);
  /// The integer values of input `i`, which must be a constant.
  mlir::FailureOr<llvm::SmallVector<int64_t>> constantInts(size_t i,
                                                           llvm::StringRef what);
  /// The integer values of input `i` if it is a constant, else nullopt.
  std::optional<llvm::SmallVector<int64_t>> maybeConstantInts(size_t i);

  //===--------------------------------------------------------------------===//
  // Attributes
  //===--------------------------------------------------------------------===//

  const onnx::AttributeProto *attribute(llvm::StringRef name) const;
  bool hasAttribute(llvm::StringRef name) const {
    return attribute(name) != nullptr;
  }
  int64_t intAttr(llvm::StringRef name, int64_t fallback) const;
  float floatAttr(llvm::StringRef name, float fallback) const;
  std::string stringAttr(llvm::StringRef name, llvm::StringRef fallback) const;
  std::optional<llvm::SmallVector<int64_t>> intsAttr(llvm::StringRef name) const;
  std::optional<llvm::SmallVector<float>> floatsAttr(llvm::StringRef name) const;
  /// The graph attribute `name` (a subgraph); null with an error if missing.
  const onnx::GraphProto *graphAttr(llvm::StringRef name);
  /// Fails (with an error) when a required attribute is missing.
  mlir::FailureOr<int64_t> requiredInt(llvm::StringRef name);
  mlir::FailureOr<llvm::SmallVector<int64_t>> requiredInts(llvm::StringRef name);

  //===--------------------------------------------------------------------===//
  // Building
  //===--------------------------------------------------------------------===//

  /// Reports an error at the node.
  mlir::InFlightDiagnostic error();

  /// Creates a kiln op, infers its result types and verifies it. On failure
  /// the diagnostics name the node and nothing is left in the IR.
  template <typename OpTy>
  mlir::FailureOr<mlir::Value>
  build(mlir::ValueRange operands,
        llvm::ArrayRef<mlir::NamedAttribute> attributes = {}) {
    auto results = buildMulti<OpTy>(operands, attributes, 1);
    if (mlir::failed(results))
      return mlir::failure();
    return results->front();
  }

  /// The same for ops with `numResults` results.
  template <typename OpTy>
  mlir::FailureOr<llvm::SmallVector<mlir::Value>>
  buildMulti(mlir::ValueRange operands,
             llvm::ArrayRef<mlir::NamedAttribute> attributes,
             unsigned numResults) {
    mlir::OperationState state(loc_, OpTy::getOperationName());
    state.addOperands(operands);
    state.addAttributes(attributes);
    state.addTypes(llvm::SmallVector<mlir::Type>(numResults,
                                                 builder().getNoneType()));
    mlir::Operation *op = builder().create(state);
    llvm::SmallVector<mlir::Type> types;
    if (mlir::failed(OpTy::inferReturnTypes(
            context(), loc_, op->getOperands(), op->getRawDictionaryAttrs(),
            op->getPropertiesStorage(), op->getRegions(), types))) {
      op->erase();
      return mlir::failure();
    }
    for (auto [i, type] : llvm::enumerate(types)) {
      if (auto t = mlir::dyn_cast<mlir::RankedTensorType>(type))
        if (auto why = unsupportedShape(t.getShape())) {
          op->erase();
          return error() << "result " << int64_t(i) << ": " << *why;
        }
      op->getResult(i).setType(type);
    }
    if (mlir::failed(mlir::verify(op))) {
      op->erase();
      return mlir::failure();
    }
    return foldIfConstant(op);
  }

  /// The op's results, or the constants they fold to when the op's
  /// operands are constants (so that the types of what follows are as
  /// static as they can be).
  llvm::SmallVector<mlir::Value> foldIfConstant(mlir::Operation *op);

  mlir::NamedAttribute named(llvm::StringRef name, mlir::Attribute value) {
    return builder().getNamedAttr(name, value);
  }
  mlir::Attribute i64Array(llvm::ArrayRef<int64_t> values) {
    return builder().getDenseI64ArrayAttr(values);
  }

  /// A constant 1-D si64 tensor.
  mlir::FailureOr<mlir::Value> constantI64(llvm::ArrayRef<int64_t> values);

  //===--------------------------------------------------------------------===//
  // Outputs
  //===--------------------------------------------------------------------===//

  size_t numOutputs() const { return node_.output_size(); }
  /// True if output `i` is requested (named).
  bool wantsOutput(size_t i) const;
  void setOutput(size_t i, mlir::Value value);
  void setOutput(size_t i, const AnyValue &value);

private:
  GraphImporter &graph_;
  const onnx::NodeProto &node_;
  int opset_;
  mlir::Location loc_;
};

using ImportFn = mlir::LogicalResult (*)(NodeImporter &);

/// An operator the importer supports.
struct OpImporter {
  const char *opType;
  ImportFn import;
};

/// The importer for an ai.onnx operator, or null.
ImportFn lookupOpImporter(llvm::StringRef opType);

/// Tables of each operator family (ops/*.cpp).
llvm::ArrayRef<OpImporter> elementwiseImporters();
llvm::ArrayRef<OpImporter> nnImporters();
llvm::ArrayRef<OpImporter> reductionImporters();
llvm::ArrayRef<OpImporter> tensorImporters();
llvm::ArrayRef<OpImporter> indexingImporters();
llvm::ArrayRef<OpImporter> normalizationImporters();
llvm::ArrayRef<OpImporter> quantizationImporters();
llvm::ArrayRef<OpImporter> recurrentImporters();
llvm::ArrayRef<OpImporter> controlFlowImporters();
llvm::ArrayRef<OpImporter> scanImporters();
llvm::ArrayRef<OpImporter> sequenceImporters();
llvm::ArrayRef<OpImporter> signalImporters();

} // namespace kiln::onnx_frontend

#endif // KILN_LIB_FRONTEND_ONNX_NODEIMPORTER_H
