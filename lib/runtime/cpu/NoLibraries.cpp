//===- NoLibraries.cpp - the CPU library table without oneDNN -------------===//
//
// A runtime built without oneDNN (KILN_WITH_ONEDNN off) still loads every CPU
// artifact; one that calls oneDNN fails its run with this message.
//
//===----------------------------------------------------------------------===//
#include "lib/runtime/cpu/CpuAbi.h"
#include "lib/runtime/cpu/CpuLibraries.h"

namespace kiln::cpu {
namespace {

void unavailable(void *, const int64_t *, void **) {
  failRun("this artifact calls oneDNN, but this Kiln runtime was built "
          "without it (compile with --cpu-kernels=codegen, or rebuild the "
          "runtime with libdnnl-dev installed)");
}

} // namespace

void fillLibraryTable(void **table) {
  table[cpu_abi::kSlotConv2d] = reinterpret_cast<void *>(&unavailable);
  table[cpu_abi::kSlotMatmul] = reinterpret_cast<void *>(&unavailable);
}

} // namespace kiln::cpu
