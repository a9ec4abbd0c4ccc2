//===- Session.cpp - load an artifact and run it --------------------------===//
//
// Loading maps the weights once (from the library or the parameter file),
// prebuilds their descriptors and allocates the arena of the static memory
// plan; a run checks the inputs against the metadata, builds their
// descriptors, leases an arena, calls the artifact and adopts the output
// buffers it allocated. A failed run-time check in the generated code jumps back here
// through the trap handler and becomes the run's error.
//
//===----------------------------------------------------------------------===//
#include "kiln/Runtime.h"
#include "lib/runtime/ArenaPool.h"
#include "lib/runtime/ArtifactFormat.h"
#include "lib/runtime/Descriptors.h"
#include "lib/runtime/ParamStore.h"
#include "lib/runtime/cpu/CpuAbi.h"
#include "lib/runtime/cpu/CpuLibraries.h"
#include "lib/runtime/cpu/HostBufferPool.h"
#include "lib/runtime/cuda/CudaExecutor.h"

#include <csetjmp>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <optional>

namespace kiln {

using RunFn = void (*)(void **, void *);
using TrapFn = void (*)(const char *);

namespace {

thread_local std::jmp_buf *currentJump = nullptr;
thread_local const char *trapMessage = nullptr;

[[noreturn]] void trapHandler(const char *message) {
  trapMessage = message;
  if (!currentJump)
    std::abort(); // a check failed outside of a run: nothing to unwind to
  std::longjmp(*currentJump, 1);
}

/// Calls the artifact; returns false if a run-time check failed. Kept free of
/// objects with destructors, as longjmp skips them.
bool callWithTrap(RunFn run, void **args, void *results) {
  std::jmp_buf env;
  std::jmp_buf *previous = currentJump;
  currentJump = &env;
  if (setjmp(env)) {
    currentJump = previous;
    return false;
  }
  run(args, results);
  currentJump = previous;
  return true;
}

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += "x";
    s += shape[i] < 0 ? "?" : std::to_string(shape[i]);
  }
  return s + "]";
}

void appendDescriptor(std::vector<int64_t> &out, const void *data,
                      const std::vector<int64_t> &shape) {
  runtime::appendDescriptor(out, int64_t(reinterpret_cast<intptr_t>(data)),
                            shape);
}

TensorInfo toInfo(const runtime::TensorSpec &spec) {
  return TensorInfo{spec.name, spec.dtype, spec.shape, spec.dimNames};
}

/// A CPU artifact's calls into the runtime go through the table it
/// exports: the runtime's own slots (threads, heap buffers) here, the
/// library calls from this build's backend.
void fillCpuTable(void **table) {
  table[cpu_abi::kSlotContext] = nullptr;
  cpu::fillLibraryTable(table);
  table[cpu_abi::kSlotParallelFor] = reinterpret_cast<void *>(&cpu::parallelFor);
  table[cpu_abi::kSlotAlloc] = reinterpret_cast<void *>(&cpu::poolAllocate);
  table[cpu_abi::kSlotFree] = reinterpret_cast<void *>(&cpu::poolFree);
}

} // namespace

namespace cpu {
void failRun(const char *message) { trapHandler(message); }
} // namespace cpu

struct Session::Impl {
  void *handle = nullptr;
  runtime::ArtifactMetadata metadata;
  std::vector<TensorInfo> inputs, outputs;
  RunFn run = nullptr;
  std::unique_ptr<runtime::ParamStore> params;
  /// The parameters' descriptors, built once.
  std::vector<std::vector<int64_t>> paramDescriptors;
  /// CUDA artifacts: the device side (module, stream, memory, libraries).
  std::unique_ptr<cuda::CudaExecutor> cuda;
  /// CPU artifacts with a memory plan: the arenas runs lease.
  std::unique_ptr<runtime::ArenaPool> arenas;

  ~Impl() {
    cuda.reset(); // before the library it points into goes
    if (handle)
      dlclose(handle);
  }

