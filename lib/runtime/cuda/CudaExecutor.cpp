//===- CudaExecutor.cpp - one loaded CUDA artifact ------------------------===//
#include "lib/runtime/cuda/CudaExecutor.h"
#include "lib/runtime/Descriptors.h"
#include "lib/runtime/cpu/CpuLibraries.h"
#include "lib/runtime/cuda/CudaAbi.h"
#include "lib/runtime/cuda/CudaDriver.h"
#include "lib/runtime/cuda/CudaLibraries.h"
#include "lib/runtime/cuda/DeviceArena.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

namespace kiln::cuda {

namespace abi = kiln::cuda_abi;

namespace {

/// Runs of every CUDA session are serialised: the artifact's function table
/// is one global per loaded library, shared by sessions of the same file.
std::mutex &runMutex() {
  static std::mutex m;
  return m;
}

std::vector<std::vector<int64_t>>
inputShapes(const std::vector<Tensor> &inputs) {
  std::vector<std::vector<int64_t>> shapes;
  for (const Tensor &t : inputs)
    shapes.push_back(t.shape());
  return shapes;
}

/// Whether `inputs` have `shapes`, without building a copy (every run asks).
bool haveShapes(const std::vector<Tensor> &inputs,
                const std::vector<std::vector<int64_t>> &shapes) {
  return std::equal(inputs.begin(), inputs.end(), shapes.begin(), shapes.end(),
                    [](const Tensor &t, const std::vector<int64_t> &shape) {
                      return t.shape() == shape;
                    });
}

std::vector<std::string> nameList(const char *list) {
  std::vector<std::string> names;
  if (!list)
    return names;
  while (*list) {
    names.emplace_back(list);
    list += names.back().size() + 1;
  }
  return names;
}

std::string mib(uint64_t bytes) {
  char text[64];
  std::snprintf(text, sizeof text, "%.1f MiB", double(bytes) / (1 << 20));
  return text;
}

} // namespace

struct CudaExecutor::Impl {
  const Driver *drv = nullptr;
  CUdevice device = 0;
  CUcontext context = nullptr;
  bool retained = false;
  CUstream stream = nullptr;
  CUevent start = nullptr, end = nullptr;
  CUmodule module = nullptr;
  std::vector<CUfunction> kernels;
  std::vector<std::string> kernelNames, checks;
  CUdeviceptr checkFlag = 0;
  CUdeviceptr params = 0;
  std::vector<std::vector<int64_t>> paramDescriptors;
  void **table = nullptr;
  std::unique_ptr<LibraryKernels> libraries;

  // Device memory of a run (see DeviceArena.h).
  ArenaPlanner planner;
  CUdeviceptr arena = 0;
  uint64_t arenaBytes = 0;
  std::unordered_map<CUdeviceptr, uint64_t> offsets; ///< live buffer -> offset
  std::unordered_map<uint64_t, CUdeviceptr> overflow; ///< offset -> own alloc
  std::vector<CUdeviceptr> overflowToFree;
  /// The CPU fallback's host buffers still held (freed at the latest when
  /// the run ends, also after a failed run-time check).
  std::unordered_set<void *> hostBuffers;

