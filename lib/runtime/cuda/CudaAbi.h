//===- CudaAbi.h - the contract between CUDA artifacts and the runtime -*- C++ -*-===//
//
// A CUDA artifact is a host shared library like a CPU artifact (see
// ArtifactFormat.h: metadata, kiln_artifact_run, parameters), plus:
//
//   void *kiln_artifact_cuda_api[kApiSlots];   filled by the runtime at load
//   const char kiln_artifact_cuda_ptx[];       the kernels as PTX (NUL-ended)
//   const unsigned char kiln_artifact_cuda_cubin[];  ptxas output for
//   const int64_t kiln_artifact_cuda_cubin_size;     kiln_artifact_cuda_arch
//   const char kiln_artifact_cuda_arch[];      "sm_90"
//   const char kiln_artifact_cuda_kernels[];   kernel names, each NUL-ended,
//                                              an empty name ends the list;
//                                              a kernel's index is its place
//   const char kiln_artifact_cuda_checks[];    run-time check messages, same
//                                              encoding; check i sets the
//                                              device global
//                                              kiln_cuda_check_flag to i + 1
//
// The generated host code never calls CUDA itself: every device operation
// goes through a function pointer in kiln_artifact_cuda_api, whose slot 0 is
// an opaque context that is passed back as each function's first argument.
// This, rather than MLIR's mgpu* wrapper ABI with global constructors that
// load the module while dlopen runs, lets the runtime load the module when
// a session opens (with a clear error when there is no driver or GPU), keep
// one stream for the whole run, and leaves artifacts with no undefined
// symbols besides libm, so that they link and load on any machine.
//
// Pointers passed to alloc/free/launch/library functions are device
// pointers. Every function records the first failure in the context and
// turns later calls into no-ops; the runtime reports it when the run ends.
//
// This header is plain C++ with no dependencies: the compiler includes it to
// emit the calls, the runtime to implement them.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_RUNTIME_CUDA_CUDAABI_H
#define KILN_LIB_RUNTIME_CUDA_CUDAABI_H

#include <cstdint>

