//===- Runtime.h - load a compiled model and run it ---------------*- C++ -*-===//
//
// Part of Kiln's public API. Needs only libkiln_runtime: no compiler, LLVM
// or MLIR, so that compiled models deploy anywhere.
//
//   auto session = kiln::Session::open("model.so");
//   if (!session) { report(session.status().message()); }
//   auto outputs = (*session)->run({input});
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_H
#define KILN_RUNTIME_H

#include "kiln/Status.h"
#include "kiln/Tensor.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kiln {

/// A model input or output as the artifact declares it.
struct TensorInfo {
  std::string name;
  DType dtype = DType::Float32;
  /// -1 for a dimension known only at run time.
  std::vector<int64_t> shape;
  /// The symbolic name of each dynamic dimension ("batch"), "" otherwise.
  /// Inputs sharing a name must agree at run time.
  std::vector<std::string> dimNames;
};

struct SessionOptions {
  /// For artifacts whose weights are kept outside the library: the weights
  /// file to read. Empty means the file named in the artifact, next to it.
  std::string paramsPath;
  /// Fill external weights with random values from `randomSeed` instead of
  /// reading them: for timing runs where the weights file is not at hand.
  bool randomParams = false;
  uint64_t randomSeed = 0;
};

/// Threads for CPU artifacts' parallel loops and oneDNN calls (one OpenMP
/// runtime for both). 0 restores the default: the environment variable
/// KILN_NUM_THREADS if set, otherwise every core. Applies to runs that
/// start after the call.
void setNumThreads(int threads);
/// The thread count runs use now.
int numThreads();

/// What a run measured, besides its outputs.
struct RunStats {
  /// CUDA artifacts: the model's time on the GPU between CUDA events, the
  /// input and output transfers excluded. -1 where not measured (CPU).
  double deviceMs = -1;
};

class Session {
public:
  static Expected<std::unique_ptr<Session>>
  open(const std::string &artifactPath, const SessionOptions &options = {});
  ~Session();

  const std::vector<TensorInfo> &inputs() const;
  const std::vector<TensorInfo> &outputs() const;
  /// "cpu" or "cuda".
  const std::string &target() const;
  /// What runs the model: "cpu", or the GPU's name and architecture.
  const std::string &device() const;

  /// Runs the model on `inputs`, given in the order of inputs(). Checks
  /// each input's element type and shape against the model and reports the
  /// first mismatch by input name. Safe to call from several threads.
  Expected<std::vector<Tensor>> run(const std::vector<Tensor> &inputs) const;
  /// The same, filling `stats` (may be null).
  Expected<std::vector<Tensor>> run(const std::vector<Tensor> &inputs,
                                    RunStats *stats) const;

  struct Impl;

private:
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

} // namespace kiln

#endif // KILN_RUNTIME_H