  /// CUDA graphs (on unless KILN_CUDA_GRAPH=0): at the start of the
  /// second run at some input shapes, the model's work for them is
  /// captured once into a CUDA graph (nothing runs while capturing), and
  /// that run and later ones at those shapes whose inputs land at the
  /// captured addresses launch the graph instead of calling the artifact:
  /// one launch instead of one per kernel and library call. The artifact's
  /// host code always enqueues the same work at the same addresses for the
  /// same shapes once the arena has its size (the arena planner is
  /// deterministic), unless it touches host memory (the CPU fallback,
  /// which synchronises and decides on data): then, or if any capture step
  /// fails, runs stay as they are. A dynamic artifact keeps one graph per
  /// shape, the kMaxGraphs most recently used, so runs alternating between
  /// shapes replay too; when the arena grows (it moves), every graph goes.
  struct CapturedRun {
    CUgraphExec exec = nullptr;
    std::vector<CUdeviceptr> inputs; ///< where the captured run read them
    /// Their shapes: a dynamic artifact enqueues other work for others,
    /// whose buffers may well land at the same addresses.
    std::vector<std::vector<int64_t>> shapes;
    std::vector<int64_t> results; ///< its output descriptors
  };
  static constexpr size_t kMaxGraphs = 4;
  struct Graphs {
    bool wanted = true, failed = false;
    /// KILN_CUDA_GRAPH=1: the user asked, so say why there is no graph.
    bool explain = false;
    /// Most recently used first.
    std::vector<CapturedRun> runs;
    /// Input shapes of earlier successful runs (the latest kMaxSeen): a
    /// run at one of them has the arena it needs, and is captured.
    std::vector<std::vector<std::vector<int64_t>>> seen;
  } graph;
  static constexpr size_t kMaxSeen = 16;
  /// KILN_CUDA_PROFILE_RUN=N: the N-th run (from 1) is bracketed with
  /// cuProfilerStart/Stop, so that a profiler started with collection off
  /// (`ncu --profile-from-start off`) sees one steady-state run: not the
  /// first run's cuDNN algorithm search and plan set-up.
  int profileRun = 0, runs = 0;
  /// Set by the host-fallback functions: this run used host memory.
  bool touchedHost = false;
  /// The graph captured for `inputs`' shapes (moved to the front), or null.
  CapturedRun *graphFor(const std::vector<Tensor> &inputs, size_t words) {
    for (size_t i = 0; i < graph.runs.size(); ++i)
      if (haveShapes(inputs, graph.runs[i].shapes) &&
          graph.runs[i].results.size() == words) {
        std::rotate(graph.runs.begin(), graph.runs.begin() + i,
                    graph.runs.begin() + i + 1);
        return &graph.runs.front();
      }
    return nullptr;
  }
  bool seenShapes(const std::vector<Tensor> &inputs) const {
    return std::any_of(graph.seen.begin(), graph.seen.end(),
                       [&](const auto &shapes) { return haveShapes(inputs, shapes); });
  }
  /// After a successful run: its shapes may be captured the next time.
  void rememberShapes(const std::vector<Tensor> &inputs) {
    if (!graph.wanted || seenShapes(inputs))
      return;
    if (graph.seen.size() == kMaxSeen)
      graph.seen.erase(graph.seen.begin());
    graph.seen.push_back(inputShapes(inputs));
  }
  void dropGraph(size_t i) {
    drv->cuGraphExecDestroy(graph.runs[i].exec);
    graph.runs.erase(graph.runs.begin() + i);
  }
  void dropGraphs() {
    while (!graph.runs.empty())
      dropGraph(graph.runs.size() - 1);
  }

  /// The run's first failure; later device calls do nothing.
  std::string error;
  std::string device_;

  ~Impl();
  Status check(CUresult r, const std::string &what) const {
    if (r == CUDA_SUCCESS)
      return Status::ok();
    return Status::error(what + ": " + drv->describe(r));
  }
  void fail(const std::string &message) {
    if (error.empty())
      error = message;
  }
  Status load(void *library, const runtime::ArtifactMetadata &metadata,
              const char *hostParams, size_t paramsBytes);
  /// The GPU's name and arch ("sm_90").
  void describeDevice(std::string &name, std::string &arch) const;
  Status loadModule(const char *arch, const unsigned char *cubin,
                    int64_t cubinSize, const char *ptx);

  CUdeviceptr alloc(uint64_t bytes);
  void release(CUdeviceptr p);
  void endRun();
  void capture(const std::vector<Tensor> &inputs, size_t words,
               const CallFn &call);

  /// A run's arguments: device buffers for the inputs (allocated in the
  /// order every run allocates them, so at the same addresses once the
  /// arena has its size; their data not copied), and the descriptors the
  /// artifact's entry takes, the parameters' after the inputs'.
  struct Arguments {
    std::vector<CUdeviceptr> inputAt;
    std::vector<std::vector<int64_t>> descriptors;
    std::vector<void *> pointers;
  };
  Arguments placeInputs(const std::vector<Tensor> &inputs);

  // The functions behind the artifact's table.
  static void *apiAlloc(void *ctx, int64_t bytes);
  static void apiFree(void *ctx, void *ptr);
  static void apiLaunch(void *ctx, int32_t kernel, int64_t gx, int64_t gy,
                        int64_t gz, int64_t bx, int64_t by, int64_t bz,
                        int32_t shared, void **params);
  static void apiConv2d(void *ctx, const int64_t *desc, void *x, void *w,
                        void *bias, void *y);
  static void apiMatmul(void *ctx, const int64_t *desc, void *a, void *b,
                        void *c);
  static void apiMatmulEpilogue(void *ctx, const int64_t *desc, void *a,
                                void *b, void *bias, void *c);
  static void apiConv2dResidual(void *ctx, const int64_t *desc, void *x,
                                void *w, void *bias, void *z, void *y);
  static void *apiHostAlloc(void *ctx, int64_t bytes);
  static void apiHostFree(void *ctx, void *host);
  static void apiCopyToHost(void *ctx, void *host, void *device, int64_t bytes);
  static void apiCopyToDevice(void *ctx, void *device, void *host,
                              int64_t bytes);
};

CudaExecutor::Impl::~Impl() {
  for (void *p : hostBuffers)
    std::free(p);
  if (!drv)
    return;
  if (context)
    drv->cuCtxSetCurrent(context);
  if (stream)
    drv->cuStreamSynchronize(stream);
  dropGraphs();
  libraries.reset();
  for (CUdeviceptr p : overflowToFree)
    drv->cuMemFree(p);
  for (auto &[offset, p] : overflow)
    drv->cuMemFree(p);
  if (arena)
    drv->cuMemFree(arena);
  if (params)
    drv->cuMemFree(params);
  if (module)
    drv->cuModuleUnload(module);
  if (start)
    drv->cuEventDestroy(start);
  if (end)
    drv->cuEventDestroy(end);
  if (stream)
    drv->cuStreamDestroy(stream);
  if (retained)
    drv->cuDevicePrimaryCtxRelease(device);
}

void CudaExecutor::Impl::describeDevice(std::string &name,
                                        std::string &arch) const {
  int major = 0, minor = 0;
  drv->cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                            device);
  drv->cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                            device);
  char text[256] = "";
  drv->cuDeviceGetName(text, sizeof text, device);
  name = text;
  arch = "sm_" + std::to_string(major * 10 + minor);
}

