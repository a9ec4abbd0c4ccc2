// Times oneDNN's dnnl_sgemm on an NxN by NxN product, as the reference
// the GEMM rows of bench.py compare Kiln's generated code with.
//
//   dnnl_sgemm N [--warmup W] [--iters I]
//
// Threads come from OMP_NUM_THREADS (Debian's oneDNN runs on GNU OpenMP).
// The last line has kiln-run --bench's form,
// `median_ms=<x> min_ms=<y> iters=<n>`, followed by ` gflops=<median>`.
#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: dnnl_sgemm N [--warmup W] [--iters I]\n");
    return 2;
  }
  const long n = std::atol(argv[1]);
  int warmup = 1, iters = 10;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--warmup")) warmup = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--iters")) iters = std::atoi(argv[i + 1]);
  }
  if (n <= 0 || iters <= 0) return 2;

  std::vector<float> a(n * n), b(n * n), c(n * n);
  std::mt19937 gen(0);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  for (float &x : a) x = dist(gen);
  for (float &x : b) x = dist(gen);

  auto gemm = [&] {
    // Row-major C = A * B, as ONNX MatMul on two NxN inputs.
    dnnl_status_t s = dnnl_sgemm('N', 'N', n, n, n, 1.f, a.data(), n, b.data(),
                                 n, 0.f, c.data(), n);
    if (s != dnnl_success) {
      std::fprintf(stderr, "dnnl_sgemm failed: status %d\n", int(s));
      std::exit(1);
    }
  };

  // Check a few entries against a plain dot product, so a wrong call
  // (transposition, leading dimensions) cannot pass as a fast one.
  gemm();
  for (long i : {0L, n / 2, n - 1}) {
    for (long j : {0L, n / 3, n - 1}) {
      double ref = 0;
      for (long k = 0; k < n; ++k) ref += double(a[i * n + k]) * b[k * n + j];
      if (std::fabs(ref - c[i * n + j]) > 1e-3 * std::sqrt(double(n))) {
        std::fprintf(stderr, "dnnl_sgemm: C[%ld,%ld]=%g, expected %g\n", i, j,
                     c[i * n + j], ref);
        return 1;
      }
    }
  }

  for (int i = 0; i < warmup; ++i) gemm();
  std::vector<double> ms;
  for (int i = 0; i < iters; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    gemm();
    auto t1 = std::chrono::steady_clock::now();
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  size_t m = ms.size();
  double median = m % 2 ? ms[m / 2] : (ms[m / 2 - 1] + ms[m / 2]) / 2;
  std::printf("median_ms=%.4f min_ms=%.4f iters=%zu gflops=%.2f\n", median, ms[0],
              m, 2.0 * n * n * n / (median * 1e6));
  return 0;
}
