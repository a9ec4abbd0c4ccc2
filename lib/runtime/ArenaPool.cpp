//===- ArenaPool.cpp - the memory a CPU artifact's runs plan into ---------===//
#include "lib/runtime/ArenaPool.h"
#include "lib/runtime/ArtifactFormat.h"

#include <cstdlib>

namespace kiln::runtime {
namespace {

void *allocateArena(uint64_t bytes) {
  // aligned_alloc wants a multiple of the alignment, and never 0 bytes (an
  // arena of only empty buffers still needs a valid address).
  uint64_t size = bytes == 0 ? kArenaAlignment
                             : (bytes + kArenaAlignment - 1) /
                                   kArenaAlignment * kArenaAlignment;
  return std::aligned_alloc(kArenaAlignment, size);
}

} // namespace

ArenaPool::ArenaPool(uint64_t bytes) : bytes_(bytes) {
  if (void *first = allocateArena(bytes)) {
    all_.push_back(first);
    free_.push_back(first);
  }
}

ArenaPool::~ArenaPool() {
  for (void *arena : all_)
    std::free(arena);
}

size_t ArenaPool::count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return all_.size();
}

void *ArenaPool::acquire() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!free_.empty()) {
      void *arena = free_.back();
      free_.pop_back();
      return arena;
    }
  }
  // Every arena is in use by another run: one more, outside the lock.
  void *arena = allocateArena(bytes_);
  if (arena) {
    std::lock_guard<std::mutex> lock(mutex_);
    all_.push_back(arena);
  }
  return arena;
}

void ArenaPool::release(void *arena) {
  std::lock_guard<std::mutex> lock(mutex_);
  free_.push_back(arena);
}

} // namespace kiln::runtime
