//===- TensorFiles.h - tensors in .npy and ONNX .pb files --------*- C++ -*-===//
//
// kiln-run and the tests exchange tensors as NumPy .npy files (read v1-v3,
// written as v1.0, C order) and as ONNX TensorProto .pb files (read only;
// decoded directly from the protobuf wire format so that the runtime needs
// no protobuf library).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_RUNTIME_TENSORFILES_H
#define KILN_LIB_RUNTIME_TENSORFILES_H

#include "kiln/Status.h"
#include "kiln/Tensor.h"

#include <string>

namespace kiln::runtime {

Expected<Tensor> readNpy(const std::string &path);
Status writeNpy(const std::string &path, const Tensor &tensor);

/// An ONNX TensorProto; `name` receives its name field if not null.
Expected<Tensor> readTensorProto(const std::string &path,
                                 std::string *name = nullptr);

/// .npy or .pb, chosen by the file's extension.
Expected<Tensor> readTensorFile(const std::string &path);

} // namespace kiln::runtime

#endif // KILN_LIB_RUNTIME_TENSORFILES_H