Status CudaExecutor::Impl::loadModule(const char *arch,
                                      const unsigned char *cubin,
                                      int64_t cubinSize, const char *ptx) {
  std::string name, deviceArch;
  describeDevice(name, deviceArch);
  std::string why;
  // The cubin where it was built for this GPU, else the PTX, compiled by
  // the driver (newer GPUs run older PTX).
  device_ = name + " (" + deviceArch;
  if (cubin && cubinSize > 0 && arch && deviceArch == arch) {
    CUresult r = drv->cuModuleLoadData(&module, cubin);
    if (r == CUDA_SUCCESS) {
      device_ += ", kernels from the cubin)";
      return Status::ok();
    }
    module = nullptr;
    why = "cubin: " + drv->describe(r) + "; ";
  }
  if (!ptx || !*ptx)
    return Status::error("the artifact has no PTX to load on " + name + " (" +
                         deviceArch + ")");
  std::vector<char> log(8192, 0);
  int options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void *values[] = {log.data(), reinterpret_cast<void *>(log.size() - 1)};
  CUresult r = drv->cuModuleLoadDataEx(&module, ptx, 2, options, values);
  if (r == CUDA_SUCCESS) {
    device_ += ", kernels JIT-compiled from the " + std::string(arch ? arch : "") +
               " PTX)";
    return Status::ok();
  }
  module = nullptr;
  return Status::error("cannot load the kernels (compiled for " +
                       std::string(arch ? arch : "?") + ") on " + name + " (" +
                       deviceArch + "): " + why + "PTX: " + drv->describe(r) +
                       (log[0] ? std::string("\n") + log.data() : ""));
}

Status CudaExecutor::Impl::load(void *library,
                                const runtime::ArtifactMetadata &metadata,
                                const char *hostParams, size_t paramsBytes) {
  auto symbol = [&](const char *name) { return dlsym(library, name); };
  table = static_cast<void **>(symbol(abi::kApiSymbol));
  auto *ptx = static_cast<const char *>(symbol(abi::kPtxSymbol));
  auto *cubin = static_cast<const unsigned char *>(symbol(abi::kCubinSymbol));
  auto *cubinSize = static_cast<const int64_t *>(symbol(abi::kCubinSizeSymbol));
  auto *arch = static_cast<const char *>(symbol(abi::kArchSymbol));
  auto *kernelList = static_cast<const char *>(symbol(abi::kKernelsSymbol));
  auto *checkList = static_cast<const char *>(symbol(abi::kChecksSymbol));
  if (!table || !ptx || !kernelList)
    return Status::error(std::string("not a CUDA artifact (missing ") +
                         abi::kApiSymbol + ", " + abi::kPtxSymbol + " or " +
                         abi::kKernelsSymbol + ")");
  kernelNames = nameList(kernelList);
  checks = nameList(checkList);

  auto loaded = loadDriver();
  if (!loaded)
    return loaded.status();
  drv = *loaded;
  if (Status s = check(drv->cuDeviceGet(&device, 0), "cuDeviceGet"); !s)
    return s;
  if (Status s = check(drv->cuDevicePrimaryCtxRetain(&context, device),
                       "creating a context");
      !s)
    return s;
  retained = true;
  if (Status s = check(drv->cuCtxSetCurrent(context), "cuCtxSetCurrent"); !s)
    return s;
  if (Status s = check(drv->cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING),
                       "creating a stream");
      !s)
    return s;
  if (Status s = check(drv->cuEventCreate(&start, CU_EVENT_DEFAULT),
                       "creating an event");
      !s)
    return s;
  if (Status s = check(drv->cuEventCreate(&end, CU_EVENT_DEFAULT),
                       "creating an event");
      !s)
    return s;

  if (kernelNames.empty()) {
    // Every op runs in a library: no module to load.
    std::string name, deviceArch;
    describeDevice(name, deviceArch);
    device_ = name + " (" + deviceArch + ", no generated kernels)";
  } else {
    if (Status s = loadModule(arch, cubin, cubinSize ? *cubinSize : 0, ptx); !s)
      return s;
    for (const std::string &name : kernelNames) {
      CUfunction f = nullptr;
      if (Status s = check(drv->cuModuleGetFunction(&f, module, name.c_str()),
                           "kernel '" + name + "'");
          !s)
        return s;
      kernels.push_back(f);
    }
    size_t bytes = 0;
    if (drv->cuModuleGetGlobal(&checkFlag, &bytes, module,
                               abi::kCheckFlagGlobal) != CUDA_SUCCESS ||
        bytes != 4)
      checkFlag = 0;
  }

  // The weights, uploaded once.
  if (paramsBytes) {
    if (Status s = check(drv->cuMemAlloc(&params, paramsBytes),
                         "out of device memory allocating " +
                             std::to_string(paramsBytes) + " bytes (" +
                             mib(paramsBytes) + ") for the weights");
        !s)
      return s;
    if (Status s = check(drv->cuMemcpyHtoDAsync(params, hostParams,
                                                paramsBytes, stream),
                         "copying the weights to the device");
        !s)
      return s;
    if (Status s = check(drv->cuStreamSynchronize(stream),
                         "copying the weights to the device");
        !s)
      return s;
  }
  for (const runtime::ParamSpec &p : metadata.params) {
    paramDescriptors.emplace_back();
    runtime::appendDescriptor(paramDescriptors.back(),
                              int64_t(params + p.offset), p.tensor.shape);
  }
  std::string deviceName, deviceArch;
  describeDevice(deviceName, deviceArch);
  libraries = std::make_unique<LibraryKernels>(*drv, stream,
                                               deviceName + " " + deviceArch);
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Device memory
//===----------------------------------------------------------------------===//

