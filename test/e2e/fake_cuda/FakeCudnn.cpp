//===- FakeCudnn.cpp - a cuDNN that records and computes, for tests --------===//
//
// Loaded by the runtime through KILN_CUDNN_LIBRARY in place of libcudnn.so,
// next to the fake driver (whose device memory is host memory), so that the
// runtime's convolution path (descriptors, the algorithm search, the fused
// bias + residual + ReLU call and its fallback of separate calls) runs
// without a GPU. Float32 NCHW data is computed by cuDNN's documented
// definitions; other types are only recorded. Each compute call appends a
// line to the file named by KILN_FAKE_CUDNN_LOG:
//
//   fused n c h w k r s groups=G act=<0|1> z=<0|1>   (BiasActivationForward)
//   conv n c h w k r s groups=G                      (ConvolutionForward)
//   add-tensor <bias|full>                           (AddTensor)
//   activation                                       (ActivationForward)
//
// With KILN_FAKE_CUDNN_NO_FUSED=1 the fused call answers
// CUDNN_STATUS_NOT_SUPPORTED, as cuDNN does for some algorithms, so that
// the runtime's fallback is exercised.
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>

namespace {

constexpr int kFloat = 0;
constexpr int kSuccess = 0, kBadParam = 3, kNotSupported = 9;

struct Tensor4d {
  int type = kFloat, n = 0, c = 0, h = 0, w = 0;
};
struct Filter {
  int type = kFloat, k = 0, c = 0, r = 0, s = 0;
};
struct Conv {
  int padH = 0, padW = 0, strideH = 1, strideW = 1, dilH = 1, dilW = 1;
  int groups = 1;
};
struct Activation {
  int mode = 0;
};

void log(const char *fmt, const Tensor4d &x, const Filter &w, const Conv &cv,
         const char *tail) {
  const char *path = std::getenv("KILN_FAKE_CUDNN_LOG");
  if (!path)
    return;
  if (FILE *f = std::fopen(path, "a")) {
    std::fprintf(f, "%s %d %d %d %d %d %d %d groups=%d%s\n", fmt, x.n, x.c,
                 x.h, x.w, w.k, w.r, w.s, cv.groups, tail);
    std::fclose(f);
  }
}

void logLine(const char *line) {
  const char *path = std::getenv("KILN_FAKE_CUDNN_LOG");
  if (!path)
    return;
  if (FILE *f = std::fopen(path, "a")) {
    std::fprintf(f, "%s\n", line);
    std::fclose(f);
  }
}

int outSize(int in, int pad, int dil, int k, int stride) {
  return (in + 2 * pad - dil * (k - 1) - 1) / stride + 1;
}

/// y = alpha * conv(x, w) + beta * y (cross-correlation, grouped).
void convolve(const Tensor4d &xd, const float *x, const Filter &wd,
              const float *w, const Conv &cv, const Tensor4d &yd, float *y,
              float alpha, float beta) {
  int cpg = xd.c / cv.groups, kpg = wd.k / cv.groups;
  for (int n = 0; n < yd.n; ++n)
    for (int k = 0; k < yd.c; ++k) {
      int g = k / kpg;
      for (int p = 0; p < yd.h; ++p)
        for (int q = 0; q < yd.w; ++q) {
          double sum = 0;
          for (int c = 0; c < cpg; ++c)
            for (int r = 0; r < wd.r; ++r)
              for (int s = 0; s < wd.s; ++s) {
                int ih = p * cv.strideH - cv.padH + r * cv.dilH;
                int iw = q * cv.strideW - cv.padW + s * cv.dilW;
                if (ih < 0 || ih >= xd.h || iw < 0 || iw >= xd.w)
                  continue;
                float xv = x[((size_t(n) * xd.c + g * cpg + c) * xd.h + ih) *
                                 xd.w +
                             iw];
                float wv = w[((size_t(k) * cpg + c) * wd.r + r) * wd.s + s];
                sum += double(xv) * wv;
              }
          float &out = y[((size_t(n) * yd.c + k) * yd.h + p) * yd.w + q];
          out = alpha * float(sum) + (beta != 0 ? beta * out : 0.f);
        }
    }
}

size_t count(const Tensor4d &t) { return size_t(t.n) * t.c * t.h * t.w; }

} // namespace

