//===- NodeSynthesis.h - importers that write ONNX nodes --------*- C++ -*-===//
//
// Some operators are easiest to import as other ONNX operators (Scan as a
// Loop, SplitToSequence as Gathers): the importer writes those nodes and
// imports them, reusing their importers and checks.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_FRONTEND_ONNX_OPS_NODESYNTHESIS_H
#define KILN_LIB_FRONTEND_ONNX_OPS_NODESYNTHESIS_H

#include "lib/frontend/onnx/NodeImporter.h"

#include <initializer_list>
#include <string>

namespace kiln::onnx_frontend {

onnx::NodeProto makeNode(const std::string &op,
                         std::initializer_list<std::string> inputs,
                         std::initializer_list<std::string> outputs);
void setInt(onnx::NodeProto &node, const std::string &name, int64_t v);
void setInts(onnx::NodeProto &node, const std::string &name,
             llvm::ArrayRef<int64_t> v);

/// Binds a constant si64 tensor of `shape` to a fresh name, returned.
std::string bindConstantI64(NodeImporter &n, llvm::ArrayRef<int64_t> values,
                            llvm::ArrayRef<int64_t> shape);

/// Imports a written node at `n`'s opset and location.
mlir::LogicalResult emitNode(NodeImporter &n, const onnx::NodeProto &node);

} // namespace kiln::onnx_frontend

#endif // KILN_LIB_FRONTEND_ONNX_OPS_NODESYNTHESIS_H
