//===- FakeCudaDriver.cpp - a CUDA driver on host memory, for tests --------===//
//
// Loaded by the runtime through KILN_CUDA_DRIVER in place of libcuda.so.1,
// so that the CUDA executor's host side (module and kernel lookup, device
// memory, the arena, copies in and out, launches, events) runs on machines
// without a GPU. Device memory is host memory; kernels do not run (a launch
// checks its arguments and is counted). At exit, counts go to the file
// named by KILN_FAKE_CUDA_STATS (KILN_FAKE_CUDA_CHECK_FLAG=N makes every
// launch set the device check flag to N, KILN_FAKE_CUDA_CC=80 makes the
// GPU an sm_80, KILN_FAKE_CUDA_MEMORY=BYTES gives it that much memory, past
// which cuMemAlloc fails with CUDA_ERROR_OUT_OF_MEMORY; preloaded as well
// (LD_PRELOAD), KILN_FAKE_HOST_CALLOC_LIMIT=BYTES makes every calloc of
// that size or more fail, as a host out of memory would):
//   allocs N  frees N  live N  launches N  bad_launches N  bad_frees N
//   copies_to_host N  copies_to_device N  captures N  graph_launches N
//   graphs_live N  profiler_starts N  profiler_stops N
// Stream capture records launches into a graph instead of counting them
// (a graph's launch counts them then); synchronising or copying to the
// host while capturing fails, as on a GPU. A test in the same process
// reads the graph counts with kiln_fake_cuda_count("captures" |
// "graph_launches" | "graphs_live").
//
//===----------------------------------------------------------------------===//
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <map>

extern "C" void *__libc_calloc(size_t, size_t);

/// calloc, failing from KILN_FAKE_HOST_CALLOC_LIMIT bytes up when set.
/// (getenv allocates nothing, so the loader's own callocs are safe.)
extern "C" void *calloc(size_t count, size_t size) {
  if (const char *limit = std::getenv("KILN_FAKE_HOST_CALLOC_LIMIT"))
    if (size && count >= std::strtoull(limit, nullptr, 10) / size)
      return nullptr;
  return __libc_calloc(count, size);
}

namespace {

struct Stats {
  std::mutex mutex;
  std::map<uintptr_t, size_t> live; ///< pointer -> bytes
  size_t liveBytes = 0;
  long allocs = 0, frees = 0, launches = 0, badLaunches = 0, badFrees = 0;
  long toHost = 0, toDevice = 0;
  long captures = 0, graphLaunches = 0, graphsLive = 0;
  long profilerStarts = 0, profilerStops = 0;
  bool capturing = false;
  long captured = 0; ///< launches recorded by the capture under way
  int32_t checkFlag = 0;
  ~Stats() {
    const char *path = std::getenv("KILN_FAKE_CUDA_STATS");
    if (!path)
      return;
    if (FILE *f = std::fopen(path, "w")) {
      std::fprintf(f,
                   "allocs %ld\nfrees %ld\nlive %zu\nlaunches %ld\n"
                   "bad_launches %ld\nbad_frees %ld\ncopies_to_host %ld\n"
                   "copies_to_device %ld\ncaptures %ld\ngraph_launches %ld\n"
                   "graphs_live %ld\nprofiler_starts %ld\nprofiler_stops %ld\n",
                   allocs, frees, live.size(), launches, badLaunches, badFrees,
                   toHost, toDevice, captures, graphLaunches, graphsLive,
                   profilerStarts, profilerStops);
      std::fclose(f);
    }
  }
};

Stats &stats() {
  static Stats s;
  return s;
}

int token; // what handles point to

} // namespace

using CUresult = int;
using CUdeviceptr = unsigned long long;

