//===- CudnnAlgoCache.h - cuDNN's choices kept across processes -*- C++ -*-===//
//
// cudnnFind times each candidate algorithm in the process that makes a
// convolution's plan, so two processes running the same artifact can pick
// different algorithms (on a busy GPU, or when a search is cut short by a
// lazy kernel load) and time differently. With KILN_CUDNN_CACHE=FILE the
// first process to search a convolution appends its choice to FILE, and
// later processes (and later artifacts of the same process) take it from
// there without searching: a benchmark's processes then run the same
// algorithms, and a service's start-up skips the search.
//
// FILE is text, one choice per line: `ALGO MATH KEY`, where ALGO is a
// cudnnConvolutionFwdAlgo_t, MATH a cudnnMathType_t and KEY the device
// name and architecture, cuDNN's version and the convolution's descriptor
// (CudaAbi.h), so a file shared by several GPUs or cuDNN versions keeps
// each one's choices apart. `#` starts a comment line. Lines are appended
// with one write each, so processes may share a file.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_RUNTIME_CUDA_CUDNNALGOCACHE_H
#define KILN_LIB_RUNTIME_CUDA_CUDNNALGOCACHE_H

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace kiln::cuda {

class CudnnAlgoCache {
public:
  struct Choice {
    int algo;
    int mathType;
  };

  /// The process's cache of the file KILN_CUDNN_CACHE names, read on first
  /// use; null when the variable is unset or empty.
  static CudnnAlgoCache *fromEnvironment();

  /// Reads `path` if it exists; a line that does not parse is reported on
  /// stderr (file and line) and skipped.
  explicit CudnnAlgoCache(std::string path);

  /// The choice recorded for `key`, if any.
  std::optional<Choice> find(const std::string &key) const;
  /// Records `choice` for `key` and appends it to the file (a file that
  /// cannot be written is reported once on stderr; the choice still holds
  /// for this process).
  void record(const std::string &key, Choice choice);

  /// The key of a convolution: `device` (name and architecture), cuDNN's
  /// `version` and the `count` fields of its descriptor.
  static std::string key(const std::string &device, size_t version,
                         const int64_t *descriptor, size_t count);

  const std::string &path() const { return path_; }

private:
  std::string path_;
  mutable std::mutex mutex_;
  std::map<std::string, Choice> choices_;
  bool writeFailed_ = false;
};

} // namespace kiln::cuda

#endif // KILN_LIB_RUNTIME_CUDA_CUDNNALGOCACHE_H