extern "C" {

size_t cudnnGetVersion() { return 90100; }
const char *cudnnGetErrorString(int status) {
  return status == kNotSupported ? "CUDNN_STATUS_NOT_SUPPORTED (fake)"
                                 : "fake cuDNN error";
}
int cudnnCreate(void **handle) {
  static int token;
  *handle = &token;
  return kSuccess;
}
int cudnnDestroy(void *) { return kSuccess; }
int cudnnSetStream(void *, void *) { return kSuccess; }

int cudnnCreateTensorDescriptor(void **d) {
  *d = new Tensor4d;
  return kSuccess;
}
int cudnnDestroyTensorDescriptor(void *d) {
  delete static_cast<Tensor4d *>(d);
  return kSuccess;
}
int cudnnSetTensor4dDescriptor(void *d, int format, int type, int n, int c,
                               int h, int w) {
  if (format != 0) // NCHW only
    return kBadParam;
  *static_cast<Tensor4d *>(d) = {type, n, c, h, w};
  return kSuccess;
}
int cudnnCreateFilterDescriptor(void **d) {
  *d = new Filter;
  return kSuccess;
}
int cudnnDestroyFilterDescriptor(void *d) {
  delete static_cast<Filter *>(d);
  return kSuccess;
}
int cudnnSetFilter4dDescriptor(void *d, int type, int format, int k, int c,
                               int h, int w) {
  if (format != 0)
    return kBadParam;
  *static_cast<Filter *>(d) = {type, k, c, h, w};
  return kSuccess;
}
int cudnnCreateConvolutionDescriptor(void **d) {
  *d = new Conv;
  return kSuccess;
}
int cudnnDestroyConvolutionDescriptor(void *d) {
  delete static_cast<Conv *>(d);
  return kSuccess;
}
int cudnnSetConvolution2dDescriptor(void *d, int padH, int padW, int strideH,
                                    int strideW, int dilH, int dilW, int mode,
                                    int) {
  if (mode != 1) // cross-correlation
    return kBadParam;
  auto *cv = static_cast<Conv *>(d);
  int groups = cv->groups;
  *cv = {padH, padW, strideH, strideW, dilH, dilW, groups};
  return kSuccess;
}
int cudnnSetConvolutionGroupCount(void *d, int groups) {
  static_cast<Conv *>(d)->groups = groups;
  return kSuccess;
}
int cudnnSetConvolutionMathType(void *, int) { return kSuccess; }
int cudnnGetConvolution2dForwardOutputDim(void *conv, void *x, void *w, int *n,
                                          int *c, int *h, int *w_) {
  auto &cv = *static_cast<Conv *>(conv);
  auto &xd = *static_cast<Tensor4d *>(x);
  auto &wd = *static_cast<Filter *>(w);
  if (xd.c != wd.c * cv.groups)
    return kBadParam;
  *n = xd.n;
  *c = wd.k;
  *h = outSize(xd.h, cv.padH, cv.dilH, wd.r, cv.strideH);
  *w_ = outSize(xd.w, cv.padW, cv.dilW, wd.s, cv.strideW);
  return kSuccess;
}

struct Perf { // cudnnConvolutionFwdAlgoPerf_t
  int algo;
  int status;
  float time;
  size_t memory;
  int determinism;
  int mathType;
  int reserved[3];
};

int cudnnFindConvolutionForwardAlgorithm(void *, void *, void *, void *conv,
                                         void *, int requested, int *returned,
                                         Perf *results) {
  // Fastest first, as cuDNN sorts them. The first search of a convolution
  // descriptor is "cold" (as each kernel's first launch is on a GPU, with
  // lazy module loading): IMPLICIT_GEMM with FMA looks fastest. Later ones
  // are warm: IMPLICIT_PRECOMP_GEMM on tensor cores, then FFT (default
  // math), then IMPLICIT_GEMM.
  static std::mutex mutex;
  static std::set<void *> searched;
  bool warm;
  {
    std::lock_guard<std::mutex> lock(mutex);
    warm = !searched.insert(conv).second;
  }
  const Perf cold[] = {{0, 0, 0.050f, 0, 1, 3, {}},
                       {1, 0, 0.500f, 1024, 1, 1, {}},
                       {4, 0, 0.600f, 4096, 1, 0, {}}};
  const Perf hot[] = {{1, 0, 0.020f, 1024, 1, 1, {}},
                      {4, 0, 0.030f, 4096, 1, 0, {}},
                      {0, 0, 0.050f, 0, 1, 3, {}}};
  if (requested < 1)
    return kBadParam;
  *returned = std::min(requested, 3);
  std::memcpy(results, warm ? hot : cold, sizeof(Perf) * size_t(*returned));
  return kSuccess;
}
int cudnnGetConvolutionForwardWorkspaceSize(void *, void *, void *, void *,
                                            void *, int, size_t *bytes) {
  *bytes = 1024; // so that the runtime's workspace is exercised
  return kSuccess;
}

int cudnnConvolutionForward(void *, const void *alpha, void *xDesc,
                            const void *x, void *wDesc, const void *w,
                            void *convDesc, int, void *, size_t,
                            const void *beta, void *yDesc, void *y) {
  auto &xd = *static_cast<Tensor4d *>(xDesc);
  auto &wd = *static_cast<Filter *>(wDesc);
  auto &cv = *static_cast<Conv *>(convDesc);
  log("conv", xd, wd, cv, "");
  if (xd.type == kFloat)
    convolve(xd, static_cast<const float *>(x), wd,
             static_cast<const float *>(w), cv, *static_cast<Tensor4d *>(yDesc),
             static_cast<float *>(y), *static_cast<const float *>(alpha),
             *static_cast<const float *>(beta));
  return kSuccess;
}

int cudnnConvolutionBiasActivationForward(
    void *, const void *alpha1, void *xDesc, const void *x, void *wDesc,
    const void *w, void *convDesc, int, void *, size_t, const void *alpha2,
    void *zDesc, const void *z, void *, const void *bias, void *actDesc,
    void *yDesc, void *y) {
  const char *off = std::getenv("KILN_FAKE_CUDNN_NO_FUSED");
  if (off && *off == '1')
    return kNotSupported;
  auto &xd = *static_cast<Tensor4d *>(xDesc);
  auto &wd = *static_cast<Filter *>(wDesc);
  auto &cv = *static_cast<Conv *>(convDesc);
  auto &yd = *static_cast<Tensor4d *>(yDesc);
  int mode = static_cast<Activation *>(actDesc)->mode;
  float a2 = *static_cast<const float *>(alpha2);
  char tail[64];
  std::snprintf(tail, sizeof tail, " act=%d z=%d", mode, a2 != 0 ? 1 : 0);
  log("fused", xd, wd, cv, tail);
  (void)zDesc;
  if (xd.type != kFloat)
    return kSuccess;
  // y = act(alpha1 * conv(x) + alpha2 * z + bias); z may be y.
  size_t total = count(yd);
  float *out = static_cast<float *>(y);
  float *scaledZ = new float[total];
  for (size_t i = 0; i < total; ++i)
    scaledZ[i] = a2 != 0 ? a2 * static_cast<const float *>(z)[i] : 0.f;
  convolve(xd, static_cast<const float *>(x), wd,
           static_cast<const float *>(w), cv, yd, out,
           *static_cast<const float *>(alpha1), 0.f);
  size_t plane = size_t(yd.h) * yd.w;
  for (size_t i = 0; i < total; ++i) {
    float v = out[i] + scaledZ[i] +
              static_cast<const float *>(bias)[(i / plane) % yd.c];
    out[i] = mode == 1 && v < 0 ? 0.f : v;
  }
  delete[] scaledZ;
  return kSuccess;
}

int cudnnCreateActivationDescriptor(void **d) {
  *d = new Activation;
  return kSuccess;
}
int cudnnDestroyActivationDescriptor(void *d) {
  delete static_cast<Activation *>(d);
  return kSuccess;
}
int cudnnSetActivationDescriptor(void *d, int mode, int, double) {
  static_cast<Activation *>(d)->mode = mode;
  return kSuccess;
}

/// c = alpha * a + beta * c, a broadcast where its sizes are 1.
int cudnnAddTensor(void *, const void *alpha, void *aDesc, const void *a,
                   const void *beta, void *cDesc, void *c) {
  auto &ad = *static_cast<Tensor4d *>(aDesc);
  auto &cd = *static_cast<Tensor4d *>(cDesc);
  bool full = ad.n == cd.n && ad.c == cd.c && ad.h == cd.h && ad.w == cd.w;
  logLine(full ? "add-tensor full" : "add-tensor bias");
  if (cd.type != kFloat)
    return kSuccess;
  float al = *static_cast<const float *>(alpha),
        be = *static_cast<const float *>(beta);
  const float *av = static_cast<const float *>(a);
  float *cv = static_cast<float *>(c);
  for (int n = 0; n < cd.n; ++n)
    for (int ch = 0; ch < cd.c; ++ch)
      for (int h = 0; h < cd.h; ++h)
        for (int w = 0; w < cd.w; ++w) {
          size_t ai = ((size_t(ad.n > 1 ? n : 0) * ad.c + (ad.c > 1 ? ch : 0)) *
                           ad.h +
                       (ad.h > 1 ? h : 0)) *
                          ad.w +
                      (ad.w > 1 ? w : 0);
          float &out = cv[((size_t(n) * cd.c + ch) * cd.h + h) * cd.w + w];
          out = al * av[ai] + be * out;
        }
  return kSuccess;
}

int cudnnActivationForward(void *, void *actDesc, const void *alpha,
                           void *xDesc, const void *x, const void *beta,
                           void *, void *y) {
  logLine("activation");
  auto &xd = *static_cast<Tensor4d *>(xDesc);
  if (xd.type != kFloat || static_cast<Activation *>(actDesc)->mode != 1)
    return xd.type != kFloat ? kSuccess : kNotSupported;
  float al = *static_cast<const float *>(alpha),
        be = *static_cast<const float *>(beta);
  const float *in = static_cast<const float *>(x);
  float *out = static_cast<float *>(y);
  for (size_t i = 0, e = count(xd); i < e; ++i) {
    float v = in[i] > 0 ? in[i] : 0.f;
    out[i] = al * v + (be != 0 ? be * out[i] : 0.f);
  }
  return kSuccess;
}

} // extern "C"