CUdeviceptr CudaExecutor::Impl::alloc(uint64_t bytes) {
  uint64_t offset = planner.allocate(bytes);
  uint64_t size = planner.sizeAt(offset);
  CUdeviceptr p = 0;
  if (offset + size <= arenaBytes) {
    p = arena + offset;
  } else {
    // Beyond this run's arena: a buffer of its own until the arena grows.
    CUresult r = drv->cuMemAlloc(&p, size);
    if (r != CUDA_SUCCESS) {
      size_t freeBytes = 0, total = 0;
      drv->cuMemGetInfo(&freeBytes, &total);
      fail("out of device memory allocating " + std::to_string(bytes) +
           " bytes (" + mib(bytes) + "; " + mib(freeBytes) + " free of " +
           mib(total) + "): " + drv->describe(r));
      planner.release(offset);
      return 0;
    }
    overflow[offset] = p;
  }
  offsets[p] = offset;
  return p;
}

void CudaExecutor::Impl::release(CUdeviceptr p) {
  auto it = offsets.find(p);
  if (it == offsets.end()) {
    fail("internal error: the artifact freed device memory it did not "
         "allocate");
    return;
  }
  uint64_t offset = it->second;
  offsets.erase(it);
  planner.release(offset);
  auto own = overflow.find(offset);
  if (own != overflow.end()) {
    // Queued work may still use it: freed when the run has finished.
    overflowToFree.push_back(own->second);
    overflow.erase(own);
  }
}

/// After the stream has drained: every buffer of the run goes, and the
/// arena grows to what the run needed.
void CudaExecutor::Impl::endRun() {
  for (auto &[offset, p] : overflow)
    overflowToFree.push_back(p);
  overflow.clear();
  for (CUdeviceptr p : overflowToFree)
    drv->cuMemFree(p);
  overflowToFree.clear();
  for (void *p : hostBuffers)
    std::free(p);
  hostBuffers.clear();
  offsets.clear();
  planner.reset();
  uint64_t need = planner.highWater();
  if (need > arenaBytes) {
    CUdeviceptr bigger = 0;
    if (drv->cuMemAlloc(&bigger, need) == CUDA_SUCCESS) {
      // Graphs captured on the old arena would touch freed memory.
      dropGraphs();
      if (arena)
        drv->cuMemFree(arena);
      arena = bigger;
      arenaBytes = need;
    } // else: later runs keep allocating the excess separately
  }
}

//===----------------------------------------------------------------------===//
// The artifact's table
//===----------------------------------------------------------------------===//

void *CudaExecutor::Impl::apiAlloc(void *ctx, int64_t bytes) {
  auto *self = static_cast<Impl *>(ctx);
  if (!self->error.empty())
    return nullptr;
  return reinterpret_cast<void *>(self->alloc(uint64_t(std::max<int64_t>(bytes, 0))));
}

void CudaExecutor::Impl::apiFree(void *ctx, void *ptr) {
  auto *self = static_cast<Impl *>(ctx);
  if (!self->error.empty() || !ptr)
    return;
  self->release(reinterpret_cast<CUdeviceptr>(ptr));
}

