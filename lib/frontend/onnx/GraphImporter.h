//===- GraphImporter.h - ONNX graph -> kiln entry function --------*- C++ -*-===//
#ifndef KILN_LIB_FRONTEND_ONNX_GRAPHIMPORTER_H
#define KILN_LIB_FRONTEND_ONNX_GRAPHIMPORTER_H

#include "lib/frontend/onnx/Composite.h"
#include "lib/frontend/onnx/NodeImporter.h"
#include "lib/frontend/onnx/OnnxImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <onnx/onnx_pb.h>

#include <set>

namespace kiln::onnx_frontend {

/// Builds the entry function of `module` from a model's main graph.
class GraphImporter {
public:
  GraphImporter(mlir::ModuleOp module, onnx::ModelProto &model,
                std::string modelName, std::string baseDirectory,
                const ImportOptions &options);

  /// Imports the whole graph; errors are reported as diagnostics.
  mlir::LogicalResult importGraph();

  mlir::OpBuilder &builder() { return builder_; }
  mlir::MLIRContext *context() { return module_.getContext(); }

  /// The value bound to an ONNX name, or null.
  mlir::Value lookup(const std::string &name) const;
  void bind(const std::string &name, mlir::Value value);
  /// The sequence or optional bound to an ONNX name, or null.
  CompositeRef lookupComposite(const std::string &name) const;
  void bindComposite(const std::string &name, CompositeRef value);
  /// Whatever is bound to a name (tensor or composite).
  AnyValue lookupAny(const std::string &name) const;
  void bindAny(const std::string &name, const AnyValue &value);

  /// What a DequantizeLinear node's result is: (quantized - zero_point) *
  /// scale along `axis` (zeroPoint null for none). Its importer records it,
  /// so that a product of dequantized values can be imported as an integer
  /// product (ops/QdqProducts.cpp), also once the result has folded into a
  /// float constant (dequantized weights).
  struct Dequantized {
    mlir::Value quantized, scale, zeroPoint;
    int64_t axis = 1;
  };
  void noteDequantized(mlir::Value result, const Dequantized &d) {
    dequantized_[result] = d;
  }
  const Dequantized *dequantized(mlir::Value v) const {
    auto it = dequantized_.find(v);
    return it == dequantized_.end() ? nullptr : &it->second;
  }

  /// The location of a node: "node 'name' (OpType)" in the model file.
  mlir::Location nodeLocation(const onnx::NodeProto &node, int index);

  const ImportOptions &options() const { return options_; }
  const std::string &baseDirectory() const { return baseDirectory_; }

  /// Imports a subgraph (a node's graph attribute) at the builder's
  /// insertion point, its inputs bound to `inputs`, and returns the values
  /// of its outputs. Its names shadow the enclosing scopes' only while it is
  /// imported (ONNX subgraphs see, but do not change, the outer scope).
  mlir::FailureOr<llvm::SmallVector<AnyValue>>
  importSubgraph(const onnx::GraphProto &graph, llvm::ArrayRef<AnyValue> inputs,
                 mlir::Location loc);

  /// Imports one node (also one that an importer synthesises, as Scan does
  /// with a Loop) at the builder's insertion point.
  mlir::LogicalResult importNode(const onnx::NodeProto &node, int opset,
                                 mlir::Location loc);
  /// A name no value of the model has (for values an importer introduces).
  std::string freshName(llvm::StringRef stem);
  int opsetFor(const std::string &domain) const;

private:
  mlir::LogicalResult checkOperators();
  mlir::LogicalResult importInputs(llvm::SmallVectorImpl<mlir::Type> &types,
                                   llvm::SmallVectorImpl<mlir::DictionaryAttr> &attrs);
  mlir::FailureOr<mlir::RankedTensorType>
  inputType(const onnx::ValueInfoProto &info, mlir::ArrayAttr &dimNames);
  /// Adds the entry arguments of one graph input (several for a sequence).
  mlir::LogicalResult
  addInput(const onnx::ValueInfoProto &info,
           llvm::SmallVectorImpl<mlir::Type> &types,
           llvm::SmallVectorImpl<mlir::DictionaryAttr> &attrs,
           std::set<std::string> &known);
  mlir::LogicalResult importInitializers();
  mlir::LogicalResult importNodes();
  /// Imports a node that Kiln has no importer for by inlining the function
  /// body ONNX defines for its operator.
  /// Checks the node's attributes, and its input and output counts, against
  /// ONNX's definition of the operator at `opset`.
  mlir::LogicalResult checkAgainstSchema(const onnx::NodeProto &node,
                                         int opset, mlir::Location loc);
  mlir::LogicalResult expandFunction(const onnx::NodeProto &node, int opset,
                                     mlir::Location loc);
  /// Whether ONNX defines `opType` at `opset` as a function.
  static bool hasFunctionBody(const std::string &opType, int opset);
  mlir::LogicalResult importOutputs(mlir::func::FuncOp func);

  mlir::ModuleOp module_;
  /// Mutable: initializers give their data to the blobs as they import.
  onnx::ModelProto &model_;
  std::string modelName_;
  std::string baseDirectory_;
  ImportOptions options_;
  mlir::OpBuilder builder_;
  llvm::StringMap<mlir::Value> values_;
  llvm::StringMap<CompositeRef> composites_;
  llvm::DenseMap<mlir::Value, Dequantized> dequantized_;
  /// How the entry's arguments make up each graph input (in order): the
  /// tensors of a composite input are consecutive arguments.
  struct InputLayout {
    std::string name;
    CompositeRef structure; ///< null for a tensor input
  };
  std::vector<InputLayout> inputLayout_;
  std::map<std::string, int> opsets_;
  int expansions_ = 0;
  int freshNames_ = 0;
};

} // namespace kiln::onnx_frontend

#endif // KILN_LIB_FRONTEND_ONNX_GRAPHIMPORTER_H
