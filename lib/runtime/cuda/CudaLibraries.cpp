//===- CudaLibraries.cpp - cuDNN and cuBLAS behind the library ABI --------===//
//
// Declarations are Kiln's own, for the libraries' C ABI (cudnn*.h of cuDNN
// 9, cublas_api.h and cublasLt.h of cuBLAS 12/13);
// test/unit/CudaBindingsTest.cpp checks
// the constants and the perf struct layout against the headers where they
// are installed.
//
//===----------------------------------------------------------------------===//
#include "lib/runtime/cuda/CudaLibraries.h"
#include "lib/runtime/cuda/CudaAbi.h"
#include "lib/runtime/cuda/CudnnAlgoCache.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace kiln::cuda {

namespace abi = kiln::cuda_abi;

//===----------------------------------------------------------------------===//
// Bindings
//===----------------------------------------------------------------------===//

struct CudnnConvPerf { // cudnnConvolutionFwdAlgoPerf_t
  int algo;
  int status;
  float time;
  size_t memory;
  int determinism;
  int mathType;
  int reserved[3];
};
static_assert(sizeof(CudnnConvPerf) == 48, "cudnnConvolutionFwdAlgoPerf_t");

struct CudnnApi {
  size_t (*cudnnGetVersion)();
  const char *(*cudnnGetErrorString)(int);
  int (*cudnnCreate)(void **);
  int (*cudnnDestroy)(void *);
  int (*cudnnSetStream)(void *, CUstream);
  int (*cudnnCreateTensorDescriptor)(void **);
  int (*cudnnDestroyTensorDescriptor)(void *);
  int (*cudnnSetTensor4dDescriptor)(void *, int format, int type, int n, int c,
                                    int h, int w);
  int (*cudnnCreateFilterDescriptor)(void **);
  int (*cudnnDestroyFilterDescriptor)(void *);
  int (*cudnnSetFilter4dDescriptor)(void *, int type, int format, int k, int c,
                                    int h, int w);
  int (*cudnnCreateConvolutionDescriptor)(void **);
  int (*cudnnDestroyConvolutionDescriptor)(void *);
  int (*cudnnSetConvolution2dDescriptor)(void *, int padH, int padW,
                                         int strideH, int strideW,
                                         int dilationH, int dilationW,
                                         int mode, int computeType);
  int (*cudnnSetConvolutionGroupCount)(void *, int);
  int (*cudnnSetConvolutionMathType)(void *, int);
  int (*cudnnGetConvolution2dForwardOutputDim)(void *conv, void *x, void *w,
                                               int *n, int *c, int *h, int *w_);
  int (*cudnnFindConvolutionForwardAlgorithm)(void *handle, void *x, void *w,
                                              void *conv, void *y,
                                              int requested, int *returned,
                                              CudnnConvPerf *results);
  int (*cudnnGetConvolutionForwardWorkspaceSize)(void *handle, void *x,
                                                 void *w, void *conv, void *y,
                                                 int algo, size_t *bytes);
  int (*cudnnConvolutionForward)(void *handle, const void *alpha, void *xDesc,
                                 const void *x, void *wDesc, const void *w,
                                 void *convDesc, int algo, void *workspace,
                                 size_t workspaceBytes, const void *beta,
                                 void *yDesc, void *y);
  int (*cudnnConvolutionBiasActivationForward)(
      void *handle, const void *alpha1, void *xDesc, const void *x,
      void *wDesc, const void *w, void *convDesc, int algo, void *workspace,
      size_t workspaceBytes, const void *alpha2, void *zDesc, const void *z,
      void *biasDesc, const void *bias, void *activationDesc, void *yDesc,
      void *y);
  int (*cudnnCreateActivationDescriptor)(void **);
  int (*cudnnDestroyActivationDescriptor)(void *);
  int (*cudnnSetActivationDescriptor)(void *, int mode, int nan, double coef);
  int (*cudnnAddTensor)(void *handle, const void *alpha, void *aDesc,
                        const void *a, const void *beta, void *cDesc, void *c);
  int (*cudnnActivationForward)(void *handle, void *activationDesc,
                                const void *alpha, void *xDesc, const void *x,
                                const void *beta, void *yDesc, void *y);
};

struct CublasApi {
  int (*cublasCreate)(void **);
  int (*cublasDestroy)(void *);
  int (*cublasSetStream)(void *, CUstream);
  const char *(*cublasGetStatusString)(int); // optional
  int (*cublasGemmStridedBatchedEx)(
      void *handle, int transA, int transB, int m, int n, int k,
      const void *alpha, const void *a, int aType, int lda, long long strideA,
      const void *b, int bType, int ldb, long long strideB, const void *beta,
      void *c, int cType, int ldc, long long strideC, int batchCount,
      int computeType, int algo);
};

struct CublasLtHeuristic { // cublasLtMatmulHeuristicResult_t
  uint64_t algo[8];          // cublasLtMatmulAlgo_t
  size_t workspaceSize;
  int state;
  float wavesCount;
  int reserved[4];
};
static_assert(sizeof(CublasLtHeuristic) == 96,
              "cublasLtMatmulHeuristicResult_t");

