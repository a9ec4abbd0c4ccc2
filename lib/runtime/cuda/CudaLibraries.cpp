//===- CudaLibraries.cpp - cuDNN and cuBLAS behind the library ABI --------===//
//
// Declarations are Kiln's own, for the libraries' C ABI (cudnn*.h of cuDNN
// 9, cublas_api.h of cuBLAS 12/13); test/unit/CudaBindingsTest.cpp checks
// the constants and the perf struct layout against the headers where they
// are installed.
//
//===----------------------------------------------------------------------===//
#include "lib/runtime/cuda/CudaLibraries.h"
#include "lib/runtime/cuda/CudaAbi.h"

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

// cuDNN constants (cudnn_graph.h, cudnn_ops.h).
constexpr int kCudnnDataFloat = 0, kCudnnDataHalf = 2, kCudnnDataBFloat16 = 9;
constexpr int kCudnnTensorNchw = 0;
constexpr int kCudnnCrossCorrelation = 1;
constexpr int kCudnnDefaultMath = 0, kCudnnTensorOpMath = 1,
              kCudnnTensorOpMathAllowConversion = 2, kCudnnFmaMath = 3;
constexpr int kCudnnActivationRelu = 1;
constexpr int kCudnnNotPropagateNan = 0;
constexpr int kCudnnAlgoCount = 8;
// cuBLAS constants (cublas_api.h, library_types.h).
constexpr int kCudaR32F = 0, kCudaR16F = 2, kCudaR16BF = 14;
constexpr int kCublasOpN = 0, kCublasOpT = 1;
constexpr int kCublasCompute32F = 68, kCublasCompute32FFastTf32 = 77;
constexpr int kCublasGemmDefault = -1;

template <typename F>
static bool bind(void *library, F &fn, const char *name) {
  fn = reinterpret_cast<F>(findSymbol(library, {name}));
  return fn != nullptr;
}