extern "C" {

long kiln_fake_cuda_count(const char *name) {
  std::lock_guard<std::mutex> lock(stats().mutex);
  if (!std::strcmp(name, "captures"))
    return stats().captures;
  if (!std::strcmp(name, "graph_launches"))
    return stats().graphLaunches;
  if (!std::strcmp(name, "graphs_live"))
    return stats().graphsLive;
  return -1;
}

CUresult cuInit(unsigned) { return 0; }
CUresult cuDriverGetVersion(int *v) { *v = 13000; return 0; }
CUresult cuDeviceGetCount(int *n) { *n = 1; return 0; }
CUresult cuDeviceGet(int *d, int) { *d = 0; return 0; }
CUresult cuDeviceGetName(char *name, int length, int) {
  std::snprintf(name, size_t(length), "Fake GPU");
  return 0;
}
CUresult cuDeviceGetAttribute(int *value, int attribute, int) {
  // Compute capability 9.0, or KILN_FAKE_CUDA_CC (e.g. 80).
  const char *cc = std::getenv("KILN_FAKE_CUDA_CC");
  int v = cc ? std::atoi(cc) : 90;
  *value = attribute == 75 ? v / 10 : attribute == 76 ? v % 10 : 0;
  return 0;
}
CUresult cuDevicePrimaryCtxRetain(void **ctx, int) { *ctx = &token; return 0; }
CUresult cuDevicePrimaryCtxRelease_v2(int) { return 0; }
CUresult cuCtxSetCurrent(void *) { return 0; }
CUresult cuStreamCreate(void **s, unsigned) { *s = &token; return 0; }
CUresult cuStreamDestroy_v2(void *) { return 0; }
// CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED while capturing.
CUresult cuStreamSynchronize(void *) { return stats().capturing ? 900 : 0; }
CUresult cuModuleLoadData(void **m, const void *image) {
  *m = &token;
  return image ? 0 : 1;
}
CUresult cuModuleLoadDataEx(void **m, const void *image, unsigned, int *,
                            void **) {
  return cuModuleLoadData(m, image);
}
CUresult cuModuleUnload(void *) { return 0; }
CUresult cuModuleGetFunction(void **f, void *, const char *name) {
  *f = &token;
  return name && *name ? 0 : 500; // CUDA_ERROR_NOT_FOUND
}
CUresult cuModuleGetGlobal_v2(CUdeviceptr *p, size_t *bytes, void *,
                              const char *name) {
  if (std::strcmp(name, "kiln_cuda_check_flag") != 0)
    return 500;
  *p = CUdeviceptr(uintptr_t(&stats().checkFlag));
  *bytes = 4;
  return 0;
}
CUresult cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz,
                        unsigned bx, unsigned by, unsigned bz, unsigned,
                        void *, void **params, void **) {
  std::lock_guard<std::mutex> lock(stats().mutex);
  ++(stats().capturing ? stats().captured : stats().launches);
  if (f != &token || !gx || !gy || !gz || !bx || !by || !bz ||
      bx * by * bz > 1024 || !params)
    ++stats().badLaunches;
  // A failed device check, as a kernel would report it.
  if (const char *flag = std::getenv("KILN_FAKE_CUDA_CHECK_FLAG"))
    stats().checkFlag = std::atoi(flag);
  return 0;
}
/// The fake GPU's memory: KILN_FAKE_CUDA_MEMORY bytes, else 2 GiB.
size_t memoryBytes() {
  const char *limit = std::getenv("KILN_FAKE_CUDA_MEMORY");
  return limit ? size_t(std::strtoull(limit, nullptr, 10)) : size_t(1) << 31;
}

CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t bytes) {
  std::lock_guard<std::mutex> lock(stats().mutex);
  if (stats().liveBytes + bytes > memoryBytes())
    return 2; // CUDA_ERROR_OUT_OF_MEMORY
  void *m = std::aligned_alloc(256, (bytes + 255) / 256 * 256);
  if (!m)
    return 2;
  ++stats().allocs;
  stats().live[uintptr_t(m)] = bytes;
  stats().liveBytes += bytes;
  *p = CUdeviceptr(uintptr_t(m));
  return 0;
}
CUresult cuMemFree_v2(CUdeviceptr p) {
  std::lock_guard<std::mutex> lock(stats().mutex);
  auto it = stats().live.find(uintptr_t(p));
  if (it == stats().live.end()) {
    ++stats().badFrees;
    return 1;
  }
  stats().liveBytes -= it->second;
  stats().live.erase(it);
  ++stats().frees;
  std::free(reinterpret_cast<void *>(uintptr_t(p)));
  return 0;
}
CUresult cuMemGetInfo_v2(size_t *free, size_t *total) {
  std::lock_guard<std::mutex> lock(stats().mutex);
  *total = memoryBytes();
  *free = *total > stats().liveBytes ? *total - stats().liveBytes : 0;
  return 0;
}
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t n,
                              void *) {
  {
    std::lock_guard<std::mutex> lock(stats().mutex);
    ++stats().toDevice;
  }
  std::memcpy(reinterpret_cast<void *>(uintptr_t(dst)), src, n);
  return 0;
}
CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t n, void *) {
  {
    std::lock_guard<std::mutex> lock(stats().mutex);
    if (stats().capturing)
      return 900;
    ++stats().toHost;
  }
  std::memcpy(dst, reinterpret_cast<void *>(uintptr_t(src)), n);
  return 0;
}
CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n,
                              void *) {
  std::memmove(reinterpret_cast<void *>(uintptr_t(dst)),
               reinterpret_cast<void *>(uintptr_t(src)), n);
  return 0;
}
CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned value, size_t n, void *) {
  auto *p = reinterpret_cast<unsigned *>(uintptr_t(dst));
  for (size_t i = 0; i < n; ++i)
    p[i] = value;
  return 0;
}
struct FakeGraph {
  long launches;
};
CUresult cuStreamBeginCapture_v2(void *, int) {
  std::lock_guard<std::mutex> lock(stats().mutex);
  if (stats().capturing)
    return 1;
  stats().capturing = true;
  stats().captured = 0;
  return 0;
}
CUresult cuStreamEndCapture(void *, void **graph) {
  std::lock_guard<std::mutex> lock(stats().mutex);
  if (!stats().capturing)
    return 1;
  stats().capturing = false;
  ++stats().captures;
  ++stats().graphsLive;
  *graph = new FakeGraph{stats().captured};
  return 0;
}
CUresult cuGraphInstantiateWithFlags(void **exec, void *graph,
                                     unsigned long long) {
  std::lock_guard<std::mutex> lock(stats().mutex);
  ++stats().graphsLive;
  *exec = new FakeGraph(*static_cast<FakeGraph *>(graph));
  return 0;
}
CUresult cuGraphLaunch(void *exec, void *) {
  std::lock_guard<std::mutex> lock(stats().mutex);
  ++stats().graphLaunches;
  stats().launches += static_cast<FakeGraph *>(exec)->launches;
  return 0;
}
CUresult cuGraphExecDestroy(void *exec) {
  std::lock_guard<std::mutex> lock(stats().mutex);
  --stats().graphsLive;
  delete static_cast<FakeGraph *>(exec);
  return 0;
}
CUresult cuProfilerStart() {
  std::lock_guard<std::mutex> lock(stats().mutex);
  ++stats().profilerStarts;
  return 0;
}
CUresult cuProfilerStop() {
  std::lock_guard<std::mutex> lock(stats().mutex);
  ++stats().profilerStops;
  return 0;
}
CUresult cuGraphDestroy(void *graph) {
  std::lock_guard<std::mutex> lock(stats().mutex);
  --stats().graphsLive;
  delete static_cast<FakeGraph *>(graph);
  return 0;
}
CUresult cuEventCreate(void **e, unsigned) { *e = &token; return 0; }
CUresult cuEventDestroy_v2(void *) { return 0; }
CUresult cuEventRecord(void *, void *) { return 0; }
CUresult cuEventSynchronize(void *) { return 0; }
CUresult cuEventElapsedTime(float *ms, void *, void *) {
  *ms = 0.25f;
  return 0;
}
CUresult cuGetErrorString(CUresult, const char **text) {
  *text = "fake error";
  return 0;
}
CUresult cuGetErrorName(CUresult, const char **text) {
  *text = "CUDA_ERROR_FAKE";
  return 0;
}

} // extern "C"
