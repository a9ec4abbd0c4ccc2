//===- TensorImport.h - ONNX TensorProto -> MLIR attribute --------*- C++ -*-===//
#ifndef KILN_LIB_FRONTEND_ONNX_TENSORIMPORT_H
#define KILN_LIB_FRONTEND_ONNX_TENSORIMPORT_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"

#include <onnx/onnx_pb.h>

#include <string>

namespace kiln::onnx_frontend {

/// The kiln element type of an ONNX TensorProto.DataType (si/ui integers,
/// i1 for bool), or null if Kiln does not support it.
mlir::Type elementTypeFromOnnx(mlir::MLIRContext *ctx, int dataType);

/// The ONNX TensorProto.DataType of a kiln element type, or 0.
int onnxTypeFromElement(mlir::Type element);

/// "float32", "int64", "string" ... for messages.
std::string onnxTypeName(int dataType);

/// Converts a tensor's values (raw, typed fields, or external data read
/// relative to `baseDirectory`) to a `dense` attribute when it has at most
/// `maxInlineElements` elements, else to a `dense_resource` blob named after
/// the tensor. Errors are reported at `loc`.
mlir::FailureOr<mlir::ElementsAttr>
importTensor(const onnx::TensorProto &tensor, mlir::Location loc,
             const std::string &baseDirectory, int64_t maxInlineElements);

/// importTensor for a model's initializer, whose raw data is moved out of
/// `tensor` into the blob (left empty): the weights are not copied, and the
/// message shrinks as the import goes.
mlir::FailureOr<mlir::ElementsAttr>
importInitializer(onnx::TensorProto &tensor, mlir::Location loc,
                  const std::string &baseDirectory, int64_t maxInlineElements);

} // namespace kiln::onnx_frontend

#endif // KILN_LIB_FRONTEND_ONNX_TENSORIMPORT_H
