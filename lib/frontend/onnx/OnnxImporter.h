//===- OnnxImporter.h - ONNX model -> kiln dialect ----------------*- C++ -*-===//
//
// Reads a model (binary protobuf, or ONNX's textual syntax) and builds a
// module whose `kiln.entry` function computes the model's graph in kiln ops.
// Problems are reported as diagnostics located at the offending node
// ("node 'conv1' (Conv)"); every unsupported operator is reported in one go.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_FRONTEND_ONNX_ONNXIMPORTER_H
#define KILN_LIB_FRONTEND_ONNX_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace kiln::onnx_frontend {

struct ImportOptions {
  /// Dimensions to fix per input name (-1 keeps a dimension dynamic).
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Make every input dimension dynamic (before applying inputShapes).
  bool forceDynamic = false;
  /// Sequence inputs' lengths and the optional inputs that are empty: the
  /// structure of such inputs is fixed at compile time, and they are
  /// flattened into tensor inputs (kiln::CompileOptions says how).
  std::map<std::string, int64_t> sequenceLengths;
  std::set<std::string> absentOptionals;
  /// Constants of at most this many elements stay `dense` (readable,
  /// foldable); larger ones become `dense_resource` blobs.
  int64_t maxInlineElements = 64;
};

/// `path` is a binary .onnx file, or ONNX text (.onnxtxt).
mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>>
importOnnxFile(mlir::MLIRContext *context, const std::string &path,
               const ImportOptions &options);

/// A binary model in memory; `name` is used in messages and `baseDirectory`
/// to find external-data files.
mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>>
importOnnxBuffer(mlir::MLIRContext *context, const void *data, size_t size,
                 const std::string &name, const std::string &baseDirectory,
                 const ImportOptions &options);

} // namespace kiln::onnx_frontend

#endif // KILN_LIB_FRONTEND_ONNX_ONNXIMPORTER_H