struct CublasLtApi {
  int (*cublasLtCreate)(void **);
  int (*cublasLtDestroy)(void *);
  const char *(*cublasLtGetStatusString)(int); // optional
  int (*cublasLtMatmulDescCreate)(void **, int computeType, int scaleType);
  int (*cublasLtMatmulDescDestroy)(void *);
  int (*cublasLtMatmulDescSetAttribute)(void *, int attr, const void *buf,
                                        size_t bytes);
  int (*cublasLtMatrixLayoutCreate)(void **, int type, uint64_t rows,
                                    uint64_t cols, int64_t ld);
  int (*cublasLtMatrixLayoutDestroy)(void *);
  int (*cublasLtMatrixLayoutSetAttribute)(void *, int attr, const void *buf,
                                          size_t bytes);
  int (*cublasLtMatmulPreferenceCreate)(void **);
  int (*cublasLtMatmulPreferenceDestroy)(void *);
  int (*cublasLtMatmulPreferenceSetAttribute)(void *, int attr,
                                              const void *buf, size_t bytes);
  int (*cublasLtMatmulAlgoGetHeuristic)(void *handle, void *op, void *a,
                                        void *b, void *c, void *d, void *pref,
                                        int requested,
                                        CublasLtHeuristic *results,
                                        int *returned);
  int (*cublasLtMatmul)(void *handle, void *op, const void *alpha,
                        const void *a, void *aDesc, const void *b, void *bDesc,
                        const void *beta, const void *c, void *cDesc, void *d,
                        void *dDesc, const void *algo, void *workspace,
                        size_t workspaceBytes, CUstream stream);
};

// cuDNN constants (cudnn_graph.h, cudnn_ops.h).
constexpr int kCudnnDataFloat = 0, kCudnnDataHalf = 2, kCudnnDataBFloat16 = 9;
constexpr int kCudnnTensorNchw = 0;
constexpr int kCudnnCrossCorrelation = 1;
constexpr int kCudnnDefaultMath = 0, kCudnnTensorOpMath = 1,
              kCudnnTensorOpMathAllowConversion = 2, kCudnnFmaMath = 3;
/// Whether a cudnnMathType_t runs on tensor cores.
static bool usesTensorCores(int mathType) {
  return mathType == kCudnnTensorOpMath ||
         mathType == kCudnnTensorOpMathAllowConversion;
}
constexpr int kCudnnActivationRelu = 1;
constexpr int kCudnnNotPropagateNan = 0;
constexpr int kCudnnAlgoCount = 8;
// cuBLAS constants (cublas_api.h, library_types.h).
constexpr int kCudaR32F = 0, kCudaR16F = 2, kCudaR16BF = 14;
constexpr int kCublasOpN = 0, kCublasOpT = 1;
constexpr int kCublasCompute32F = 68, kCublasCompute32FFastTf32 = 77;
constexpr int kCublasGemmDefault = -1;
// cuBLASLt constants (cublasLt.h).
constexpr int kLtDescTransA = 3, kLtDescTransB = 4, kLtDescEpilogue = 7,
              kLtDescBiasPointer = 8;
constexpr int kLtLayoutBatchCount = 5, kLtLayoutStridedBatchOffset = 6;
constexpr int kLtPrefMaxWorkspaceBytes = 1, kLtPrefMinAlignmentA = 5,
              kLtPrefMinAlignmentB = 6, kLtPrefMinAlignmentC = 7,
              kLtPrefMinAlignmentD = 8;
constexpr uint32_t kLtEpilogueDefault = 1, kLtEpilogueRelu = 2,
                   kLtEpilogueBias = 4, kLtEpilogueGelu = 32;
/// The workspace cuBLASLt may use (NVIDIA's advice for Hopper: 32 MiB).
constexpr uint64_t kLtMaxWorkspaceBytes = uint64_t(32) << 20;

template <typename F>
static bool bind(void *library, F &fn, const char *name) {
  fn = reinterpret_cast<F>(findSymbol(library, {name}));
  return fn != nullptr;
}

/// Binds `fn` to the library's `name`, or lists the name in `missing`.
template <typename F>
static void need(void *library, F &fn, const char *name,
                 std::string &missing) {
  if (!bind(library, fn, name))
    missing += std::string(missing.empty() ? "" : ", ") + name;
}

#define KILN_NEED(name) need(lib, api.name, #name, missing);

/// Opens a library once per process (the file that `overrideVariable`
/// names, else the first of `names` found) and binds its functions with
/// `bindAll(lib, api, missing)`; `check(api)` may still refuse it. `what`
/// names the library in the errors.
template <typename Api, typename BindAll, typename Check>
static Expected<const Api *>
loadOnce(const char *what, const char *overrideVariable,
         std::initializer_list<const char *> names, BindAll bindAll,
         Check check) {
  static std::once_flag once;
  static Expected<const Api *> result = Status::error("");
  std::call_once(once, [&] {
    static Api api;
    std::string error, missing;
    void *lib = openLibrary(overrideVariable, names, error);
    if (!lib) {
      result = Status::error(std::string(what) + " not found (" + error + ")");
      return;
    }
    bindAll(lib, api, missing);
    if (!missing.empty()) {
      result = Status::error(std::string(what) + " lacks " + missing);
      return;
    }
    if (Status s = check(api); !s) {
      result = s;
      return;
    }
    result = static_cast<const Api *>(&api);
  });
  return result;
}

/// The same for a library that needs no check beyond its functions.
template <typename Api, typename BindAll>
static Expected<const Api *>
loadOnce(const char *what, const char *overrideVariable,
         std::initializer_list<const char *> names, BindAll bindAll) {
  return loadOnce<Api>(what, overrideVariable, names, bindAll,
                       [](const Api &) { return Status::ok(); });
}

