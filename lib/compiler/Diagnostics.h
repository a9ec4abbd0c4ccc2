//===- Diagnostics.h - collecting the compiler's messages ---------*- C++ -*-===//
//
// While a compilation runs, every MLIR diagnostic is caught and rendered as
// one line naming where the problem is in the user's terms:
//
//   error: model.onnx: node 'conv1' (Conv): input has 4 channels but ...
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_COMPILER_DIAGNOSTICS_H
#define KILN_LIB_COMPILER_DIAGNOSTICS_H

#include "mlir/IR/Diagnostics.h"

#include <string>

namespace kiln {

class DiagnosticCollector {
public:
  explicit DiagnosticCollector(mlir::MLIRContext *context);

  /// All messages so far, one per line.
  const std::string &text() const { return text_; }
  bool hasErrors() const { return errors_ > 0; }

  /// How a location reads in a message ("model.onnx: node 'x' (Conv)").
  static std::string describe(mlir::Location loc);

private:
  std::string text_;
  int errors_ = 0;
  mlir::ScopedDiagnosticHandler handler_;
};

} // namespace kiln

#endif // KILN_LIB_COMPILER_DIAGNOSTICS_H
