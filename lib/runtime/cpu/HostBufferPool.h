//===- HostBufferPool.h - heap buffers a CPU artifact's runs reuse -*- C++ -*-===//
//
// What a static memory plan cannot place (buffers sized at run time, and
// the outputs, which the caller keeps) a CPU artifact allocates on each run.
// From malloc, a large block freed at the end of a run goes back to the
// system (glibc trims the heap, or unmaps the block), and the next run pays
// a page fault per 4 KiB touching it again: 10-12% of a run of ResNet-18
// with dynamic sizes or of Faster R-CNN. The artifact's allocations come
// here instead (its table's alloc and free slots, cpu/CpuAbi.h): a freed
// block is kept, and a later request that it exceeds by at most an eighth
// takes it back, so a run in steady state makes no system call and touches
// no new page.
//
// The pool is process-wide (an output may outlive its Session) and holds
// at most as many idle bytes as were ever in use at once, freeing its
// largest idle blocks beyond that. A pointer it did not make (an output of
// an artifact built before the pool existed) is released with std::free.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_RUNTIME_CPU_HOSTBUFFERPOOL_H
#define KILN_LIB_RUNTIME_CPU_HOSTBUFFERPOOL_H

#include <cstdint>
#include <map>
#include <mutex>
#include <unordered_map>

namespace kiln::cpu {

class HostBufferPool {
public:
  HostBufferPool() = default;
  ~HostBufferPool();
  HostBufferPool(const HostBufferPool &) = delete;
  HostBufferPool &operator=(const HostBufferPool &) = delete;

  /// The one the artifacts' tables use (never destroyed: outputs may be
  /// released during static destruction).
  static HostBufferPool &global();

  /// A 64-byte-aligned block of at least `bytes` (0 included); null when
  /// memory ran out.
  void *allocate(uint64_t bytes);
  /// Takes back a block of this pool, or frees one it did not make; null
  /// is ignored.
  void release(void *p);

  struct Stats {
    uint64_t liveBytes = 0, idleBytes = 0, peakLiveBytes = 0;
    uint64_t blocksMade = 0; ///< allocations from the system
  };
  Stats stats() const;

private:
  mutable std::mutex mutex_;
  std::unordered_map<void *, uint64_t> live_; ///< block -> its capacity
  std::multimap<uint64_t, void *> idle_;      ///< capacity -> block
  Stats stats_;
};

/// The table's slots (cpu_abi::kSlotAlloc, kSlotFree) over the global pool.
/// Running out of memory fails the run with a message naming the size.
void *poolAllocate(void *ctx, int64_t bytes);
void poolFree(void *ctx, void *p);

} // namespace kiln::cpu

#endif // KILN_LIB_RUNTIME_CPU_HOSTBUFFERPOOL_H