namespace kiln::cuda_abi {

inline constexpr const char *kApiSymbol = "kiln_artifact_cuda_api";
inline constexpr const char *kPtxSymbol = "kiln_artifact_cuda_ptx";
inline constexpr const char *kCubinSymbol = "kiln_artifact_cuda_cubin";
inline constexpr const char *kCubinSizeSymbol = "kiln_artifact_cuda_cubin_size";
inline constexpr const char *kArchSymbol = "kiln_artifact_cuda_arch";
inline constexpr const char *kKernelsSymbol = "kiln_artifact_cuda_kernels";
inline constexpr const char *kChecksSymbol = "kiln_artifact_cuda_checks";
/// The device global (an int32) that failed device-side checks set.
inline constexpr const char *kCheckFlagGlobal = "kiln_cuda_check_flag";

/// Slots of kiln_artifact_cuda_api. Append only: the order is the ABI.
enum ApiSlot : int {
  kSlotContext = 0,
  kSlotAlloc,  ///< void *(void *ctx, int64_t bytes)
  kSlotFree,   ///< void (void *ctx, void *ptr)
  kSlotLaunch, ///< void (void *ctx, int32_t kernel, int64_t gridX, gridY,
               ///<       gridZ, blockX, blockY, blockZ, int32_t sharedBytes,
               ///<       void **params)
  kSlotConv2d, ///< void (void *ctx, const int64_t *desc, void *x, void *w,
               ///<       void *bias /*may be null*/, void *y)
  kSlotMatmul, ///< void (void *ctx, const int64_t *desc, void *a, void *b,
               ///<       void *c)
  // The CPU fallback (kiln-compile --allow-cpu-fallback): host code that
  // reads or writes copies of device buffers.
  kSlotHostAlloc,    ///< void *(void *ctx, int64_t bytes): zeroed host
                     ///< memory (never null)
  kSlotHostFree,     ///< void (void *ctx, void *host)
  kSlotCopyToHost,   ///< void (void *ctx, void *host, void *device,
                     ///<       int64_t bytes): waits for the stream, so the
                     ///<       host sees what earlier kernels wrote
  kSlotCopyToDevice, ///< void (void *ctx, void *device, void *host,
                     ///<       int64_t bytes): ordered on the stream; the
                     ///<       host buffer may be reused on return
  kSlotMatmulEpilogue, ///< void (void *ctx, const int64_t *desc, void *a,
                       ///<       void *b, void *bias /*may be null*/,
                       ///<       void *c): a product with an epilogue
                       ///<       (cuBLASLt), desc's kMmActivation read
  kSlotConv2dResidual, ///< void (void *ctx, const int64_t *desc, void *x,
                       ///<       void *w, void *bias /*may be null*/,
                       ///<       void *z, void *y): y = act(conv(x) + z +
                       ///<       bias), z of y's shape and never y
  kApiSlots
};

/// The names the generated code calls; the artifact defines each as a thunk
/// through its slot.
inline constexpr const char *kSlotNames[kApiSlots] = {
    "", "kiln_cuda_alloc", "kiln_cuda_free", "kiln_cuda_launch",
    "kiln_cuda_conv2d", "kiln_cuda_matmul", "kiln_cuda_host_alloc",
    "kiln_cuda_host_free", "kiln_cuda_copy_to_host",
    "kiln_cuda_copy_to_device", "kiln_cuda_matmul_epilogue",
    "kiln_cuda_conv2d_residual"};

using AllocFn = void *(*)(void *ctx, int64_t bytes);
using FreeFn = void (*)(void *ctx, void *ptr);
using LaunchFn = void (*)(void *ctx, int32_t kernel, int64_t gridX,
                          int64_t gridY, int64_t gridZ, int64_t blockX,
                          int64_t blockY, int64_t blockZ, int32_t sharedBytes,
                          void **params);
using Conv2dFn = void (*)(void *ctx, const int64_t *desc, void *x, void *w,
                          void *bias, void *y);
using MatmulFn = void (*)(void *ctx, const int64_t *desc, void *a, void *b,
                          void *c);
using MatmulEpilogueFn = void (*)(void *ctx, const int64_t *desc, void *a,
                                  void *b, void *bias, void *c);
using Conv2dResidualFn = void (*)(void *ctx, const int64_t *desc, void *x,
                                  void *w, void *bias, void *z, void *y);
using HostAllocFn = void *(*)(void *ctx, int64_t bytes);
using HostFreeFn = void (*)(void *ctx, void *host);
using CopyFn = void (*)(void *ctx, void *dst, void *src, int64_t bytes);

/// Element types of library calls.
enum DataType : int64_t { kF32 = 0, kF16 = 1, kBF16 = 2 };
/// Fused activations: convolutions take none or ReLU, products (with an
/// epilogue) also GELU in its tanh form.
enum Activation : int64_t { kActNone = 0, kActRelu = 1, kActGeluTanh = 2 };

/// conv2d descriptor: NCHW input, KCRS filter (C per group), NKPQ output,
/// symmetric padding. A constant array of int64_t in the artifact.
enum ConvField : int {
  kConvDType,
  kConvN, kConvC, kConvH, kConvW, // input
  kConvK, kConvR, kConvS,         // filter (C/groups channels each)
  kConvP, kConvQ,                 // output height and width
  kConvPadH, kConvPadW,
  kConvStrideH, kConvStrideW,
  kConvDilationH, kConvDilationW,
  kConvGroups,
  kConvActivation,
  kConvAllowTf32, ///< float32 data may use TF32 tensor cores
  kConvFields
};

/// matmul descriptor: for b in [0, batch): C[b] (+)= alpha * op(A[b]) op(B[b])
/// with row-major C[b] of M x N, op(A) M x K, op(B) K x N; a batch stride of
/// 0 broadcasts an operand. `accumulate` adds to C's contents instead of
/// overwriting them. alpha is stored as the bits of a double. Products with
/// an epilogue (kSlotMatmulEpilogue) add the bias, a vector of N shared by
/// every row and batch, when its pointer is not null, then apply
/// kMmActivation; plain products (kSlotMatmul) never read that field.
enum MatmulField : int {
  kMmDType,
  kMmBatch, kMmM, kMmN, kMmK,
  kMmTransA, kMmTransB,
  kMmStrideA, kMmStrideB, kMmStrideC, // elements between batches
  kMmAccumulate,
  kMmAlphaBits,
  kMmAllowTf32, ///< float32 data may use TF32 tensor cores
  kMmActivation, ///< an Activation, after the bias
  kMmFields
};

} // namespace kiln::cuda_abi

#endif // KILN_LIB_RUNTIME_CUDA_CUDAABI_H
