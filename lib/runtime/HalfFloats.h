//===- HalfFloats.h - float32 to float16 / bfloat16 bits --------*- C++ -*-===//
//
// The one conversion between float32 and the 16-bit floats, for the
// compiler (weights rounded at compile time by kiln-cuda-lower-precision)
// and the runtime (random fp16 weights and inputs, printing fp16 outputs).
// Round to nearest even, as the device's cvt.rn does for activations, so
// that a weight and an activation of the same value get the same bits. Bit
// manipulation rather than APFloat: ResNet-50 and BERT have tens of
// millions of weights.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_RUNTIME_HALFFLOATS_H
#define KILN_LIB_RUNTIME_HALFFLOATS_H

#include <cmath>
#include <cstdint>
#include <cstring>

namespace kiln {

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
/// subnormals are kept, NaN stays a (quiet) NaN. Normal results round the
/// 13 mantissa bits binary16 lacks (adding just under half an ulp, plus the
/// kept bit's parity, carries exactly when rounding goes up, into the
/// exponent too) and rebias the exponent (127 - 15 = 112); below 2^-14 the
/// result is the subnormal count of 2^-24, which scaling by 2^24 gives
/// exactly and nearbyint rounds to even.
inline uint16_t floatToHalfBits(float f) {
  uint32_t x = floatBits(f);
  uint16_t sign = uint16_t((x >> 16) & 0x8000u);
  uint32_t magnitude = x & 0x7FFFFFFFu;
  if (magnitude > 0x7F800000u) // NaN
    return uint16_t(sign | 0x7E00u);
  if (magnitude >= 0x477FF000u) // 65520 and up round to infinity
    return uint16_t(sign | 0x7C00u);
  if (magnitude < 0x38800000u) // below 2^-14: subnormal or zero
    return uint16_t(
        sign | uint16_t(std::nearbyint(bitsFloat(magnitude) * 0x1.0p24f)));
  uint32_t rounded = magnitude + 0x0FFFu + ((magnitude >> 13) & 1u);
  return uint16_t(sign | ((rounded - 0x38000000u) >> 13));
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

} // namespace kiln

#endif // KILN_LIB_RUNTIME_HALFFLOATS_H
