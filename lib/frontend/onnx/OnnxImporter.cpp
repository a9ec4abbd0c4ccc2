//===- OnnxImporter.cpp - reading model files -----------------------------===//
#include "lib/frontend/onnx/OnnxImporter.h"
#include "dialects/kiln/KilnDialect.h"
#include "lib/frontend/onnx/GraphImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <onnx/defs/parser.h>

using namespace mlir;

namespace kiln::onnx_frontend {

namespace {

/// `model` is consumed: its initializers' data moves into the module.
FailureOr<OwningOpRef<ModuleOp>> importModel(MLIRContext *ctx,
                                             onnx::ModelProto &model,
                                             const std::string &name,
                                             const std::string &baseDirectory,
                                             const ImportOptions &options) {
  ctx->loadDialect<KilnDialect, func::FuncDialect>();
  Location loc = FileLineColLoc::get(ctx, name, 0, 0);
  if (!model.has_graph())
    return emitError(loc) << "the model has no graph";
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  GraphImporter importer(*module, model, name, baseDirectory, options);
  if (failed(importer.importGraph()))
    return failure();
  return module;
}

} // namespace

FailureOr<OwningOpRef<ModuleOp>>
importOnnxBuffer(MLIRContext *ctx, const void *data, size_t size,
                 const std::string &name, const std::string &baseDirectory,
                 const ImportOptions &options) {
  onnx::ModelProto model;
  if (size > size_t(INT32_MAX) ||
      !model.ParseFromArray(data, int(size)))
    return emitError(FileLineColLoc::get(ctx, name, 0, 0))
           << "not a valid ONNX model (the protobuf could not be parsed; is "
              "the file truncated or of another kind?)";
  return importModel(ctx, model, name, baseDirectory, options);
}

FailureOr<OwningOpRef<ModuleOp>> importOnnxFile(MLIRContext *ctx,
                                                const std::string &path,
                                                const ImportOptions &options) {
  Location loc = FileLineColLoc::get(ctx, path, 0, 0);
  std::string dir = llvm::sys::path::parent_path(path).str();
  if (dir.empty())
    dir = ".";
  if (llvm::StringRef(path).ends_with(".onnxtxt")) {
    auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true,
                                              /*RequiresNullTerminator=*/true);
    if (!buffer)
      return emitError(loc) << "cannot read: " << buffer.getError().message();
    onnx::ModelProto model;
    auto status = onnx::OnnxParser::Parse(model, (*buffer)->getBufferStart());
    if (!status.IsOK())
      return emitError(loc) << "not valid ONNX text: "
                            << status.ErrorMessage();
    return importModel(ctx, model, path, dir, options);
  }
  // Parsed from the file through a small buffer, not a mapping of the whole
  // file: the message is then the only copy of the weights, and the import
  // moves them on into the module.
  int fd = -1;
  if (std::error_code ec = llvm::sys::fs::openFileForRead(path, fd))
    return emitError(loc) << "cannot read: " << ec.message();
  onnx::ModelProto model;
  bool parsed;
  {
    google::protobuf::io::FileInputStream stream(fd);
    stream.SetCloseOnDelete(true);
    google::protobuf::io::CodedInputStream coded(&stream);
    coded.SetTotalBytesLimit(INT32_MAX);
    parsed = model.ParseFromCodedStream(&coded) &&
             coded.ConsumedEntireMessage();
  }
  if (!parsed)
    return emitError(loc)
           << "not a valid ONNX model (the protobuf could not be parsed; is "
              "the file truncated or of another kind?)";
  return importModel(ctx, model, path, dir, options);
}

} // namespace kiln::onnx_frontend