#define KILN_BIND(api, lib, name, missing)                                     \
  if (!bind(lib, api.name, #name))                                             \
    missing += std::string(missing.empty() ? "" : ", ") + #name;

static Expected<const CudnnApi *> loadCudnn() {
  static std::once_flag once;
  static Expected<const CudnnApi *> result = Status::error("");
  std::call_once(once, [] {
    static CudnnApi api;
    std::string error, missing;
    void *lib = openLibrary({"libcudnn.so.9", "libcudnn.so"}, error);
    if (!lib) {
      result = Status::error("cuDNN 9 not found (" + error + ")");
      return;
    }
    KILN_BIND(api, lib, cudnnGetVersion, missing)
    KILN_BIND(api, lib, cudnnGetErrorString, missing)
    KILN_BIND(api, lib, cudnnCreate, missing)
    KILN_BIND(api, lib, cudnnDestroy, missing)
    KILN_BIND(api, lib, cudnnSetStream, missing)
    KILN_BIND(api, lib, cudnnCreateTensorDescriptor, missing)
    KILN_BIND(api, lib, cudnnDestroyTensorDescriptor, missing)
    KILN_BIND(api, lib, cudnnSetTensor4dDescriptor, missing)
    KILN_BIND(api, lib, cudnnCreateFilterDescriptor, missing)
    KILN_BIND(api, lib, cudnnDestroyFilterDescriptor, missing)
    KILN_BIND(api, lib, cudnnSetFilter4dDescriptor, missing)
    KILN_BIND(api, lib, cudnnCreateConvolutionDescriptor, missing)
    KILN_BIND(api, lib, cudnnDestroyConvolutionDescriptor, missing)
    KILN_BIND(api, lib, cudnnSetConvolution2dDescriptor, missing)
    KILN_BIND(api, lib, cudnnSetConvolutionGroupCount, missing)
    KILN_BIND(api, lib, cudnnSetConvolutionMathType, missing)
    KILN_BIND(api, lib, cudnnGetConvolution2dForwardOutputDim, missing)
    KILN_BIND(api, lib, cudnnFindConvolutionForwardAlgorithm, missing)
    KILN_BIND(api, lib, cudnnGetConvolutionForwardWorkspaceSize, missing)
    KILN_BIND(api, lib, cudnnConvolutionForward, missing)
    KILN_BIND(api, lib, cudnnConvolutionBiasActivationForward, missing)
    KILN_BIND(api, lib, cudnnCreateActivationDescriptor, missing)
    KILN_BIND(api, lib, cudnnDestroyActivationDescriptor, missing)
    KILN_BIND(api, lib, cudnnSetActivationDescriptor, missing)
    KILN_BIND(api, lib, cudnnAddTensor, missing)
    KILN_BIND(api, lib, cudnnActivationForward, missing)
    if (!missing.empty()) {
      result = Status::error("cuDNN lacks " + missing);
      return;
    }
    if (api.cudnnGetVersion() / 10000 != 9) {
      result = Status::error("cuDNN " + std::to_string(api.cudnnGetVersion()) +
                             " found, Kiln needs cuDNN 9");
      return;
    }
    result = static_cast<const CudnnApi *>(&api);
  });
  return result;
}

static Expected<const CublasApi *> loadCublas() {
  static std::once_flag once;
  static Expected<const CublasApi *> result = Status::error("");
  std::call_once(once, [] {
    static CublasApi api;
    std::string error, missing;
    // KILN_CUBLAS_LIBRARY names another cuBLAS (the tests' fake one, which
    // records the types of each call).
    const char *custom = std::getenv("KILN_CUBLAS_LIBRARY");
    void *lib = custom && *custom
                    ? openLibrary({custom}, error)
                    : openLibrary({"libcublas.so.13", "libcublas.so.12",
                                   "libcublas.so"},
                                  error);
    if (!lib) {
      result = Status::error("cuBLAS not found (" + error + ")");
      return;
    }
    if (!bind(lib, api.cublasCreate, "cublasCreate_v2"))
      missing += "cublasCreate_v2";
    if (!bind(lib, api.cublasDestroy, "cublasDestroy_v2"))
      missing += " cublasDestroy_v2";
    if (!bind(lib, api.cublasSetStream, "cublasSetStream_v2"))
      missing += " cublasSetStream_v2";
    KILN_BIND(api, lib, cublasGemmStridedBatchedEx, missing)
    bind(lib, api.cublasGetStatusString, "cublasGetStatusString");
    if (!missing.empty()) {
      result = Status::error("cuBLAS lacks " + missing);
      return;
    }
    result = static_cast<const CublasApi *>(&api);
  });
  return result;
}

#undef KILN_BIND

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

LibraryKernels::LibraryKernels(const Driver &driver, CUstream stream)
    : driver_(driver), stream_(stream) {}

LibraryKernels::~LibraryKernels() {
  convPlans_.clear();
  if (cudnnHandle_)
    cudnn_->cudnnDestroy(cudnnHandle_);
  if (cublasHandle_)
    cublas_->cublasDestroy(cublasHandle_);
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
                         "-byte convolution workspace: " + driver_.describe(r));
  workspaceBytes_ = bytes;
  return Status::ok();
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

  // The fastest algorithm, measured once (cudnnFind runs each candidate).
  CudnnConvPerf results[kCudnnAlgoCount];
  int returned = 0;
  s = check(api.cudnnFindConvolutionForwardAlgorithm(
                cudnnHandle_, plan->x, plan->w, plan->conv, plan->y,
                kCudnnAlgoCount, &returned, results),
            "choosing an algorithm");
  if (!s)
    return s;
  const CudnnConvPerf *best = nullptr;
  for (int i = 0; i < returned && !best; ++i) {
    const CudnnConvPerf &r = results[i];
    bool tensorCores = r.mathType == kCudnnTensorOpMath ||
                       r.mathType == kCudnnTensorOpMathAllowConversion;
    if (r.status == 0 && !(strictFloat && tensorCores))
      best = &r;
  }
  if (!best)
    return Status::error("cuDNN has no algorithm for this convolution");
  plan->algo = best->algo;
  if (!strictFloat)
    api.cudnnSetConvolutionMathType(plan->conv, best->mathType);
  s = check(api.cudnnGetConvolutionForwardWorkspaceSize(
                cudnnHandle_, plan->x, plan->w, plan->conv, plan->y,
                plan->algo, &plan->workspaceBytes),
            "workspace size");
  if (!s)
    return s;
  plan->fused = true;
  ConvPlan *raw = plan.get();
  convPlans_.emplace(std::move(key), std::move(plan));
  (void)x;
  (void)w;
  (void)y;
  return raw;
}

Status LibraryKernels::conv2d(const int64_t *d, CUdeviceptr x, CUdeviceptr w,
                              CUdeviceptr bias, CUdeviceptr y) {
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
    // y = relu(conv(x) + 0 * y + bias) in one call.
    int st = api.cudnnConvolutionBiasActivationForward(
        cudnnHandle_, &one, plan.x, ptr(x), plan.w, ptr(w), plan.conv,
        plan.algo, ptr(workspace_), plan.workspaceBytes, &zero, plan.y,
        ptr(y), plan.bias, ptr(bias), plan.activation, plan.y, ptr(y));
    if (st == 0)
      return Status::ok();
    plan.fused = false; // not for this algorithm: three calls from now on
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

} // namespace kiln::cuda