  Status checkInputs(const std::vector<Tensor> &given) const;
  Expected<std::vector<Tensor>> adoptOutputs(const std::vector<int64_t> &raw,
                                             const std::vector<Tensor> &ins,
                                             const void *arena) const;
};

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;

const std::vector<TensorInfo> &Session::inputs() const { return impl_->inputs; }
const std::vector<TensorInfo> &Session::outputs() const {
  return impl_->outputs;
}
const std::string &Session::target() const { return impl_->metadata.target; }
const std::string &Session::device() const {
  static const std::string cpu = "cpu";
  return impl_->cuda ? impl_->cuda->device() : cpu;
}

Expected<std::unique_ptr<Session>> Session::open(const std::string &path,
                                                  const SessionOptions &options) {
  auto impl = std::make_unique<Impl>();
  // dlopen searches the library path for names without a slash.
  std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  impl->handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!impl->handle) {
    const char *why = dlerror();
    return Status::error(path + ": cannot load artifact: " +
                         (why ? why : "unknown error"));
  }
  auto *text = static_cast<const char *>(
      dlsym(impl->handle, runtime::kMetadataSymbol));
  impl->run = reinterpret_cast<RunFn>(dlsym(impl->handle, runtime::kRunSymbol));
  auto *trap = static_cast<TrapFn *>(
      dlsym(impl->handle, runtime::kTrapHandlerSymbol));
  if (!text || !impl->run || !trap)
    return Status::error(path + ": not a Kiln artifact (missing " +
                         runtime::kMetadataSymbol + ", " + runtime::kRunSymbol +
                         " or " + runtime::kTrapHandlerSymbol + ")");
  auto metadata = runtime::parseMetadata(text);
  if (!metadata)
    return Status::error(path + ": " + metadata.status().message());
  impl->metadata = metadata.take();
  const std::string &target = impl->metadata.target;
  if (target != "cpu" && target != "cuda")
    return Status::error(path + ": artifact for target '" + target +
                         "', which this runtime does not know");
  *trap = &trapHandler;
  // Library calls (oneDNN), threads and heap buffers go through a table
  // the artifact exports.
  if (auto *table =
          static_cast<void **>(dlsym(impl->handle, cpu_abi::kApiSymbol)))
    fillCpuTable(table);
  for (const auto &t : impl->metadata.inputs)
    impl->inputs.push_back(toInfo(t));
  for (const auto &t : impl->metadata.outputs)
    impl->outputs.push_back(toInfo(t));

  auto params = runtime::ParamStore::open(path, impl->handle, impl->metadata,
                                          options);
  if (!params)
    return params.status();
  impl->params = params.take();
  if (target == "cuda" && impl->metadata.arenaBytes)
    return Status::error(path + ": a CUDA artifact with a host arena, which "
                                "this runtime does not support");
  if (target == "cuda") {
    auto executor = cuda::CudaExecutor::open(
        impl->handle, path, impl->metadata, impl->params->data(),
        impl->params->size());
    if (!executor)
      return executor.status();
    impl->cuda = executor.take();
    return std::unique_ptr<Session>(new Session(std::move(impl)));
  }
  for (const runtime::ParamSpec &p : impl->metadata.params) {
    std::vector<int64_t> d;
    appendDescriptor(d, impl->params->data() + p.offset, p.tensor.shape);
    impl->paramDescriptors.push_back(std::move(d));
  }
  if (std::optional<uint64_t> bytes = impl->metadata.arenaBytes) {
    impl->arenas = std::make_unique<runtime::ArenaPool>(*bytes);
    if (!impl->arenas->ok())
      return Status::error(path + ": cannot allocate the " +
                           std::to_string(*bytes) + "-byte arena");
  }
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

