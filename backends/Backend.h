//===- Backend.h - what a target backend provides to the compiler -*- C++ -*-===//
//
// A backend takes the module after the graph pipeline (kiln ops, weights
// already turned into entry parameters) and produces an artifact. The
// compiler session looks backends up by target name; adding a target means
// implementing this interface and listing it in lib/compiler/Backends.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_BACKEND_H
#define KILN_BACKENDS_BACKEND_H

#include "kiln/Compiler.h"
#include "lib/runtime/ArtifactFormat.h"

#include <string>
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/LLVM.h"

#include <memory>

namespace kiln {

class Backend {
public:
  virtual ~Backend() = default;

  /// The `--target` name.
  virtual llvm::StringRef name() const = 0;

  /// The layout the graph pipeline gives convolution regions for this
  /// target when the user does not choose: "nhwc" or "nchw".
  virtual std::string defaultLayout(const CompileOptions &) const {
    return "nchw";
  }

  /// For --kernel-report: how the target will run the kernel `fused` (a
  /// kiln.fused op after the graph pipeline) and its estimated time; an
  /// empty text when it has nothing to say.
  virtual std::string planOf(mlir::Operation *fused,
                             const CompileOptions &options,
                             double &milliseconds) const {
    milliseconds = -1;
    return "";
  }

  /// Passes that lower the kiln module to what `emit` consumes.
  virtual mlir::LogicalResult
  buildPipeline(mlir::OpPassManager &pm, const CompileOptions &options) const = 0;

  /// Writes the artifact (or the requested intermediate form) of the
  /// lowered module to `outputPath`. `metadata` describes inputs, outputs
  /// and parameters; the backend fills in the parameters' blob layout.
  virtual mlir::LogicalResult emit(mlir::ModuleOp lowered,
                                   runtime::ArtifactMetadata metadata,
                                   const CompileOptions &options,
                                   const std::string &outputPath) const = 0;
};

/// The op of a kiln.fused kernel that names it (its first op of the
/// kernel's anchor kind), whose kind decides a backend's plan; null when
/// there is none.
mlir::Operation *kernelAnchor(mlir::Operation *fused);

std::unique_ptr<Backend> createCpuBackend();
std::unique_ptr<Backend> createCudaBackend();
/// Testing: the CUDA kernels run as host loops in a CPU artifact.
std::unique_ptr<Backend> createCudaEmulationBackend();

} // namespace kiln

#endif // KILN_BACKENDS_BACKEND_H