void CudaExecutor::Impl::apiLaunch(void *ctx, int32_t kernel, int64_t gx,
                                   int64_t gy, int64_t gz, int64_t bx,
                                   int64_t by, int64_t bz, int32_t shared,
                                   void **params) {
  auto *self = static_cast<Impl *>(ctx);
  if (!self->error.empty())
    return;
  if (kernel < 0 || size_t(kernel) >= self->kernels.size()) {
    self->fail("internal error: kernel " + std::to_string(kernel) +
               " is not in the artifact");
    return;
  }
  if (gx <= 0 || gy <= 0 || gz <= 0)
    return; // nothing to compute (an empty tensor)
  const std::string &name = self->kernelNames[kernel];
  if (gx > 0x7fffffff || gy > 65535 || gz > 65535 || bx * by * bz > 1024) {
    self->fail("kernel '" + name + "': launch of " + std::to_string(gx) + "x" +
               std::to_string(gy) + "x" + std::to_string(gz) +
               " blocks is beyond the GPU's limits");
    return;
  }
  CUresult r = self->drv->cuLaunchKernel(
      self->kernels[kernel], unsigned(gx), unsigned(gy), unsigned(gz),
      unsigned(bx), unsigned(by), unsigned(bz), unsigned(shared),
      self->stream, params, nullptr);
  if (r != CUDA_SUCCESS)
    self->fail("launching kernel '" + name + "': " + self->drv->describe(r));
}

namespace {

CUdeviceptr dev(void *p) { return reinterpret_cast<CUdeviceptr>(p); }

} // namespace

/// A library wrapper's call for the artifact, unless the run has already
/// failed; its failure is the run's, prefixed with `what`.
template <typename Call>
static void callLibrary(void *ctx, const char *what, Call call) {
  auto *self = static_cast<CudaExecutor::Impl *>(ctx);
  if (!self->error.empty())
    return;
  if (Status s = call(*self->libraries); !s)
    self->fail(std::string(what) + ": " + s.message());
}

void CudaExecutor::Impl::apiConv2d(void *ctx, const int64_t *desc, void *x,
                                   void *w, void *bias, void *y) {
  callLibrary(ctx, "convolution (cuDNN)", [&](LibraryKernels &l) {
    return l.conv2d(desc, dev(x), dev(w), dev(bias), /*z=*/0, dev(y));
  });
}

void CudaExecutor::Impl::apiConv2dResidual(void *ctx, const int64_t *desc,
                                           void *x, void *w, void *bias,
                                           void *z, void *y) {
  callLibrary(ctx, "convolution with a residual (cuDNN)",
              [&](LibraryKernels &l) {
                return l.conv2d(desc, dev(x), dev(w), dev(bias), dev(z),
                                dev(y));
              });
}

void CudaExecutor::Impl::apiMatmul(void *ctx, const int64_t *desc, void *a,
                                   void *b, void *c) {
  callLibrary(ctx, "matrix product (cuBLAS)", [&](LibraryKernels &l) {
    return l.matmul(desc, dev(a), dev(b), dev(c));
  });
}

void CudaExecutor::Impl::apiMatmulEpilogue(void *ctx, const int64_t *desc,
                                           void *a, void *b, void *bias,
                                           void *c) {
  callLibrary(ctx, "matrix product with epilogue (cuBLASLt)",
              [&](LibraryKernels &l) {
                return l.matmulEpilogue(desc, dev(a), dev(b), dev(bias),
                                        dev(c));
              });
}

/// Plain (pageable) host memory: only host code touches it, and a copy
/// from it to the device has taken its data when cuMemcpyHtoDAsync
/// returns, so it can be freed right after. Zeroed, so that after a failed
/// device call (which turns later copies into no-ops) the host code reads
/// zeros (empty sizes, false conditions), not garbage. Never null: the
/// generated host code uses it at once, so without memory the run ends
/// here (the session's trap; the run's other buffers go in endRun).
void *CudaExecutor::Impl::apiHostAlloc(void *ctx, int64_t bytes) {
  auto *self = static_cast<Impl *>(ctx);
  self->touchedHost = true;
  size_t n = size_t(std::max<int64_t>(bytes, 1));
  void *p = std::calloc(n, 1);
  if (!p) {
    // Outlives the jump out of this frame, which skips destructors.
    static thread_local std::string message;
    message = "out of host memory allocating " + std::to_string(n) + " bytes (" +
              mib(n) + ") for a host copy of a device buffer (CPU fallback)";
    cpu::failRun(message.c_str());
  }
  self->hostBuffers.insert(p);
  return p;
}