Status Session::Impl::checkInputs(const std::vector<Tensor> &given) const {
  if (given.size() != inputs.size())
    return Status::error("the model takes " + std::to_string(inputs.size()) +
                         " inputs, got " + std::to_string(given.size()));
  std::map<std::string, std::pair<int64_t, std::string>> symbols;
  for (size_t i = 0; i < given.size(); ++i) {
    const TensorInfo &info = inputs[i];
    const Tensor &t = given[i];
    std::string what = "input '" + info.name + "'";
    // numpy has no bfloat16: its raw 16-bit patterns come as uint16.
    bool bf16Bits = info.dtype == DType::BFloat16 && t.dtype() == DType::UInt16;
    if (t.dtype() != info.dtype && !bf16Bits)
      return Status::error(what + ": expected element type " +
                           dtypeName(info.dtype) + ", got " +
                           dtypeName(t.dtype()));
    // An input the model never reads may have any shape (ONNX's CastLike
    // tests give `like` as one element where the model declares more).
    if (metadata.inputs[i].unread) {
      if (!t.valid())
        return Status::error(what + ": tensor has no data");
      continue;
    }
    bool ok = t.shape().size() == info.shape.size();
    for (size_t d = 0; ok && d < info.shape.size(); ++d)
      ok = info.shape[d] < 0 || info.shape[d] == t.shape()[d];
    if (!ok)
      return Status::error(what + ": expected shape " +
                           shapeString(info.shape) + ", got " +
                           shapeString(t.shape()));
    for (size_t d = 0; d < info.shape.size(); ++d) {
      const std::string &sym = info.dimNames[d];
      if (info.shape[d] >= 0 || sym.empty())
        continue;
      auto [it, fresh] = symbols.emplace(sym, std::make_pair(t.shape()[d], what));
      if (!fresh && it->second.first != t.shape()[d])
        return Status::error(what + ": dimension '" + sym + "' is " +
                             std::to_string(t.shape()[d]) + " but " +
                             it->second.second + " has it " +
                             std::to_string(it->second.first));
    }
    if (!t.valid())
      return Status::error(what + ": tensor has no data");
  }
  return Status::ok();
}

Expected<std::vector<Tensor>>
Session::Impl::adoptOutputs(const std::vector<int64_t> &raw,
                            const std::vector<Tensor> &ins,
                            const void *arena) const {
  // Outputs may share one buffer; each buffer gets one owner.
  std::map<void *, std::shared_ptr<void>> owners;
  std::vector<Tensor> result;
  size_t at = 0;
  for (const TensorInfo &info : outputs) {
    size_t rank = info.shape.size();
    auto *allocated = reinterpret_cast<void *>(intptr_t(raw[at]));
    auto *aligned = reinterpret_cast<char *>(intptr_t(raw[at + 1]));
    int64_t offset = raw[at + 2];
    std::vector<int64_t> shape(raw.begin() + at + 3,
                               raw.begin() + at + 3 + rank);
    std::vector<int64_t> strides(raw.begin() + at + 3 + rank,
                                 raw.begin() + at + 3 + 2 * rank);
    at += 3 + 2 * rank;
    size_t elem = dtypeSize(info.dtype);
    char *data = aligned + offset * int64_t(elem);
    bool contiguous = true;
    int64_t expect = 1;
    for (size_t i = rank; i-- > 0;) {
      if (shape[i] != 1 && strides[i] != expect)
        contiguous = false;
      expect *= shape[i];
    }
    // Heap buffers are adopted; anything else (a constant in the library,
    // a weight, an input passed through, the arena, which the compiler
    // never lets an output live in) is copied so that the caller owns
    // plain memory.
    Dl_info dl;
    bool heap = allocated && dladdr(allocated, &dl) == 0 &&
                !params->contains(allocated) && allocated != arena;
    for (const Tensor &t : ins)
      heap &= t.data() != allocated;
    std::shared_ptr<void> owner;
    if (heap) {
      std::shared_ptr<void> &shared = owners[allocated];
      if (!shared)
        shared = std::shared_ptr<void>(allocated, [](void *p) {
          // A CPU artifact's buffers come from the pool; the pool frees
          // what it did not make.
          cpu::HostBufferPool::global().release(p);
        });
      owner = shared;
    }
    if (!contiguous || !heap) {
      Expected<Tensor> allocated = Tensor::tryAllocate(info.dtype, shape);
      if (!allocated)
        return allocated.status();
      Tensor copy = std::move(*allocated);
      if (contiguous) {
        if (copy.byteSize())
          std::memcpy(copy.data(), data, copy.byteSize());
      } else {
        int64_t n = copy.numElements();
        std::vector<int64_t> idx(rank, 0);
        for (int64_t k = 0; k < n; ++k) {
          int64_t off = 0;
          for (size_t i = 0; i < rank; ++i)
            off += idx[i] * strides[i];
          std::memcpy(copy.data<char>() + k * elem, data + off * elem, elem);
          for (size_t i = rank; i-- > 0;) {
            if (++idx[i] < shape[i])
              break;
            idx[i] = 0;
          }
        }
      }
      result.push_back(std::move(copy));
      continue;
    }
    result.push_back(Tensor::wrap(info.dtype, shape, data, owner));
  }
  // Buffers whose outputs were all copied are freed with the owners map.
  return result;
}