// KILN_CUDNN_LIBRARY, KILN_CUBLAS_LIBRARY and KILN_CUBLASLT_LIBRARY name
// other libraries (the tests' fake ones).
static Expected<const CudnnApi *> loadCudnn() {
  return loadOnce<CudnnApi>(
      "cuDNN 9", "KILN_CUDNN_LIBRARY", {"libcudnn.so.9", "libcudnn.so"},
      [](void *lib, CudnnApi &api, std::string &missing) {
        KILN_NEED(cudnnGetVersion)
        KILN_NEED(cudnnGetErrorString)
        KILN_NEED(cudnnCreate)
        KILN_NEED(cudnnDestroy)
        KILN_NEED(cudnnSetStream)
        KILN_NEED(cudnnCreateTensorDescriptor)
        KILN_NEED(cudnnDestroyTensorDescriptor)
        KILN_NEED(cudnnSetTensor4dDescriptor)
        KILN_NEED(cudnnCreateFilterDescriptor)
        KILN_NEED(cudnnDestroyFilterDescriptor)
        KILN_NEED(cudnnSetFilter4dDescriptor)
        KILN_NEED(cudnnCreateConvolutionDescriptor)
        KILN_NEED(cudnnDestroyConvolutionDescriptor)
        KILN_NEED(cudnnSetConvolution2dDescriptor)
        KILN_NEED(cudnnSetConvolutionGroupCount)
        KILN_NEED(cudnnSetConvolutionMathType)
        KILN_NEED(cudnnGetConvolution2dForwardOutputDim)
        KILN_NEED(cudnnFindConvolutionForwardAlgorithm)
        KILN_NEED(cudnnGetConvolutionForwardWorkspaceSize)
        KILN_NEED(cudnnConvolutionForward)
        KILN_NEED(cudnnConvolutionBiasActivationForward)
        KILN_NEED(cudnnCreateActivationDescriptor)
        KILN_NEED(cudnnDestroyActivationDescriptor)
        KILN_NEED(cudnnSetActivationDescriptor)
        KILN_NEED(cudnnAddTensor)
        KILN_NEED(cudnnActivationForward)
      },
      [](const CudnnApi &api) {
        if (api.cudnnGetVersion() / 10000 == 9)
          return Status::ok();
        return Status::error("cuDNN " + std::to_string(api.cudnnGetVersion()) +
                             " found, Kiln needs cuDNN 9");
      });
}

static Expected<const CublasApi *> loadCublas() {
  return loadOnce<CublasApi>(
      "cuBLAS", "KILN_CUBLAS_LIBRARY",
      {"libcublas.so.13", "libcublas.so.12", "libcublas.so"},
      [](void *lib, CublasApi &api, std::string &missing) {
        need(lib, api.cublasCreate, "cublasCreate_v2", missing);
        need(lib, api.cublasDestroy, "cublasDestroy_v2", missing);
        need(lib, api.cublasSetStream, "cublasSetStream_v2", missing);
        KILN_NEED(cublasGemmStridedBatchedEx)
        bind(lib, api.cublasGetStatusString, "cublasGetStatusString");
      });
}

static Expected<const CublasLtApi *> loadCublasLt() {
  return loadOnce<CublasLtApi>(
      "cuBLASLt", "KILN_CUBLASLT_LIBRARY",
      {"libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so"},
      [](void *lib, CublasLtApi &api, std::string &missing) {
        KILN_NEED(cublasLtCreate)
        KILN_NEED(cublasLtDestroy)
        KILN_NEED(cublasLtMatmulDescCreate)
        KILN_NEED(cublasLtMatmulDescDestroy)
        KILN_NEED(cublasLtMatmulDescSetAttribute)
        KILN_NEED(cublasLtMatrixLayoutCreate)
        KILN_NEED(cublasLtMatrixLayoutDestroy)
        KILN_NEED(cublasLtMatrixLayoutSetAttribute)
        KILN_NEED(cublasLtMatmulPreferenceCreate)
        KILN_NEED(cublasLtMatmulPreferenceDestroy)
        KILN_NEED(cublasLtMatmulPreferenceSetAttribute)
        KILN_NEED(cublasLtMatmulAlgoGetHeuristic)
        KILN_NEED(cublasLtMatmul)
        bind(lib, api.cublasLtGetStatusString, "cublasLtGetStatusString");
      });
}

#undef KILN_NEED

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

struct LibraryKernels::ConvPlan {
  const CudnnApi *api = nullptr;
  void *x = nullptr, *y = nullptr, *bias = nullptr; // tensor descriptors
  void *w = nullptr, *conv = nullptr, *activation = nullptr;
  int algo = 0;
  size_t workspaceBytes = 0;
  bool fused = false; // bias + ReLU through ConvolutionBiasActivationForward

  ~ConvPlan() {
    if (!api)
      return;
    for (void *t : {x, y, bias})
      if (t)
        api->cudnnDestroyTensorDescriptor(t);
    if (w)
      api->cudnnDestroyFilterDescriptor(w);
    if (conv)
      api->cudnnDestroyConvolutionDescriptor(conv);
    if (activation)
      api->cudnnDestroyActivationDescriptor(activation);
  }
};

LibraryKernels::LibraryKernels(const Driver &driver, CUstream stream,
                               std::string device)
    : driver_(driver), stream_(stream), device_(std::move(device)) {}

LibraryKernels::~LibraryKernels() {
  convPlans_.clear();
  if (cudnnHandle_)
    cudnn_->cudnnDestroy(cudnnHandle_);
  if (cublasHandle_)
    cublas_->cublasDestroy(cublasHandle_);
  ltPlans_.clear();
  if (cublasLtHandle_)
    cublasLt_->cublasLtDestroy(cublasLtHandle_);
  if (workspace_)
    driver_.cuMemFree(workspace_);
}

