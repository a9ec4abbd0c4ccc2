//===- ArenaPackingTest.cpp - offsets for buffers with known lifetimes ----===//
#include "backends/cpu/ArenaPacking.h"

#include <gtest/gtest.h>

#include <random>

using kiln::arena::Lifetime;
using kiln::arena::lowerBound;
using kiln::arena::isValid;
using kiln::arena::pack;

TEST(ArenaPacking, DisjointLifetimesShareOverlappingOnesDoNot) {
  // a [0,1] and b [2,3] never live together; c [1,2] meets both.
  std::vector<Lifetime> buffers = {{100, 0, 1}, {100, 2, 3}, {50, 1, 2}};
  auto p = pack(buffers, 64);
  ASSERT_TRUE(isValid(buffers, p));
  EXPECT_EQ(p.offsets[0], p.offsets[1]);
  EXPECT_NE(p.offsets[2], p.offsets[0]);
  EXPECT_EQ(p.arenaBytes, 128u + 64u); // 100 and 50, each rounded up to 64
  EXPECT_EQ(lowerBound(buffers), 150u);
  for (uint64_t o : p.offsets)
    EXPECT_EQ(o % 64, 0u);
}

TEST(ArenaPacking, LifetimesIncludeBothEnds) {
  // [0,2] and [2,4] meet at point 2: both live there.
  std::vector<Lifetime> buffers = {{64, 0, 2}, {64, 2, 4}};
  auto p = pack(buffers, 64);
  EXPECT_NE(p.offsets[0], p.offsets[1]);
  EXPECT_EQ(lowerBound(buffers), 128u);
}

TEST(ArenaPacking, EmptyBuffersTakeNoSpace) {
  std::vector<Lifetime> buffers = {{0, 0, 5}, {64, 0, 5}, {0, 3, 3}};
  auto p = pack(buffers, 64);
  ASSERT_TRUE(isValid(buffers, p));
  EXPECT_EQ(p.arenaBytes, 64u);
  EXPECT_TRUE(pack({}, 64).offsets.empty());
  EXPECT_EQ(pack({}, 64).arenaBytes, 0u);
  EXPECT_EQ(lowerBound({}), 0u);
}

TEST(ArenaPacking, IsValidCatchesOverlap) {
  std::vector<Lifetime> buffers = {{64, 0, 3}, {64, 1, 2}};
  kiln::arena::Packing bad{{0, 0}, 64};
  EXPECT_FALSE(isValid(buffers, bad));
  kiln::arena::Packing tooSmall{{0, 64}, 64};
  EXPECT_FALSE(isValid(buffers, tooSmall));
}

// A chain with skip connections, as in a residual network: the packing
// reaches the bound exactly when sizes are multiples of the alignment.
TEST(ArenaPacking, ResidualChainReachesTheBound) {
  std::vector<Lifetime> buffers;
  for (int block = 0; block < 8; ++block) {
    int64_t t = block * 3;
    uint64_t size = 4096u << (block / 3);
    buffers.push_back({size, t, t + 3});     // block input, kept for the add
    buffers.push_back({size / 2, t + 1, t + 2});
    buffers.push_back({size, t + 2, t + 3}); // branch output
  }
  auto p = pack(buffers, 64);
  ASSERT_TRUE(isValid(buffers, p));
  EXPECT_EQ(p.arenaBytes, lowerBound(buffers));
}

// Random lifetimes: always valid, never below the bound, and within 1.25x
// of it (greedy packing of interval graphs stays close: 1.16 at worst
// over 200 such rounds).
TEST(ArenaPacking, RandomLifetimes) {
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::vector<Lifetime> buffers;
    int n = 1 + rng() % 120;
    for (int i = 0; i < n; ++i) {
      int64_t start = rng() % 200;
      buffers.push_back({uint64_t(rng() % 100000), start,
                         start + int64_t(rng() % 30)});
    }
    auto p = pack(buffers, 64);
    ASSERT_TRUE(isValid(buffers, p)) << "round " << round;
    uint64_t bound = lowerBound(buffers);
    EXPECT_GE(p.arenaBytes, bound);
    EXPECT_LE(double(p.arenaBytes), 1.25 * double(bound) + 64.0 * n)
        << "round " << round;
  }
}
