//===- DeviceArena.h - offsets of one run's buffers in one arena -*- C++ -*-===//
//
// The bookkeeping behind a CUDA run's device memory, with no CUDA in it.
// Buffers get offsets in one address space, first fit from a free list, in
// the order the artifact allocates and frees them (all work is on one
// stream, so a freed range can be handed out again at once: every later use
// is enqueued after every earlier one). The high-water mark is the arena
// size this run sequence needs; the executor backs offsets below its arena
// size with the arena and allocates the rest separately for that run, then
// grows the arena to the high-water mark, so that from the second run on
// with the same shapes every buffer lives in one device allocation.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_RUNTIME_CUDA_DEVICEARENA_H
#define KILN_LIB_RUNTIME_CUDA_DEVICEARENA_H

#include <cstdint>
#include <map>

namespace kiln::cuda {

class ArenaPlanner {
public:
  /// Every offset and size is a multiple of this (cuBLAS/cuDNN and vector
  /// loads want 256-byte alignment).
  static constexpr uint64_t kAlignment = 256;

  /// The offset of a new buffer of `bytes` (0 is treated as 1).
  uint64_t allocate(uint64_t bytes);
  /// Releases the buffer at `offset`; false if none starts there.
  bool release(uint64_t offset);
  /// Forgets every buffer (the end of a run); keeps the high-water mark.
  void reset();

  /// The end of the highest range ever handed out.
  uint64_t highWater() const { return highWater_; }
  /// Bytes currently handed out.
  uint64_t live() const { return live_; }
  /// The size of the buffer at `offset`, 0 if none.
  uint64_t sizeAt(uint64_t offset) const;

private:
  std::map<uint64_t, uint64_t> free_; ///< offset -> bytes, coalesced
  std::map<uint64_t, uint64_t> used_; ///< offset -> bytes
  uint64_t end_ = 0;                  ///< everything from here up is free
  uint64_t highWater_ = 0;
  uint64_t live_ = 0;
};

} // namespace kiln::cuda

#endif // KILN_LIB_RUNTIME_CUDA_DEVICEARENA_H