Status LibraryKernels::ensureCudnn() {
  if (cudnnHandle_)
    return Status::ok();
  auto api = loadCudnn();
  if (!api)
    return api.status();
  cudnn_ = *api;
  if (int s = cudnn_->cudnnCreate(&cudnnHandle_))
    return Status::error(std::string("cudnnCreate: ") +
                         cudnn_->cudnnGetErrorString(s));
  if (int s = cudnn_->cudnnSetStream(cudnnHandle_, stream_))
    return Status::error(std::string("cudnnSetStream: ") +
                         cudnn_->cudnnGetErrorString(s));
  return Status::ok();
}

Status LibraryKernels::ensureCublas() {
  if (cublasHandle_)
    return Status::ok();
  auto api = loadCublas();
  if (!api)
    return api.status();
  cublas_ = *api;
  if (int s = cublas_->cublasCreate(&cublasHandle_))
    return Status::error("cublasCreate: status " + std::to_string(s));
  if (int s = cublas_->cublasSetStream(cublasHandle_, stream_))
    return Status::error("cublasSetStream: status " + std::to_string(s));
  return Status::ok();
}

Status LibraryKernels::ensureCublasLt() {
  if (cublasLtHandle_)
    return Status::ok();
  auto api = loadCublasLt();
  if (!api)
    return api.status();
  cublasLt_ = *api;
  if (int s = cublasLt_->cublasLtCreate(&cublasLtHandle_))
    return Status::error("cublasLtCreate: status " + std::to_string(s));
  return Status::ok();
}

Status LibraryKernels::ensureWorkspace(size_t bytes) {
  if (bytes <= workspaceBytes_)
    return Status::ok();
  // Work already queued may still use the old workspace.
  driver_.cuStreamSynchronize(stream_);
  if (workspace_)
    driver_.cuMemFree(workspace_);
  workspace_ = 0;
  workspaceBytes_ = 0;
  if (CUresult r = driver_.cuMemAlloc(&workspace_, bytes))
    return Status::error("out of device memory allocating a " +
                         std::to_string(bytes) +
                         "-byte library workspace: " + driver_.describe(r));
  workspaceBytes_ = bytes;
  return Status::ok();
}

/// KILN_CUDA_REPORT=1: each convolution's cuDNN algorithm, one line on
/// stderr when its plan is made (what a profile cannot name): the search's
/// time for it, or `searchedMs` < 0 when KILN_CUDNN_CACHE gave it.
static void reportConvChoice(const int64_t *d,
                             const CudnnAlgoCache::Choice &choice,
                             float searchedMs, size_t workspaceBytes) {
  static const bool wanted = [] {
    const char *v = std::getenv("KILN_CUDA_REPORT");
    return v && std::string(v) == "1";
  }();
  if (!wanted)
    return;
  static const char *const names[kCudnnAlgoCount] = {
      "implicit_gemm", "implicit_precomp_gemm", "gemm", "direct", "fft",
      "fft_tiling", "winograd", "winograd_nonfused"};
  const char *type = d[abi::kConvDType] == abi::kF16    ? "f16"
                     : d[abi::kConvDType] == abi::kBF16 ? "bf16"
                                                        : "f32";
  char source[32] = "from KILN_CUDNN_CACHE";
  if (searchedMs >= 0)
    std::snprintf(source, sizeof source, "%.3f ms", double(searchedMs));
  std::fprintf(stderr,
               "kiln: cuDNN conv %s %lldx%lldx%lldx%lld k%lld %lldx%lld s%lld "
               "g%lld: %s%s, %s, workspace %zu bytes\n",
               type, (long long)d[abi::kConvN], (long long)d[abi::kConvC],
               (long long)d[abi::kConvH], (long long)d[abi::kConvW],
               (long long)d[abi::kConvK], (long long)d[abi::kConvR],
               (long long)d[abi::kConvS], (long long)d[abi::kConvStrideH],
               (long long)d[abi::kConvGroups],
               choice.algo >= 0 && choice.algo < kCudnnAlgoCount
                   ? names[choice.algo]
                   : "?",
               usesTensorCores(choice.mathType) ? " (tensor cores)" : "",
               source, workspaceBytes);
}

static int cudnnType(int64_t dtype) {
  return dtype == abi::kF16    ? kCudnnDataHalf
         : dtype == abi::kBF16 ? kCudnnDataBFloat16
                               : kCudnnDataFloat;
}

