//===- ArenaPacking.h - offsets for buffers with known lifetimes -*- C++ -*-===//
//
// The offline half of the static memory plan, free of MLIR so that it can
// be tested on its own: given each buffer's size and the program points
// [start, end] where it is live, give every buffer an offset in one arena
// so that two buffers live at a common point never overlap, keeping the
// arena small. The lower bound is the largest total size of buffers live at
// one point: no assignment can do better.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_CPU_ARENAPACKING_H
#define KILN_BACKENDS_CPU_ARENAPACKING_H

#include <cstdint>
#include <vector>

namespace kiln::arena {

struct Lifetime {
  uint64_t bytes = 0;
  /// Live at every program point start..end (both included).
  int64_t start = 0, end = 0;
};

struct Packing {
  std::vector<uint64_t> offsets; ///< one per buffer, multiples of alignment
  uint64_t arenaBytes = 0;       ///< a multiple of alignment
};

/// The largest total of `bytes` of buffers live at one program point.
uint64_t lowerBound(const std::vector<Lifetime> &buffers);

/// Offsets (multiples of `alignment`, a power of two) for `buffers`. Tries
/// a few placement orders and keeps the smallest arena.
Packing pack(const std::vector<Lifetime> &buffers, uint64_t alignment);

/// True when no two buffers live at a common point overlap in the arena
/// and all fit in it (for tests and assertions).
bool isValid(const std::vector<Lifetime> &buffers, const Packing &packing);

} // namespace kiln::arena

#endif // KILN_BACKENDS_CPU_ARENAPACKING_H
