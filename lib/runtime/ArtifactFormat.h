//===- ArtifactFormat.h - what an artifact exports ----------------*- C++ -*-===//
//
// The contract between the compiler (which writes artifacts) and the
// runtime (which loads them). An artifact is a shared library exporting:
//
//   const char kiln_artifact_metadata[];        the text below
//   void kiln_artifact_run(void **args, void *results);
//       args: a pointer to the memref descriptor of each input, then of each
//       parameter, then, when the metadata has an `arena` line, of the
//       arena (a 1-D i8 buffer of that many bytes, 64-byte aligned, owned by
//       the caller, where the intermediate buffers live; one run at a time
//       per arena); results: the output descriptors, one after the other.
//       Descriptors are MLIR's: {allocated, aligned, offset, sizes[r],
//       strides[r]}, all 8-byte fields. Output buffers are malloc'ed by the
//       artifact and owned by the caller (two outputs may share one).
//   void (*kiln_artifact_trap_handler)(const char *message);
//       set by the runtime; a failed run-time check calls it and it must
//       not return.
//   const unsigned char kiln_artifact_params[];  the weights, when embedded
//
// The metadata is line-based text so that any language can read it:
//
//   kiln-artifact 2
//   target cpu
//   params embedded <bytes>            or: params external <bytes> <file>
//   arena <bytes>                      only when the entry takes an arena
//   input <name> <dtype> <rank> <dim>...    dim: 224, ? or ?batch
//   output <name> <dtype> <rank> <dim>...
//   param <name> <dtype> <rank> <dim>... <offset> <bytes>
//
// Names are percent-encoded where they hold spaces, '%' or control bytes.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_RUNTIME_ARTIFACTFORMAT_H
#define KILN_LIB_RUNTIME_ARTIFACTFORMAT_H

#include "kiln/Status.h"
#include "kiln/Tensor.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::runtime {

// 2: inputs marked `unread`; the CPU conv descriptor gained its algorithm.
// 3: the CUDA table gained the epilogue slots (kiln_cuda_matmul_epilogue,
//    kiln_cuda_conv2d_residual), the matmul descriptor its activation.
// 4: the CPU table gained the heap slots (kiln_cpu_alloc, kiln_cpu_free);
//    CPU descriptors carry sizes known only at run time.
inline constexpr int kArtifactFormatVersion = 4;
inline constexpr const char *kMetadataSymbol = "kiln_artifact_metadata";
inline constexpr const char *kRunSymbol = "kiln_artifact_run";
inline constexpr const char *kTrapHandlerSymbol = "kiln_artifact_trap_handler";
inline constexpr const char *kParamsSymbol = "kiln_artifact_params";
/// Every parameter starts at a multiple of this many bytes.
inline constexpr uint64_t kParamAlignment = 64;
/// The arena's start is a multiple of this many bytes (the compiler plans
/// buffers at offsets that are multiples of it, or of a divisor).
inline constexpr uint64_t kArenaAlignment = 64;

struct TensorSpec {
  std::string name;
  DType dtype = DType::Float32;
  std::vector<int64_t> shape;         ///< -1 where dynamic
  std::vector<std::string> dimNames;  ///< symbol per dimension, "" if none
  /// An input the model never reads (CastLike's `like` gives only its
  /// type): the runtime checks its element type, not its shape.
  bool unread = false;
};

struct ParamSpec {
  TensorSpec tensor;
  uint64_t offset = 0; ///< in the parameter blob
  uint64_t bytes = 0;
};

struct ArtifactMetadata {
  std::string target = "cpu";
  std::vector<TensorSpec> inputs;
  std::vector<TensorSpec> outputs;
  std::vector<ParamSpec> params;
  uint64_t paramsBytes = 0;
  /// Empty when the weights are embedded; else the file beside the artifact.
  std::string paramsFile;
  /// Bytes of the arena the run function takes after the parameters;
  /// nothing when it takes none.
  std::optional<uint64_t> arenaBytes;
};

std::string serializeMetadata(const ArtifactMetadata &metadata);
Expected<ArtifactMetadata> parseMetadata(std::string_view text);

/// Bytes of one memref descriptor of `rank`.
inline size_t descriptorBytes(size_t rank) { return 8 * (3 + 2 * rank); }

} // namespace kiln::runtime

#endif // KILN_LIB_RUNTIME_ARTIFACTFORMAT_H
