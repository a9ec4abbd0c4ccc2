//===- ArenaPacking.cpp - offsets for buffers with known lifetimes --------===//
//
// Packing buffers with fixed lifetimes into the least memory is NP-hard
// (dynamic storage allocation); greedy placement lands close to the lower
// bound on the chain-like lifetimes of neural networks. Each greedy pass
// takes the buffers in one order and puts each into a gap between the
// buffers already placed whose lifetimes overlap its own. Which order and
// which gap works best depends on the model, and a pass costs O(n^2) for a
// few hundred buffers, so several are tried and the smallest arena wins.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/ArenaPacking.h"

#include <algorithm>
#include <functional>
#include <map>
#include <numeric>

namespace kiln::arena {
namespace {

uint64_t alignUp(uint64_t v, uint64_t alignment) {
  return (v + alignment - 1) / alignment * alignment;
}

bool overlap(const Lifetime &a, const Lifetime &b) {
  return a.start <= b.end && b.start <= a.end;
}

enum class Fit { Lowest, Tightest };

/// One greedy pass: buffers in `order`, each at the lowest offset where it
/// fits (Lowest) or in the smallest gap that holds it (Tightest, else on
/// top of everything it overlaps).
Packing place(const std::vector<Lifetime> &buffers,
              const std::vector<size_t> &order, uint64_t alignment, Fit fit) {
  Packing p;
  p.offsets.assign(buffers.size(), 0);
  std::vector<size_t> placed;
  std::vector<std::pair<uint64_t, uint64_t>> taken; // [begin, end) in bytes
  for (size_t i : order) {
    uint64_t size = alignUp(buffers[i].bytes, alignment);
    if (size == 0)
      continue; // nothing to hold: offset 0 overlaps nothing
    taken.clear();
    for (size_t j : placed)
      if (overlap(buffers[i], buffers[j]))
        taken.push_back({p.offsets[j],
                         p.offsets[j] + alignUp(buffers[j].bytes, alignment)});
    std::sort(taken.begin(), taken.end());
    uint64_t best = UINT64_MAX, bestGap = UINT64_MAX, cursor = 0;
    for (const auto &[begin, end] : taken) {
      if (begin >= cursor + size) {
        uint64_t gap = begin - cursor;
        if (fit == Fit::Lowest) {
          best = cursor;
          break;
        }
        if (gap < bestGap) {
          best = cursor;
          bestGap = gap;
        }
      }
      cursor = std::max(cursor, end);
    }
    p.offsets[i] = best == UINT64_MAX ? cursor : best;
    p.arenaBytes = std::max(p.arenaBytes, p.offsets[i] + size);
    placed.push_back(i);
  }
  return p;
}

} // namespace

uint64_t lowerBound(const std::vector<Lifetime> &buffers) {
  // Sweep: +bytes where a lifetime starts, -bytes just after it ends.
  std::map<int64_t, int64_t> delta;
  for (const Lifetime &b : buffers) {
    delta[b.start] += int64_t(b.bytes);
    delta[b.end + 1] -= int64_t(b.bytes);
  }
  int64_t live = 0, peak = 0;
  for (const auto &[point, d] : delta) {
    live += d;
    peak = std::max(peak, live);
  }
  return uint64_t(peak);
}

Packing pack(const std::vector<Lifetime> &buffers, uint64_t alignment) {
  auto length = [&](size_t i) { return buffers[i].end - buffers[i].start + 1; };
  using Less = std::function<bool(size_t, size_t)>;
  const Less orders[] = {
      // Largest first: big buffers define the arena, small ones fill gaps.
      [&](size_t a, size_t b) {
        if (buffers[a].bytes != buffers[b].bytes)
          return buffers[a].bytes > buffers[b].bytes;
        return length(a) > length(b);
      },
      // Longest-lived first: they constrain the most others.
      [&](size_t a, size_t b) {
        if (length(a) != length(b))
          return length(a) > length(b);
        return buffers[a].bytes > buffers[b].bytes;
      },
      // Largest area (bytes x lifetime) first.
      [&](size_t a, size_t b) {
        return double(buffers[a].bytes) * double(length(a)) >
               double(buffers[b].bytes) * double(length(b));
      },
      // Program order, as a run-time allocator would see them.
      [&](size_t a, size_t b) {
        if (buffers[a].start != buffers[b].start)
          return buffers[a].start < buffers[b].start;
        return buffers[a].bytes > buffers[b].bytes;
      },
  };
  Packing best;
  bool have = false;
  for (const Less &less : orders) {
    std::vector<size_t> order(buffers.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), less);
    for (Fit fit : {Fit::Lowest, Fit::Tightest}) {
      Packing p = place(buffers, order, alignment, fit);
      if (!have || p.arenaBytes < best.arenaBytes) {
        best = std::move(p);
        have = true;
      }
    }
  }
  if (!have)
    best.offsets.assign(buffers.size(), 0);
  return best;
}

bool isValid(const std::vector<Lifetime> &buffers, const Packing &packing) {
  if (packing.offsets.size() != buffers.size())
    return false;
  for (size_t i = 0; i < buffers.size(); ++i) {
    if (buffers[i].bytes == 0)
      continue;
    uint64_t ai = packing.offsets[i], bi = ai + buffers[i].bytes;
    if (bi > packing.arenaBytes)
      return false;
    for (size_t j = i + 1; j < buffers.size(); ++j) {
      if (buffers[j].bytes == 0 || !overlap(buffers[i], buffers[j]))
        continue;
      uint64_t aj = packing.offsets[j], bj = aj + buffers[j].bytes;
      if (ai < bj && aj < bi)
        return false;
    }
  }
  return true;
}

} // namespace kiln::arena
