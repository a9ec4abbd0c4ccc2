//===- DeviceArenaTest.cpp - the CUDA runtime's arena planning -------------===//
#include "lib/runtime/cuda/DeviceArena.h"

#include <gtest/gtest.h>

using kiln::cuda::ArenaPlanner;

TEST(ArenaPlanner, AlignsAndStacks) {
  ArenaPlanner p;
  EXPECT_EQ(p.allocate(10), 0u);
  EXPECT_EQ(p.sizeAt(0), 256u);
  EXPECT_EQ(p.allocate(256), 256u);
  EXPECT_EQ(p.allocate(0), 512u); // empty buffers still get distinct offsets
  EXPECT_EQ(p.highWater(), 768u);
  EXPECT_EQ(p.live(), 768u);
}

TEST(ArenaPlanner, ReusesFreedRangesFirstFit) {
  ArenaPlanner p;
  uint64_t a = p.allocate(1000); // 1024
  uint64_t b = p.allocate(512);
  uint64_t c = p.allocate(256);
  EXPECT_TRUE(p.release(a));
  // Fits in a's hole: no growth.
  uint64_t d = p.allocate(300);
  EXPECT_EQ(d, a);
  uint64_t e = p.allocate(512); // the rest of the hole (1024 - 512)
  EXPECT_EQ(e, 512u);
  EXPECT_EQ(p.highWater(), 1024u + 512 + 256);
  // Too big for any hole: grows at the end.
  EXPECT_TRUE(p.release(b));
  uint64_t f = p.allocate(2048);
  EXPECT_EQ(f, c + 256);
  (void)e;
}

TEST(ArenaPlanner, CoalescesNeighbours) {
  ArenaPlanner p;
  uint64_t a = p.allocate(256), b = p.allocate(256), c = p.allocate(256);
  uint64_t keep = p.allocate(256);
  EXPECT_TRUE(p.release(a));
  EXPECT_TRUE(p.release(c));
  EXPECT_TRUE(p.release(b)); // a, b, c become one 768-byte hole
  EXPECT_EQ(p.allocate(768), a);
  EXPECT_EQ(p.highWater(), 1024u);
  (void)keep;
}

TEST(ArenaPlanner, TopHoleShrinksTheEnd) {
  ArenaPlanner p;
  uint64_t a = p.allocate(256), b = p.allocate(256);
  EXPECT_TRUE(p.release(b));
  EXPECT_TRUE(p.release(a));
  EXPECT_EQ(p.live(), 0u);
  // Everything is free again: a larger buffer starts at 0.
  EXPECT_EQ(p.allocate(4096), 0u);
  EXPECT_EQ(p.highWater(), 4096u);
}

TEST(ArenaPlanner, RejectsUnknownOffsets) {
  ArenaPlanner p;
  uint64_t a = p.allocate(256);
  EXPECT_FALSE(p.release(a + 1));
  EXPECT_TRUE(p.release(a));
  EXPECT_FALSE(p.release(a)); // twice
}

TEST(ArenaPlanner, ResetKeepsTheHighWaterMark) {
  ArenaPlanner p;
  p.allocate(1 << 20);
  p.allocate(1 << 10);
  p.reset();
  EXPECT_EQ(p.live(), 0u);
  EXPECT_EQ(p.highWater(), (1u << 20) + 1024);
  // The same sequence after a reset gets the same offsets.
  EXPECT_EQ(p.allocate(1 << 20), 0u);
  EXPECT_EQ(p.allocate(1 << 10), 1u << 20);
}