Expected<LibraryKernels::ConvPlan *>
LibraryKernels::convPlan(const int64_t *d, CUdeviceptr x, CUdeviceptr w,
                         CUdeviceptr y) {
  std::vector<int64_t> key(d, d + abi::kConvFields);
  auto it = convPlans_.find(key);
  if (it != convPlans_.end())
    return it->second.get();
  const CudnnApi &api = *cudnn_;
  auto plan = std::make_unique<ConvPlan>();
  plan->api = &api;
  auto check = [&](int s, const char *what) -> Status {
    if (s == 0)
      return Status::ok();
    return Status::error(std::string(what) + ": " + api.cudnnGetErrorString(s));
  };
  int type = cudnnType(d[abi::kConvDType]);
  int n = int(d[abi::kConvN]), c = int(d[abi::kConvC]),
      h = int(d[abi::kConvH]), wd = int(d[abi::kConvW]);
  int k = int(d[abi::kConvK]), groups = int(d[abi::kConvGroups]);
  Status s = check(api.cudnnCreateTensorDescriptor(&plan->x), "x descriptor");
  if (s)
    s = check(api.cudnnSetTensor4dDescriptor(plan->x, kCudnnTensorNchw, type,
                                             n, c, h, wd),
              "x descriptor");
  if (s)
    s = check(api.cudnnCreateFilterDescriptor(&plan->w), "filter descriptor");
  if (s)
    s = check(api.cudnnSetFilter4dDescriptor(
                  plan->w, type, kCudnnTensorNchw, k, c / groups,
                  int(d[abi::kConvR]), int(d[abi::kConvS])),
              "filter descriptor");
  if (s)
    s = check(api.cudnnCreateConvolutionDescriptor(&plan->conv),
              "convolution descriptor");
  if (s)
    s = check(api.cudnnSetConvolution2dDescriptor(
                  plan->conv, int(d[abi::kConvPadH]), int(d[abi::kConvPadW]),
                  int(d[abi::kConvStrideH]), int(d[abi::kConvStrideW]),
                  int(d[abi::kConvDilationH]), int(d[abi::kConvDilationW]),
                  kCudnnCrossCorrelation, kCudnnDataFloat),
              "convolution descriptor");
  if (s)
    s = check(api.cudnnSetConvolutionGroupCount(plan->conv, groups),
              "group count");
  // float32 stays float32 unless TF32 was asked for; 16-bit types use
  // tensor cores (accumulating in float32).
  bool strictFloat = d[abi::kConvDType] == abi::kF32 && !d[abi::kConvAllowTf32];
  int math = d[abi::kConvDType] != abi::kF32 ? kCudnnTensorOpMath
             : strictFloat                   ? kCudnnFmaMath
                                             : kCudnnDefaultMath;
  if (s)
    s = check(api.cudnnSetConvolutionMathType(plan->conv, math), "math type");
  if (s) {
    int on, oc, oh, ow;
    s = check(api.cudnnGetConvolution2dForwardOutputDim(plan->conv, plan->x,
                                                        plan->w, &on, &oc, &oh,
                                                        &ow),
              "output size");
    if (s && (on != n || oc != k || oh != d[abi::kConvP] ||
              ow != d[abi::kConvQ]))
      s = Status::error("cuDNN computes a different output size");
  }
  if (s)
    s = check(api.cudnnCreateTensorDescriptor(&plan->y), "y descriptor");
  if (s)
    s = check(api.cudnnSetTensor4dDescriptor(plan->y, kCudnnTensorNchw, type,
                                             n, k, int(d[abi::kConvP]),
                                             int(d[abi::kConvQ])),
              "y descriptor");
  if (s)
    s = check(api.cudnnCreateTensorDescriptor(&plan->bias), "bias descriptor");
  if (s)
    s = check(api.cudnnSetTensor4dDescriptor(plan->bias, kCudnnTensorNchw,
                                             type, 1, k, 1, 1),
              "bias descriptor");
  if (s)
    s = check(api.cudnnCreateActivationDescriptor(&plan->activation),
              "activation descriptor");
  if (s)
    s = check(api.cudnnSetActivationDescriptor(plan->activation,
                                               kCudnnActivationRelu,
                                               kCudnnNotPropagateNan, 0.0),
              "activation descriptor");
  if (!s)
    return s;

  // The fastest algorithm, measured by cudnnFind (it runs each candidate).
  // Its first search of a process also times each candidate's first
  // launch, which with CUDA's lazy module loading includes loading that
  // kernel: the search runs twice and the second one's times decide
  // (KILN_CUDNN_SEARCHES=1: once). With KILN_CUDNN_CACHE, a choice an
  // earlier search kept for this device, cuDNN and convolution is taken
  // instead (CudnnAlgoCache.h).
  static const int searches = [] {
    const char *v = std::getenv("KILN_CUDNN_SEARCHES");
    return v && std::string(v) == "1" ? 1 : 2;
  }();
  auto search = [&](CudnnAlgoCache::Choice &choice, float &ms) -> Status {
    CudnnConvPerf results[kCudnnAlgoCount];
    int returned = 0;
    Status st = Status::ok();
    for (int i = 0; i < searches && st; ++i)
      st = check(api.cudnnFindConvolutionForwardAlgorithm(
                     cudnnHandle_, plan->x, plan->w, plan->conv, plan->y,
                     kCudnnAlgoCount, &returned, results),
                 "choosing an algorithm");
    if (!st)
      return st;
    for (int i = 0; i < returned; ++i) {
      const CudnnConvPerf &r = results[i];
      if (r.status == 0 && !(strictFloat && usesTensorCores(r.mathType))) {
        choice = {r.algo, r.mathType};
        ms = r.time;
        return Status::ok();
      }
    }
    return Status::error("cuDNN has no algorithm for this convolution");
  };
  // Sets the choice's math type and asks for its workspace.
  auto apply = [&](const CudnnAlgoCache::Choice &choice) -> Status {
    plan->algo = choice.algo;
    if (!strictFloat)
      if (Status st = check(api.cudnnSetConvolutionMathType(plan->conv,
                                                            choice.mathType),
                            "math type");
          !st)
        return st;
    return check(api.cudnnGetConvolutionForwardWorkspaceSize(
                     cudnnHandle_, plan->x, plan->w, plan->conv, plan->y,
                     plan->algo, &plan->workspaceBytes),
                 "workspace size");
  };
  CudnnAlgoCache *cache = CudnnAlgoCache::fromEnvironment();
  std::string cacheKey;
  std::optional<CudnnAlgoCache::Choice> cached;
  if (cache) {
    cacheKey = CudnnAlgoCache::key(device_, api.cudnnGetVersion(), d,
                                   abi::kConvFields);
    cached = cache->find(cacheKey);
    // A hand-edited or foreign line must not break float32's no-TF32
    // promise or name an algorithm cuDNN refuses: search instead.
    if (cached && (cached->algo < 0 || cached->algo >= kCudnnAlgoCount ||
                   (strictFloat && usesTensorCores(cached->mathType)) ||
                   !apply(*cached))) {
      std::fprintf(stderr,
                   "kiln: warning: %s: cuDNN refuses the recorded algorithm "
                   "%d (math %d) for a convolution; searching again\n",
                   cache->path().c_str(), cached->algo, cached->mathType);
      cached.reset();
      // The search runs with the plan's own math type, not the refused one.
      if (!strictFloat)
        api.cudnnSetConvolutionMathType(plan->conv, math);
    }
  }
  CudnnAlgoCache::Choice choice{0, 0};
  float searchedMs = -1;
  if (cached) {
    choice = *cached;
  } else {
    if (s)
      s = search(choice, searchedMs);
    if (s)
      s = apply(choice);
    if (s && cache)
      cache->record(cacheKey, choice);
  }
  if (!s)
    return s;
  reportConvChoice(d, choice, searchedMs, plan->workspaceBytes);
  plan->fused = true;
  ConvPlan *raw = plan.get();
  convPlans_.emplace(std::move(key), std::move(plan));
  (void)x;
  (void)w;
  (void)y;
  return raw;
}

