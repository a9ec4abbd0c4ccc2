//===- HostBufferPool.cpp - heap buffers a CPU artifact's runs reuse -------===//
#include "lib/runtime/cpu/HostBufferPool.h"
#include "lib/runtime/cpu/CpuLibraries.h"

#include <cstdio>
#include <cstdlib>
#include <iterator>

namespace kiln::cpu {
namespace {
constexpr uint64_t kAlignment = 64;
} // namespace

HostBufferPool::~HostBufferPool() {
  for (auto &[p, capacity] : live_)
    std::free(p);
  for (auto &[capacity, p] : idle_)
    std::free(p);
}

HostBufferPool &HostBufferPool::global() {
  static auto *pool = new HostBufferPool;
  return *pool;
}

void *HostBufferPool::allocate(uint64_t bytes) {
  if (bytes > UINT64_MAX - kAlignment)
    return nullptr;
  uint64_t size = bytes == 0 ? kAlignment
                             : (bytes + kAlignment - 1) / kAlignment * kAlignment;
  std::unique_lock<std::mutex> lock(mutex_);
  void *p = nullptr;
  uint64_t capacity = size;
  auto it = idle_.lower_bound(size);
  if (it != idle_.end() && it->first - size <= size / 8) {
    capacity = it->first;
    p = it->second;
    idle_.erase(it);
    stats_.idleBytes -= capacity;
  } else {
    // The system's allocation (an mmap for a large block) is
    // not the pool's to serialise: concurrent runs allocate at once.
    lock.unlock();
    p = std::aligned_alloc(kAlignment, size);
    if (!p)
      return nullptr;
    lock.lock();
    ++stats_.blocksMade;
  }
  live_.emplace(p, capacity);
  stats_.liveBytes += capacity;
  if (stats_.liveBytes > stats_.peakLiveBytes)
    stats_.peakLiveBytes = stats_.liveBytes;
  return p;
}

void HostBufferPool::release(void *p) {
  if (!p)
    return;
  std::unique_lock<std::mutex> lock(mutex_);
  auto it = live_.find(p);
  if (it == live_.end()) {
    lock.unlock();
    std::free(p);
    return;
  }
  uint64_t capacity = it->second;
  live_.erase(it);
  stats_.liveBytes -= capacity;
  idle_.emplace(capacity, p);
  stats_.idleBytes += capacity;
  while (stats_.idleBytes > stats_.peakLiveBytes) {
    auto largest = std::prev(idle_.end());
    stats_.idleBytes -= largest->first;
    std::free(largest->second);
    idle_.erase(largest);
  }
}

HostBufferPool::Stats HostBufferPool::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

void *poolAllocate(void *, int64_t bytes) {
  if (void *p = HostBufferPool::global().allocate(uint64_t(bytes)))
    return p;
  // The message outlives the jump out of the run (failRun's contract);
  // only the calling thread fails its run here.
  static thread_local char message[160];
  std::snprintf(message, sizeof message,
                "out of host memory allocating %llu bytes for a buffer of the "
                "run (an output, or a buffer sized at run time)",
                static_cast<unsigned long long>(bytes));
  failRun(message);
}

void poolFree(void *, void *p) { HostBufferPool::global().release(p); }

} // namespace kiln::cpu
