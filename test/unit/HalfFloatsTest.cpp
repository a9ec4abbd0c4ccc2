//===- HalfFloatsTest.cpp - float32 <-> float16/bfloat16 conversions ------===//
//
// The reference is the hardware: x86's F16C conversion (vcvtps2ph with
// round-to-nearest-even), on a sweep through the float32 bit patterns, and
// the round trip of every binary16 value.
//
//===----------------------------------------------------------------------===//
#include "lib/runtime/HalfFloats.h"

#include <gtest/gtest.h>
#include <immintrin.h>

#include <cmath>

using namespace kiln;

namespace {

__attribute__((target("f16c"))) uint16_t hardwareHalf(float f) {
  return uint16_t(_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT));
}

bool isHalfNaN(uint16_t h) { return (h & 0x7C00u) == 0x7C00u && (h & 0x3FFu); }

TEST(HalfFloats, KnownValues) {
  EXPECT_EQ(floatToHalfBits(1.0f), 0x3C00u);
  EXPECT_EQ(floatToHalfBits(-2.0f), 0xC000u);
  EXPECT_EQ(floatToHalfBits(65504.0f), 0x7BFFu);   // largest finite
  EXPECT_EQ(floatToHalfBits(65519.996f), 0x7BFFu); // just under the midpoint
  EXPECT_EQ(floatToHalfBits(65520.0f), 0x7C00u);   // midpoint to infinity
  EXPECT_EQ(floatToHalfBits(0x1.0p-24f), 0x0001u); // smallest subnormal
  EXPECT_EQ(floatToHalfBits(0x1.0p-25f), 0x0000u); // tie to even: zero
  EXPECT_EQ(floatToHalfBits(0x1.8p-24f), 0x0002u); // tie to even: two
  EXPECT_EQ(floatToHalfBits(1.0f + 0x1.0p-11f), 0x3C00u); // tie, even kept
  EXPECT_EQ(floatToHalfBits(1.0f + 0x1.8p-10f), 0x3C02u); // tie, rounds up
  EXPECT_EQ(floatToHalfBits(-0.0f), 0x8000u);
  EXPECT_TRUE(isHalfNaN(floatToHalfBits(std::nanf(""))));
  EXPECT_EQ(floatToBf16Bits(1.0f), 0x3F80u);
  EXPECT_EQ(floatToBf16Bits(1.0f + 0x1.0p-8f), 0x3F80u);  // tie, even kept
  EXPECT_EQ(floatToBf16Bits(1.0f + 0x1.8p-7f), 0x3F82u);  // tie, rounds up
  EXPECT_EQ(floatToBf16Bits(3.4e38f), 0x7F80u);           // rounds to inf
  uint16_t nan = floatToBf16Bits(std::nanf(""));
  EXPECT_TRUE((nan & 0x7F80u) == 0x7F80u && (nan & 0x7Fu));
}

TEST(HalfFloats, MatchesF16cOnASweepOfAllFloats) {
  if (!__builtin_cpu_supports("f16c"))
    GTEST_SKIP() << "no F16C on this CPU";
  // A stride coprime to 2^32 visits every exponent and low-bit pattern.
  int mismatches = 0;
  for (uint64_t i = 0; i < (1ull << 32); i += 61) {
    float f = bitsFloat(uint32_t(i));
    uint16_t mine = floatToHalfBits(f), want = hardwareHalf(f);
    if (std::isnan(f) ? !isHalfNaN(mine) : mine != want) {
      if (++mismatches <= 5)
        ADD_FAILURE() << std::hex << "float bits 0x" << i << ": got 0x"
                      << mine << ", F16C gives 0x" << want;
    }
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(HalfFloats, EveryHalfRoundTrips) {
  for (uint32_t h = 0; h < 0x10000u; ++h) {
    float f = halfBitsToFloat(uint16_t(h));
    if (isHalfNaN(uint16_t(h))) {
      EXPECT_TRUE(std::isnan(f));
      continue;
    }
    EXPECT_EQ(floatToHalfBits(f), h) << std::hex << "half 0x" << h;
    EXPECT_EQ(bf16BitsToFloat(floatToBf16Bits(f)) == f,
              (floatBits(f) & 0xFFFFu) == 0);
  }
}

} // namespace