void CudaExecutor::Impl::apiHostFree(void *ctx, void *host) {
  auto *self = static_cast<Impl *>(ctx);
  if (self->hostBuffers.erase(host))
    std::free(host);
  else
    self->fail("internal error: the artifact freed host memory it did not "
               "allocate");
}

void CudaExecutor::Impl::apiCopyToHost(void *ctx, void *host, void *device,
                                       int64_t bytes) {
  auto *self = static_cast<Impl *>(ctx);
  self->touchedHost = true;
  if (!self->error.empty() || bytes <= 0)
    return;
  const Driver &drv = *self->drv;
  CUresult r = drv.cuMemcpyDtoHAsync(host, reinterpret_cast<CUdeviceptr>(device),
                                     size_t(bytes), self->stream);
  if (r == CUDA_SUCCESS)
    r = drv.cuStreamSynchronize(self->stream);
  if (r != CUDA_SUCCESS)
    self->fail("copying " + std::to_string(bytes) +
               " bytes to the host for the CPU fallback: " + drv.describe(r));
}

void CudaExecutor::Impl::apiCopyToDevice(void *ctx, void *device, void *host,
                                         int64_t bytes) {
  auto *self = static_cast<Impl *>(ctx);
  self->touchedHost = true;
  if (!self->error.empty() || bytes <= 0)
    return;
  CUresult r = self->drv->cuMemcpyHtoDAsync(
      reinterpret_cast<CUdeviceptr>(device), host, size_t(bytes), self->stream);
  if (r != CUDA_SUCCESS)
    self->fail("copying " + std::to_string(bytes) +
               " bytes to the device after the CPU fallback: " +
               self->drv->describe(r));
}

//===----------------------------------------------------------------------===//
// CUDA graph
//===----------------------------------------------------------------------===//

/// Records what the artifact enqueues for `inputs` into a graph, without
/// running it: the inputs' buffers are allocated as a run allocates them
/// (their data is copied in before each launch of the graph), the
/// artifact's host code runs with the stream capturing, and the buffers
/// are released as at the end of a run. Any failure, a buffer outside the
/// arena, or host memory touched leaves no graph and runs as they are.
void CudaExecutor::Impl::capture(const std::vector<Tensor> &inputs,
                                 size_t words, const CallFn &call) {
  graph.failed = true; // until it has succeeded
  // Where the user asked for graphs, say once why there is none.
  auto giveUp = [this](const std::string &why) {
    if (graph.explain)
      std::fprintf(stderr, "kiln: KILN_CUDA_GRAPH: no graph (%s); runs call "
                           "the artifact\n", why.c_str());
  };
  // The last run's host code read device data: it decides on data.
  if (touchedHost)
    return giveUp("the run reads device data on the host");
  if (!drv->cuStreamBeginCapture || !drv->cuStreamEndCapture ||
      !drv->cuGraphInstantiateWithFlags || !drv->cuGraphLaunch ||
      !drv->cuGraphExecDestroy || !drv->cuGraphDestroy)
    return giveUp("the driver has no graph API");
  Arguments args = placeInputs(inputs);
  std::vector<int64_t> results(words, 0);
  CUgraph captured = nullptr;
  CUgraphExec exec = nullptr;
  std::string why;
  if (!error.empty() || !overflow.empty()) {
    why = error.empty() ? "a buffer outside the arena" : error;
  } else if (CUresult r = drv->cuStreamBeginCapture(
                 stream, CU_STREAM_CAPTURE_MODE_RELAXED)) {
    why = "cuStreamBeginCapture: " + drv->describe(r);
  } else {
    bool called = call(args.pointers.data(), results.data());
    CUresult re = drv->cuStreamEndCapture(stream, &captured);
    if (!called || !error.empty())
      why = "capturing the run: " + (error.empty() ? "a host check failed" : error);
    else if (re != CUDA_SUCCESS || !captured)
      why = "cuStreamEndCapture: " + drv->describe(re);
    else if (touchedHost)
      why = "the run reads device data on the host";
    else if (!overflow.empty())
      why = "a buffer outside the arena";
    else if (CUresult ri = drv->cuGraphInstantiateWithFlags(&exec, captured, 0))
      why = "cuGraphInstantiate: " + drv->describe(ri);
  }
  if (captured)
    drv->cuGraphDestroy(captured);
  error.clear();
  endRun();
  if (!why.empty()) {
    if (exec)
      drv->cuGraphExecDestroy(exec);
    return giveUp(why);
  }
  graph.failed = false;
  if (graph.runs.size() == kMaxGraphs)
    dropGraph(graph.runs.size() - 1); // the least recently used
  CapturedRun run;
  run.exec = exec;
  run.inputs = std::move(args.inputAt);
  run.shapes = inputShapes(inputs);
  run.results = std::move(results);
  graph.runs.insert(graph.runs.begin(), std::move(run));
}