Expected<std::vector<Tensor>>
Session::run(const std::vector<Tensor> &inputs) const {
  return run(inputs, nullptr);
}

Expected<std::vector<Tensor>> Session::run(const std::vector<Tensor> &given,
                                           RunStats *stats) const {
  if (Status s = impl_->checkInputs(given); !s)
    return s;
  // The code takes each input with its declared rank: an unread input of
  // another shape is passed as a stand-in of the declared shape (dynamic
  // dimensions 0), which nothing reads.
  std::vector<Tensor> inputs = given;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const runtime::TensorSpec &spec = impl_->metadata.inputs[i];
    bool fits = inputs[i].shape().size() == spec.shape.size();
    for (size_t d = 0; fits && d < spec.shape.size(); ++d)
      fits = spec.shape[d] < 0 || spec.shape[d] == inputs[i].shape()[d];
    if (!spec.unread || fits)
      continue;
    std::vector<int64_t> shape = spec.shape;
    for (int64_t &d : shape)
      d = d < 0 ? 0 : d;
    Expected<Tensor> stand = Tensor::tryAllocate(spec.dtype, shape);
    if (!stand)
      return stand.status();
    inputs[i] = std::move(*stand);
    if (inputs[i].byteSize())
      std::memset(inputs[i].data(), 0, inputs[i].byteSize());
  }
  if (impl_->cuda) {
    RunFn entry = impl_->run;
    return impl_->cuda->run(
        inputs, impl_->outputs,
        [entry](void **args, void *results) {
          return callWithTrap(entry, args, results);
        },
        [] {
          return std::string(trapMessage ? trapMessage
                                         : "run-time check failed");
        },
        stats ? &stats->deviceMs : nullptr);
  }
  std::vector<std::vector<int64_t>> descriptors;
  descriptors.reserve(inputs.size());
  for (const Tensor &t : inputs) {
    descriptors.emplace_back();
    appendDescriptor(descriptors.back(), t.data(), t.shape());
  }
  std::vector<void *> args;
  for (auto &d : descriptors)
    args.push_back(d.data());
  for (auto &d : impl_->paramDescriptors)
    args.push_back(const_cast<int64_t *>(d.data()));
  // The arena is this run's alone until the lease ends, after the call.
  std::optional<runtime::ArenaPool::Lease> lease;
  std::vector<int64_t> arenaDescriptor;
  if (impl_->arenas) {
    lease.emplace(*impl_->arenas);
    if (!lease->get())
      return Status::error("run failed: cannot allocate another " +
                           std::to_string(impl_->arenas->bytes()) +
                           "-byte arena for a concurrent run");
    appendDescriptor(arenaDescriptor, lease->get(),
                     {int64_t(impl_->arenas->bytes())});
    args.push_back(arenaDescriptor.data());
  }
  size_t resultWords = 0;
  for (const TensorInfo &o : impl_->outputs)
    resultWords += 3 + 2 * o.shape.size();
  std::vector<int64_t> results(resultWords, 0);
  cpu::applyThreads();
  if (!callWithTrap(impl_->run, args.data(), results.data()))
    return Status::error(std::string("run failed: ") +
                         (trapMessage ? trapMessage : "run-time check failed"));
  return impl_->adoptOutputs(results, inputs, lease ? lease->get() : nullptr);
}

} // namespace kiln
