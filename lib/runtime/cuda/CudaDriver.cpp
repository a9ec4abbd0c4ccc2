//===- CudaDriver.cpp - the CUDA driver API, loaded at run time -----------===//
#include "lib/runtime/cuda/CudaDriver.h"

#include <cstdlib>
#include <dlfcn.h>
#include <mutex>

namespace kiln::cuda {

void *openLibrary(const char *overrideVariable,
                  std::initializer_list<const char *> names,
                  std::string &error) {
  error.clear();
  const char *custom = std::getenv(overrideVariable);
  std::initializer_list<const char *> overridden = {custom};
  for (const char *name : custom && *custom ? overridden : names) {
    if (void *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL))
      return handle;
    const char *why = dlerror();
    error += std::string(error.empty() ? "" : "; ") + (why ? why : name);
  }
  return nullptr;
}

void *findSymbol(void *library, std::initializer_list<const char *> names) {
  for (const char *name : names)
    if (void *p = dlsym(library, name))
      return p;
  return nullptr;
}

std::string Driver::describe(CUresult result) const {
  const char *name = nullptr, *text = nullptr;
  if (cuGetErrorName)
    cuGetErrorName(result, &name);
  if (cuGetErrorString)
    cuGetErrorString(result, &text);
  std::string s = name ? name : "CUDA error " + std::to_string(result);
  if (text)
    s += std::string(" (") + text + ")";
  return s;
}

namespace {

/// Binds `fn` to the first exported name; false if none is.
template <typename F>
bool bind(void *library, F &fn, std::initializer_list<const char *> names) {
  fn = reinterpret_cast<F>(findSymbol(library, names));
  return fn != nullptr;
}

Expected<const Driver *> load() {
  static Driver d;
  std::string error;
  // KILN_CUDA_DRIVER names another driver library (tests use a missing one).
  void *lib =
      openLibrary("KILN_CUDA_DRIVER", {"libcuda.so.1", "libcuda.so"}, error);
  if (!lib)
    return Status::error("no CUDA driver/GPU found (cannot load the CUDA "
                         "driver: " + error + ")");
  // The _v2 names are what cuda.h maps the plain names to since CUDA 4.
  bool ok = true;
  std::string missing;
  auto need = [&](auto &fn, std::initializer_list<const char *> names) {
    if (!bind(lib, fn, names)) {
      ok = false;
      missing += std::string(missing.empty() ? "" : ", ") + *names.begin();
    }
  };
  need(d.cuInit, {"cuInit"});
  need(d.cuDriverGetVersion, {"cuDriverGetVersion"});
  need(d.cuDeviceGetCount, {"cuDeviceGetCount"});
  need(d.cuDeviceGet, {"cuDeviceGet"});
  need(d.cuDeviceGetName, {"cuDeviceGetName"});
  need(d.cuDeviceGetAttribute, {"cuDeviceGetAttribute"});
  need(d.cuDevicePrimaryCtxRetain, {"cuDevicePrimaryCtxRetain"});
  need(d.cuDevicePrimaryCtxRelease,
       {"cuDevicePrimaryCtxRelease_v2", "cuDevicePrimaryCtxRelease"});
  need(d.cuCtxSetCurrent, {"cuCtxSetCurrent"});
  need(d.cuStreamCreate, {"cuStreamCreate"});
  need(d.cuStreamDestroy, {"cuStreamDestroy_v2", "cuStreamDestroy"});
  need(d.cuStreamSynchronize, {"cuStreamSynchronize"});
  need(d.cuModuleLoadData, {"cuModuleLoadData"});
  need(d.cuModuleLoadDataEx, {"cuModuleLoadDataEx"});
  need(d.cuModuleUnload, {"cuModuleUnload"});
  need(d.cuModuleGetFunction, {"cuModuleGetFunction"});
  need(d.cuModuleGetGlobal, {"cuModuleGetGlobal_v2"});
  need(d.cuLaunchKernel, {"cuLaunchKernel"});
  need(d.cuMemAlloc, {"cuMemAlloc_v2"});
  need(d.cuMemFree, {"cuMemFree_v2"});
  need(d.cuMemGetInfo, {"cuMemGetInfo_v2"});
  need(d.cuMemcpyHtoDAsync, {"cuMemcpyHtoDAsync_v2"});
  need(d.cuMemcpyDtoHAsync, {"cuMemcpyDtoHAsync_v2"});
  need(d.cuMemcpyDtoDAsync, {"cuMemcpyDtoDAsync_v2"});
  need(d.cuMemsetD32Async, {"cuMemsetD32Async"});
  need(d.cuEventCreate, {"cuEventCreate"});
  need(d.cuEventDestroy, {"cuEventDestroy_v2", "cuEventDestroy"});
  need(d.cuEventRecord, {"cuEventRecord"});
  need(d.cuEventSynchronize, {"cuEventSynchronize"});
  need(d.cuEventElapsedTime, {"cuEventElapsedTime_v2", "cuEventElapsedTime"});
  need(d.cuGetErrorString, {"cuGetErrorString"});
  need(d.cuGetErrorName, {"cuGetErrorName"});
  bind(lib, d.cuMemAllocAsync, {"cuMemAllocAsync"});
  bind(lib, d.cuMemFreeAsync, {"cuMemFreeAsync"});
  bind(lib, d.cuDeviceGetDefaultMemPool, {"cuDeviceGetDefaultMemPool"});
  bind(lib, d.cuMemPoolSetAttribute, {"cuMemPoolSetAttribute"});
  bind(lib, d.cuStreamBeginCapture, {"cuStreamBeginCapture_v2"});
  bind(lib, d.cuStreamEndCapture, {"cuStreamEndCapture"});
  bind(lib, d.cuGraphInstantiateWithFlags, {"cuGraphInstantiateWithFlags"});
  bind(lib, d.cuGraphLaunch, {"cuGraphLaunch"});
  bind(lib, d.cuGraphExecDestroy, {"cuGraphExecDestroy"});
  bind(lib, d.cuGraphDestroy, {"cuGraphDestroy"});
  bind(lib, d.cuProfilerStart, {"cuProfilerStart"});
  bind(lib, d.cuProfilerStop, {"cuProfilerStop"});
  if (!ok)
    return Status::error("the CUDA driver is too old (missing " + missing +
                         ")");
  CUresult r = d.cuInit(0);
  if (r != CUDA_SUCCESS)
    return Status::error("no CUDA driver/GPU found (cuInit: " + d.describe(r) +
                         ")");
  int count = 0;
  r = d.cuDeviceGetCount(&count);
  if (r != CUDA_SUCCESS || count == 0)
    return Status::error("no CUDA driver/GPU found (no CUDA device)");
  return static_cast<const Driver *>(&d);
}

} // namespace

Expected<const Driver *> loadDriver() {
  // Loaded once per process; a failure is remembered (and repeated).
  static std::once_flag once;
  static Expected<const Driver *> result = Status::error("");
  std::call_once(once, [] { result = load(); });
  return result;
}

} // namespace kiln::cuda
