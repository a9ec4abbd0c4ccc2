//===- HalfFloats.h - float32 to float16 / bfloat16 bits --------*- C++ -*-===//
//
// Weights converted at compile time (kiln-cuda-lower-precision) round to
// nearest even, as the device's cvt.rn does for activations, so that a
// weight and an activation of the same value get the same bits. Bit
// manipulation rather than APFloat: ResNet-50 and BERT have tens of
// millions of weights.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_CUDA_HALFFLOATS_H
#define KILN_BACKENDS_CUDA_HALFFLOATS_H

#include <cmath>
#include <cstdint>
#include <cstring>

namespace kiln::cuda {

inline uint32_t floatBits(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  return x;
}

inline float bitsFloat(uint32_t x) {
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

/// IEEE binary16, round to nearest even; overflow gives infinity,
/// subnormals are kept, NaN stays a (quiet) NaN. The float arithmetic does
/// the rounding: scaling by 2^112 then 2^-110 moves the value where the
/// float's own rounding of the added bias drops exactly the 13 bits that
/// binary16 lacks (M. Maratyszcza's FP16 library, MIT).
inline uint16_t floatToHalfBits(float f) {
  float base = (std::fabs(f) * 0x1.0p+112f) * 0x1.0p-110f;
  uint32_t w = floatBits(f);
  uint32_t shl1 = w + w;
  uint32_t sign = w & 0x80000000u;
  uint32_t bias = shl1 & 0xFF000000u;
  if (bias < 0x71000000u)
    bias = 0x71000000u;
  base = bitsFloat((bias >> 1) + 0x07800000u) + base;
  uint32_t bits = floatBits(base);
  uint32_t exponent = (bits >> 13) & 0x00007C00u;
  uint32_t mantissa = bits & 0x00000FFFu;
  uint32_t nonsign = exponent + mantissa;
  return uint16_t((sign >> 16) | (shl1 > 0xFF000000u ? 0x7E00u : nonsign));
}

/// bfloat16 (the high half of a float), round to nearest even; NaN stays a
/// quiet NaN.
inline uint16_t floatToBf16Bits(float f) {
  uint32_t x = floatBits(f);
  if ((x & 0x7FFFFFFFu) > 0x7F800000u)
    return uint16_t((x >> 16) | 0x0040u);
  return uint16_t((x + 0x7FFFu + ((x >> 16) & 1u)) >> 16);
}

inline float halfBitsToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1Fu, mantissa = h & 0x3FFu;
  if (exponent == 0x1F)
    return bitsFloat(sign | 0x7F800000u | (mantissa << 13));
  if (exponent == 0) { // zero or subnormal: mantissa * 2^-24
    float v = float(mantissa) * 0x1.0p-24f;
    return sign ? -v : v;
  }
  return bitsFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

inline float bf16BitsToFloat(uint16_t b) { return bitsFloat(uint32_t(b) << 16); }

} // namespace kiln::cuda

#endif // KILN_BACKENDS_CUDA_HALFFLOATS_H
