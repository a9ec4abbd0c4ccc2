//===- DeviceArena.cpp - offsets of one run's buffers in one arena --------===//
#include "lib/runtime/cuda/DeviceArena.h"

#include <algorithm>

namespace kiln::cuda {

uint64_t ArenaPlanner::allocate(uint64_t bytes) {
  bytes = (std::max<uint64_t>(bytes, 1) + kAlignment - 1) / kAlignment *
          kAlignment;
  uint64_t offset = end_;
  // First fit among the holes below `end_`.
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    if (it->second < bytes)
      continue;
    offset = it->first;
    uint64_t rest = it->second - bytes;
    free_.erase(it);
    if (rest)
      free_.emplace(offset + bytes, rest);
    break;
  }
  if (offset == end_)
    end_ += bytes;
  used_.emplace(offset, bytes);
  live_ += bytes;
  highWater_ = std::max(highWater_, end_);
  return offset;
}

bool ArenaPlanner::release(uint64_t offset) {
  auto it = used_.find(offset);
  if (it == used_.end())
    return false;
  uint64_t bytes = it->second;
  used_.erase(it);
  live_ -= bytes;
  // Merge with the hole after and the hole before.
  auto next = free_.find(offset + bytes);
  if (next != free_.end()) {
    bytes += next->second;
    free_.erase(next);
  }
  auto prev = free_.lower_bound(offset);
  if (prev != free_.begin()) {
    --prev;
    if (prev->first + prev->second == offset) {
      offset = prev->first;
      bytes += prev->second;
      free_.erase(prev);
    }
  }
  if (offset + bytes == end_)
    end_ = offset; // the top hole returns to the open space
  else
    free_.emplace(offset, bytes);
  return true;
}

void ArenaPlanner::reset() {
  free_.clear();
  used_.clear();
  end_ = 0;
  live_ = 0;
}

uint64_t ArenaPlanner::sizeAt(uint64_t offset) const {
  auto it = used_.find(offset);
  return it == used_.end() ? 0 : it->second;
}

} // namespace kiln::cuda