CudaExecutor::Impl::Arguments
CudaExecutor::Impl::placeInputs(const std::vector<Tensor> &inputs) {
  Arguments a;
  for (const Tensor &t : inputs) {
    a.inputAt.push_back(alloc(t.byteSize()));
    a.descriptors.emplace_back();
    runtime::appendDescriptor(a.descriptors.back(), int64_t(a.inputAt.back()),
                              t.shape());
  }
  for (auto &d : a.descriptors)
    a.pointers.push_back(d.data());
  for (auto &d : paramDescriptors)
    a.pointers.push_back(d.data());
  return a;
}

//===----------------------------------------------------------------------===//
// CudaExecutor
//===----------------------------------------------------------------------===//

CudaExecutor::CudaExecutor(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}
CudaExecutor::~CudaExecutor() = default;

const std::string &CudaExecutor::device() const { return impl_->device_; }

Expected<std::unique_ptr<CudaExecutor>>
CudaExecutor::open(void *library, const std::string &path,
                   const runtime::ArtifactMetadata &metadata,
                   const char *params, size_t paramsBytes) {
  auto impl = std::make_unique<Impl>();
  const char *graphs = std::getenv("KILN_CUDA_GRAPH");
  impl->graph.wanted = !graphs || std::string(graphs) != "0";
  impl->graph.explain = graphs && std::string(graphs) == "1";
  if (const char *profile = std::getenv("KILN_CUDA_PROFILE_RUN"))
    impl->profileRun = std::atoi(profile);
  if (Status s = impl->load(library, metadata, params, paramsBytes); !s)
    return Status::error(path + ": cannot run this CUDA artifact: " +
                         s.message());
  return std::unique_ptr<CudaExecutor>(new CudaExecutor(std::move(impl)));
}

namespace {

/// Copies one output (any strides) from the device into a new tensor.
Status copyOut(const Driver &drv, CUstream stream, DType dtype,
               const runtime::DescriptorView &v, Tensor &out) {
  Expected<Tensor> allocated = Tensor::tryAllocate(dtype, v.shape);
  if (!allocated)
    return allocated.status();
  out = std::move(*allocated);
  int64_t n = out.numElements();
  if (n == 0)
    return Status::ok();
  size_t elem = dtypeSize(dtype);
  CUdeviceptr base = CUdeviceptr(v.aligned) + v.offset * int64_t(elem);
  // The span the view touches (strides may be 0 or, after a transpose,
  // out of order; they are never negative in Kiln's lowering).
  int64_t last = 0;
  bool contiguous = true;
  int64_t expect = 1;
  for (size_t i = v.shape.size(); i-- > 0;) {
    last += (v.shape[i] - 1) * v.strides[i];
    if (v.shape[i] != 1 && v.strides[i] != expect)
      contiguous = false;
    expect *= v.shape[i];
  }
  if (contiguous)
    return drv.cuMemcpyDtoHAsync(out.data(), base, size_t(n) * elem, stream) ==
                   CUDA_SUCCESS
               ? Status::ok()
               : Status::error("copying an output from the device failed");
  std::vector<char> span(size_t(last + 1) * elem);
  if (drv.cuMemcpyDtoHAsync(span.data(), base, span.size(), stream) !=
          CUDA_SUCCESS ||
      drv.cuStreamSynchronize(stream) != CUDA_SUCCESS)
    return Status::error("copying an output from the device failed");
  std::vector<int64_t> idx(v.shape.size(), 0);
  for (int64_t k = 0; k < n; ++k) {
    int64_t off = 0;
    for (size_t i = 0; i < idx.size(); ++i)
      off += idx[i] * v.strides[i];
    std::memcpy(out.data<char>() + k * elem, span.data() + off * elem, elem);
    for (size_t i = idx.size(); i-- > 0;) {
      if (++idx[i] < v.shape[i])
        break;
      idx[i] = 0;
    }
  }
  return Status::ok();
}

} // namespace