Status LibraryKernels::conv2d(const int64_t *d, CUdeviceptr x, CUdeviceptr w,
                              CUdeviceptr bias, CUdeviceptr z, CUdeviceptr y) {
  if (Status s = ensureCudnn(); !s)
    return s;
  auto planOr = convPlan(d, x, w, y);
  if (!planOr)
    return planOr.status();
  ConvPlan &plan = **planOr;
  if (Status s = ensureWorkspace(plan.workspaceBytes); !s)
    return s;
  const CudnnApi &api = *cudnn_;
  auto ptr = [](CUdeviceptr p) { return reinterpret_cast<void *>(p); };
  auto fail = [&](int st, const char *what) {
    return Status::error(std::string(what) + ": " + api.cudnnGetErrorString(st));
  };
  float one = 1.0f, zero = 0.0f;
  bool relu = d[abi::kConvActivation] == abi::kActRelu;
  if (bias && relu && plan.fused) {
    // y = relu(conv(x) + alpha2 * z + bias) in one call; without a residual
    // z is y, scaled by 0.
    int st = api.cudnnConvolutionBiasActivationForward(
        cudnnHandle_, &one, plan.x, ptr(x), plan.w, ptr(w), plan.conv,
        plan.algo, ptr(workspace_), plan.workspaceBytes, z ? &one : &zero,
        plan.y, ptr(z ? z : y), plan.bias, ptr(bias), plan.activation, plan.y,
        ptr(y));
    if (st == 0)
      return Status::ok();
    plan.fused = false; // not for this algorithm: separate calls from now on
  }
  if (int st = api.cudnnConvolutionForward(
          cudnnHandle_, &one, plan.x, ptr(x), plan.w, ptr(w), plan.conv,
          plan.algo, ptr(workspace_), plan.workspaceBytes, &zero, plan.y,
          ptr(y)))
    return fail(st, "cudnnConvolutionForward");
  if (bias)
    if (int st = api.cudnnAddTensor(cudnnHandle_, &one, plan.bias, ptr(bias),
                                    &one, plan.y, ptr(y)))
      return fail(st, "cudnnAddTensor (bias)");
  if (z)
    if (int st = api.cudnnAddTensor(cudnnHandle_, &one, plan.y, ptr(z), &one,
                                    plan.y, ptr(y)))
      return fail(st, "cudnnAddTensor (residual)");
  if (relu)
    if (int st = api.cudnnActivationForward(cudnnHandle_, plan.activation,
                                            &one, plan.y, ptr(y), &zero,
                                            plan.y, ptr(y)))
      return fail(st, "cudnnActivationForward (ReLU)");
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Matrix product
//===----------------------------------------------------------------------===//

Status LibraryKernels::matmul(const int64_t *d, CUdeviceptr a, CUdeviceptr b,
                              CUdeviceptr c) {
  if (Status s = ensureCublas(); !s)
    return s;
  // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: cuBLAS
  // gets B first. A row-major [r x c] matrix is a column-major [c x r] one
  // with leading dimension c.
  int m = int(d[abi::kMmM]), n = int(d[abi::kMmN]), k = int(d[abi::kMmK]);
  bool ta = d[abi::kMmTransA], tb = d[abi::kMmTransB];
  int type = d[abi::kMmDType] == abi::kF16    ? kCudaR16F
             : d[abi::kMmDType] == abi::kBF16 ? kCudaR16BF
                                              : kCudaR32F;
  int compute = d[abi::kMmDType] == abi::kF32 && d[abi::kMmAllowTf32]
                    ? kCublasCompute32FFastTf32
                    : kCublasCompute32F;
  double alpha64;
  std::memcpy(&alpha64, &d[abi::kMmAlphaBits], sizeof alpha64);
  float alpha = float(alpha64), beta = d[abi::kMmAccumulate] ? 1.0f : 0.0f;
  int st = cublas_->cublasGemmStridedBatchedEx(
      cublasHandle_, tb ? kCublasOpT : kCublasOpN, ta ? kCublasOpT : kCublasOpN,
      n, m, k, &alpha, reinterpret_cast<void *>(b), type, tb ? k : n,
      d[abi::kMmStrideB], reinterpret_cast<void *>(a), type, ta ? m : k,
      d[abi::kMmStrideA], &beta, reinterpret_cast<void *>(c), type, n,
      d[abi::kMmStrideC], int(d[abi::kMmBatch]), compute, kCublasGemmDefault);
  if (st != 0)
    return Status::error(
        std::string("cublasGemmStridedBatchedEx: ") +
        (cublas_->cublasGetStatusString ? cublas_->cublasGetStatusString(st)
                                        : "status " + std::to_string(st)));
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Matrix product with an epilogue (cuBLASLt)
//===----------------------------------------------------------------------===//

struct LibraryKernels::LtPlan {
  const CublasLtApi *api = nullptr;
  void *op = nullptr;                       // matmul descriptor
  void *a = nullptr, *b = nullptr, *c = nullptr; // in cuBLASLt's terms
  uint64_t algo[8] = {};
  size_t workspaceBytes = 0;

  ~LtPlan() {
    if (!api)
      return;
    for (void *l : {a, b, c})
      if (l)
        api->cublasLtMatrixLayoutDestroy(l);
    if (op)
      api->cublasLtMatmulDescDestroy(op);
  }
};

namespace {

/// The alignment of a device address in bytes, capped at the 256 that
/// cuBLASLt's heuristic assumes by default.
uint32_t alignmentOf(CUdeviceptr p) {
  uint64_t a = p ? uint64_t(p) & (~uint64_t(p) + 1) : 256;
  return uint32_t(a < 256 ? a : 256);
}

/// The alignment of every matrix of a strided batch: the base's, and the
/// stride's in bytes.
uint32_t batchAlignment(CUdeviceptr p, int64_t strideElements,
                        int64_t elementBytes) {
  uint32_t a = alignmentOf(p);
  if (strideElements) {
    uint32_t s = alignmentOf(CUdeviceptr(strideElements * elementBytes));
    a = a < s ? a : s;
  }
  return a;
}

} // namespace

/// A cuBLASLt failure as a status naming the call.
static Status ltFailure(const CublasLtApi &api, int st, const char *what) {
  return Status::error(std::string(what) + ": " +
                       (api.cublasLtGetStatusString
                            ? api.cublasLtGetStatusString(st)
                            : "status " + std::to_string(st)));
}

Expected<LibraryKernels::LtPlan *>
LibraryKernels::ltPlan(const int64_t *d, CUdeviceptr a, CUdeviceptr b,
                       CUdeviceptr bias, CUdeviceptr c) {
  const CublasLtApi &api = *cublasLt_;
  auto fail = [&](int st, const char *what) {
    return ltFailure(api, st, what);
  };
  // Plans are keyed by the descriptor, the bias's presence and the
  // operands' alignments (the heuristic picks kernels for an alignment).
  // The bias pointer itself is set per call (matmulEpilogue).
  int64_t elementBytes = d[abi::kMmDType] == abi::kF32 ? 4 : 2;
  uint32_t alignA = batchAlignment(a, d[abi::kMmStrideA], elementBytes),
           alignB = batchAlignment(b, d[abi::kMmStrideB], elementBytes),
           alignC = batchAlignment(c, d[abi::kMmStrideC], elementBytes);
  // (The heuristic reads the bias pointer's alignment too.)
  std::vector<int64_t> key(d, d + abi::kMmFields);
  key.insert(key.end(), {bias != 0, alignA, alignB, alignC,
                         bias ? alignmentOf(bias) : 0});
  std::unique_ptr<LtPlan> &slot = ltPlans_[key];
  if (slot)
    return slot.get();
  auto plan = std::make_unique<LtPlan>();
  plan->api = &api;
  // As in matmul(): row-major C = op(A) op(B) is column-major
  // C^T = op(B)^T op(A)^T, so cuBLASLt's A is our B and its B our A. Its
  // layouts describe each matrix as stored (before op).
  int64_t m = d[abi::kMmM], n = d[abi::kMmN], k = d[abi::kMmK];
  bool ta = d[abi::kMmTransA], tb = d[abi::kMmTransB];
  int type = d[abi::kMmDType] == abi::kF16    ? kCudaR16F
             : d[abi::kMmDType] == abi::kBF16 ? kCudaR16BF
                                              : kCudaR32F;
  int compute = d[abi::kMmDType] == abi::kF32 && d[abi::kMmAllowTf32]
                    ? kCublasCompute32FFastTf32
                    : kCublasCompute32F;
  int32_t batch = int32_t(d[abi::kMmBatch]);
  auto layout = [&](void *&l, int64_t rows, int64_t cols,
                    int64_t stride) -> Status {
    if (int st = api.cublasLtMatrixLayoutCreate(&l, type, uint64_t(rows),
                                                uint64_t(cols), rows))
      return fail(st, "cublasLtMatrixLayoutCreate");
    if (batch == 1)
      return Status::ok();
    if (int st = api.cublasLtMatrixLayoutSetAttribute(
            l, kLtLayoutBatchCount, &batch, sizeof batch))
      return fail(st, "cublasLtMatrixLayoutSetAttribute (batch count)");
    if (int st = api.cublasLtMatrixLayoutSetAttribute(
            l, kLtLayoutStridedBatchOffset, &stride, sizeof stride))
      return fail(st, "cublasLtMatrixLayoutSetAttribute (batch stride)");
    return Status::ok();
  };
  if (Status s = layout(plan->a, tb ? k : n, tb ? n : k, d[abi::kMmStrideB]);
      !s)
    return s;
  if (Status s = layout(plan->b, ta ? m : k, ta ? k : m, d[abi::kMmStrideA]);
      !s)
    return s;
  if (Status s = layout(plan->c, n, m, d[abi::kMmStrideC]); !s)
    return s;
  if (int st = api.cublasLtMatmulDescCreate(&plan->op, compute, kCudaR32F))
    return fail(st, "cublasLtMatmulDescCreate");
  int32_t opA = tb ? kCublasOpT : kCublasOpN, opB = ta ? kCublasOpT : kCublasOpN;
  uint32_t act = d[abi::kMmActivation] == abi::kActRelu       ? kLtEpilogueRelu
                 : d[abi::kMmActivation] == abi::kActGeluTanh ? kLtEpilogueGelu
                                                             : 0;
  uint32_t epilogue = (bias ? kLtEpilogueBias : 0) | act;
  if (!epilogue)
    epilogue = kLtEpilogueDefault;
  void *biasPtr = reinterpret_cast<void *>(bias);
  for (auto [attr, buf, bytes] :
       {std::make_tuple(kLtDescTransA, (const void *)&opA, sizeof opA),
        std::make_tuple(kLtDescTransB, (const void *)&opB, sizeof opB),
        std::make_tuple(kLtDescEpilogue, (const void *)&epilogue,
                        sizeof epilogue),
        std::make_tuple(kLtDescBiasPointer, (const void *)&biasPtr,
                        sizeof biasPtr)})
    if (int st = api.cublasLtMatmulDescSetAttribute(plan->op, attr, buf,
                                                    bytes))
      return fail(st, "cublasLtMatmulDescSetAttribute");
  void *pref = nullptr;
  if (int st = api.cublasLtMatmulPreferenceCreate(&pref))
    return fail(st, "cublasLtMatmulPreferenceCreate");
  uint64_t maxWorkspace = kLtMaxWorkspaceBytes;
  // cuBLASLt's A is our B and its B our A (see above).
  uint32_t aligned[4] = {alignB, alignA, alignC, alignC};
  int st = api.cublasLtMatmulPreferenceSetAttribute(
      pref, kLtPrefMaxWorkspaceBytes, &maxWorkspace, sizeof maxWorkspace);
  const int alignAttrs[4] = {kLtPrefMinAlignmentA, kLtPrefMinAlignmentB,
                             kLtPrefMinAlignmentC, kLtPrefMinAlignmentD};
  for (int i = 0; i < 4 && !st; ++i)
    st = api.cublasLtMatmulPreferenceSetAttribute(pref, alignAttrs[i],
                                                  &aligned[i],
                                                  sizeof aligned[i]);
  CublasLtHeuristic found{};
  int returned = 0;
  if (!st)
    st = api.cublasLtMatmulAlgoGetHeuristic(cublasLtHandle_, plan->op,
                                            plan->a, plan->b, plan->c,
                                            plan->c, pref, 1, &found,
                                            &returned);
  api.cublasLtMatmulPreferenceDestroy(pref);
  if (st)
    return fail(st, "cublasLtMatmulAlgoGetHeuristic");
  if (returned < 1 || found.state != 0)
    return Status::error(
        "cuBLASLt has no algorithm for a " + std::to_string(m) + "x" +
        std::to_string(n) + "x" + std::to_string(k) +
        " product with this epilogue (batch " + std::to_string(batch) + ")");
  std::memcpy(plan->algo, found.algo, sizeof plan->algo);
  plan->workspaceBytes = found.workspaceSize;
  slot = std::move(plan);
  return slot.get();
}

Status LibraryKernels::matmulEpilogue(const int64_t *d, CUdeviceptr a,
                                      CUdeviceptr b, CUdeviceptr bias,
                                      CUdeviceptr c) {
  if (Status s = ensureCublasLt(); !s)
    return s;
  const CublasLtApi &api = *cublasLt_;
  auto fail = [&](int st, const char *what) {
    return ltFailure(api, st, what);
  };
  Expected<LtPlan *> found = ltPlan(d, a, b, bias, c);
  if (!found)
    return found.status();
  LtPlan &plan = **found;
  if (Status s = ensureWorkspace(plan.workspaceBytes); !s)
    return s;
  // The bias differs between calls of the same shape: set per call (the
  // descriptor is read when the call is enqueued).
  void *biasPtr = reinterpret_cast<void *>(bias);
  if (int st = api.cublasLtMatmulDescSetAttribute(
          plan.op, kLtDescBiasPointer, &biasPtr, sizeof biasPtr))
    return fail(st, "cublasLtMatmulDescSetAttribute (bias)");
  double alpha64;
  std::memcpy(&alpha64, &d[abi::kMmAlphaBits], sizeof alpha64);
  float alpha = float(alpha64), beta = d[abi::kMmAccumulate] ? 1.0f : 0.0f;
  void *cp = reinterpret_cast<void *>(c);
  if (int st = api.cublasLtMatmul(
          cublasLtHandle_, plan.op, &alpha, reinterpret_cast<void *>(b),
          plan.a, reinterpret_cast<void *>(a), plan.b, &beta, cp, plan.c, cp,
          plan.c, plan.algo, reinterpret_cast<void *>(workspace_),
          plan.workspaceBytes, stream_))
    return fail(st, "cublasLtMatmul");
  return Status::ok();
}

} // namespace kiln::cuda
