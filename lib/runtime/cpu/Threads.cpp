//===- Threads.cpp - the CPU runtime's threads ----------------------------===//
//
// Kiln's parallel loops and oneDNN run on one thread pool: GNU OpenMP's,
// which Debian's oneDNN is built on, so the process never has two runtimes
// competing for the cores. libgomp keeps its threads spinning briefly after
// a parallel region, so back-to-back kernels do not pay a wake-up each; the
// compiler leaves small loops sequential (kiln-cpu-parallelize-loops) so
// they pay nothing.
//
//===----------------------------------------------------------------------===//
#include "kiln/Runtime.h"
#include "lib/runtime/cpu/CpuAbi.h"
#include "lib/runtime/cpu/CpuLibraries.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>

namespace kiln {
namespace {

std::atomic<int> requested{0};

int defaultThreads() {
  static const int threads = [] {
    if (const char *env = std::getenv("KILN_NUM_THREADS")) {
      int n = std::atoi(env);
      if (n > 0)
        return n;
    }
    return omp_get_num_procs();
  }();
  return threads;
}

} // namespace

void setNumThreads(int threads) { requested = std::max(0, threads); }

int numThreads() {
  int n = requested;
  return n > 0 ? n : defaultThreads();
}

namespace cpu {

void applyThreads() {
  // Per calling thread in OpenMP: set at the start of every run.
  omp_set_num_threads(numThreads());
}

void parallelFor(void *, cpu_abi::ParallelBody body, void *args, int64_t n) {
  if (n <= 0)
    return;
  int threads = int(std::min<int64_t>(numThreads(), n));
  if (threads <= 1) {
    body(args, 0, n);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    int64_t t = omp_get_thread_num(), count = omp_get_num_threads();
    int64_t lo = n * t / count, hi = n * (t + 1) / count;
    if (lo < hi)
      body(args, lo, hi);
  }
}

} // namespace cpu
} // namespace kiln