Expected<std::vector<Tensor>>
CudaExecutor::run(const std::vector<Tensor> &inputs,
                  const std::vector<TensorInfo> &outputs, const CallFn &call,
                  const TrapMessageFn &trapMessage, double *deviceMs) {
  std::lock_guard<std::mutex> lock(runMutex());
  Impl &m = *impl_;
  const Driver &drv = *m.drv;
  m.error.clear();
  if (Status s = m.check(drv.cuCtxSetCurrent(m.context), "cuCtxSetCurrent"); !s)
    return s;
  m.table[abi::kSlotContext] = &m;
  m.table[abi::kSlotAlloc] = reinterpret_cast<void *>(&Impl::apiAlloc);
  m.table[abi::kSlotFree] = reinterpret_cast<void *>(&Impl::apiFree);
  m.table[abi::kSlotLaunch] = reinterpret_cast<void *>(&Impl::apiLaunch);
  m.table[abi::kSlotConv2d] = reinterpret_cast<void *>(&Impl::apiConv2d);
  m.table[abi::kSlotMatmul] = reinterpret_cast<void *>(&Impl::apiMatmul);
  m.table[abi::kSlotHostAlloc] = reinterpret_cast<void *>(&Impl::apiHostAlloc);
  m.table[abi::kSlotHostFree] = reinterpret_cast<void *>(&Impl::apiHostFree);
  m.table[abi::kSlotCopyToHost] =
      reinterpret_cast<void *>(&Impl::apiCopyToHost);
  m.table[abi::kSlotCopyToDevice] =
      reinterpret_cast<void *>(&Impl::apiCopyToDevice);
  m.table[abi::kSlotMatmulEpilogue] =
      reinterpret_cast<void *>(&Impl::apiMatmulEpilogue);
  m.table[abi::kSlotConv2dResidual] =
      reinterpret_cast<void *>(&Impl::apiConv2dResidual);

  size_t words = 0;
  for (const TensorInfo &o : outputs)
    words += 3 + 2 * o.shape.size();
  // The second run at these shapes captures the work (a single run pays
  // nothing for graphs), then launches it as every later one does.
  Impl::CapturedRun *graph = m.graphFor(inputs, words);
  if (!graph && m.graph.wanted && !m.graph.failed && m.seenShapes(inputs)) {
    m.capture(inputs, words, call);
    graph = m.graphFor(inputs, words);
  }

  bool profiled = ++m.runs == m.profileRun && drv.cuProfilerStart &&
                  drv.cuProfilerStop;
  if (profiled)
    drv.cuProfilerStart();
  // Every exit drains the stream and releases the run's buffers.
  auto finish = [&](Status s) -> Status {
    CUresult r = drv.cuStreamSynchronize(m.stream);
    if (profiled)
      drv.cuProfilerStop();
    m.endRun();
    if (s && r != CUDA_SUCCESS)
      return m.check(r, "running the model on the GPU");
    return s;
  };

  // Inputs in, once.
  m.touchedHost = false;
  Impl::Arguments args = m.placeInputs(inputs);
  if (!m.error.empty())
    return finish(Status::error(m.error));
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].byteSize())
      if (Status s = m.check(drv.cuMemcpyHtoDAsync(args.inputAt[i],
                                                   inputs[i].data(),
                                                   inputs[i].byteSize(),
                                                   m.stream),
                             "copying an input to the device");
          !s)
        return finish(s);
  if (m.checkFlag)
    drv.cuMemsetD32Async(m.checkFlag, 0, 1, m.stream);
  std::vector<int64_t> results(words, 0);

  // The model: the artifact enqueues everything on the stream, or the
  // graph captured from it does.
  bool replay = graph && args.inputAt == graph->inputs;
  if (graph && !replay) {
    m.dropGraph(0); // its inputs moved: this run calls the artifact
    graph = nullptr;
  }
  drv.cuEventRecord(m.start, m.stream);
  if (replay) {
    if (Status s = m.check(drv.cuGraphLaunch(graph->exec, m.stream),
                           "launching the model's CUDA graph");
        !s)
      return finish(s);
    results = graph->results;
  } else if (!call(args.pointers.data(), results.data())) {
    return finish(Status::error("run failed: " + trapMessage()));
  }
  drv.cuEventRecord(m.end, m.stream);
  if (!m.error.empty())
    return finish(Status::error("run failed: " + m.error));

  // Outputs out, once.
  std::vector<Tensor> out(outputs.size());
  size_t at = 0;
  for (size_t i = 0; i < outputs.size(); ++i) {
    runtime::DescriptorView v =
        runtime::readDescriptor(results, at, outputs[i].shape.size());
    if (Status s = copyOut(drv, m.stream, outputs[i].dtype, v, out[i]); !s)
      return finish(s);
  }
  CUresult r = drv.cuStreamSynchronize(m.stream);
  if (r != CUDA_SUCCESS)
    return finish(m.check(r, "running the model on the GPU"));
  if (m.checkFlag) {
    int32_t flag = 0;
    drv.cuMemcpyDtoHAsync(&flag, m.checkFlag, 4, m.stream);
    drv.cuStreamSynchronize(m.stream);
    if (flag != 0)
      return finish(Status::error(
          "run failed: " + (flag > 0 && size_t(flag) <= m.checks.size()
                                ? m.checks[flag - 1]
                                : "run-time check " + std::to_string(flag) +
                                      " failed on the device")));
  }
  if (deviceMs) {
    float ms = 0;
    *deviceMs = drv.cuEventElapsedTime(&ms, m.start, m.end) == CUDA_SUCCESS
                    ? double(ms)
                    : -1.0;
  }
  if (Status s = finish(Status::ok()); !s)
    return s;
  m.rememberShapes(inputs);
  return out;
}

} // namespace kiln::cuda
