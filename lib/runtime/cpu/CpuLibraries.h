//===- CpuLibraries.h - what backs a CPU artifact's library table -*- C++ -*-===//
//
// The runtime side of cpu/CpuAbi.h: fills an artifact's kiln_artifact_cpu_api
// with the oneDNN wrappers (or, in a runtime built without oneDNN, with
// functions that fail the run with a clear message).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_RUNTIME_CPU_CPULIBRARIES_H
#define KILN_LIB_RUNTIME_CPU_CPULIBRARIES_H

#include <cstdint>

namespace kiln::cpu {

/// Fills the table's library slots (conv2d, matmul) with this build's
/// backend: oneDNN, or stand-ins that fail the run. The runtime's own
/// slots (threads, heap) are the session's (Session.cpp).
void fillLibraryTable(void **table);

/// Sets the calling thread's OpenMP thread count to numThreads(), for the
/// run it is about to start.
void applyThreads();

/// kiln_cpu_parallel_for: body(args, lo, hi) over a split of [0, n).
void parallelFor(void *ctx, void (*body)(void *, int64_t, int64_t),
                 void *args, int64_t n);

/// Ends the current run with `message` (the artifact's trap handler); the
/// message must stay valid after the call (it is copied by the session).
[[noreturn]] void failRun(const char *message);

} // namespace kiln::cpu

#endif // KILN_LIB_RUNTIME_CPU_CPULIBRARIES_H
