//===- NoLibraries.cpp - the CPU library table without oneDNN -------------===//
//
// A runtime built without oneDNN (KILN_WITH_ONEDNN off) still loads every CPU
// artifact; one that calls oneDNN fails its run with this message.
//
//===----------------------------------------------------------------------===//
#include "lib/runtime/cpu/CpuAbi.h"
#include "lib/runtime/cpu/CpuLibraries.h"
#include "lib/runtime/cpu/HostBufferPool.h"

namespace kiln::cpu {
namespace {

void unavailable(void *, const int64_t *, void **) {
  failRun("this artifact calls oneDNN, but this Kiln runtime was built "
          "without it (compile with --cpu-kernels=codegen, or rebuild the "
          "runtime with libdnnl-dev installed)");
}

} // namespace

void fillLibraryTable(void **table) {
  table[cpu_abi::kSlotContext] = nullptr;
  table[cpu_abi::kSlotConv2d] = reinterpret_cast<void *>(&unavailable);
  table[cpu_abi::kSlotMatmul] = reinterpret_cast<void *>(&unavailable);
  table[cpu_abi::kSlotParallelFor] = reinterpret_cast<void *>(&parallelFor);
  table[cpu_abi::kSlotAlloc] = reinterpret_cast<void *>(&poolAllocate);
  table[cpu_abi::kSlotFree] = reinterpret_cast<void *>(&poolFree);
}

} // namespace kiln::cpu
