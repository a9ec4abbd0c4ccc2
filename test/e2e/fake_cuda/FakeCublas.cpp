//===- FakeCublas.cpp - a cuBLAS that records its calls, for tests ---------===//
//
// Loaded by the runtime through KILN_CUBLAS_LIBRARY in place of
// libcublas.so, next to the fake driver (whose device memory is host
// memory), so that the data types and compute type an artifact's matrix
// products ask cuBLAS for can be checked without a GPU. Each
// cublasGemmStridedBatchedEx appends one line to the file named by
// KILN_FAKE_CUBLAS_LOG:
//   gemm a=<cudaDataType> b=<..> c=<..> compute=<cublasComputeType_t> m n k
//        [op=<transa><transb> batch=<count>]
// (the bracketed part only for batched or transposed calls, N or T per
// operand in cuBLAS's column-major terms) and computes nothing.
//
//===----------------------------------------------------------------------===//
#include <cstdio>
#include <cstdlib>

extern "C" {

int cublasCreate_v2(void **handle) {
  static int token;
  *handle = &token;
  return 0;
}

int cublasDestroy_v2(void *) { return 0; }

int cublasSetStream_v2(void *, void *) { return 0; }

int cublasGemmStridedBatchedEx(void *, int transa, int transb, int m, int n,
                               int k, const void *, const void *, int aType,
                               int, long long, const void *, int bType, int,
                               long long, const void *, void *, int cType, int,
                               long long, int batch, int computeType, int) {
  const char *path = std::getenv("KILN_FAKE_CUBLAS_LOG");
  if (!path)
    return 0;
  if (FILE *f = std::fopen(path, "a")) {
    std::fprintf(f, "gemm a=%d b=%d c=%d compute=%d %d %d %d", aType, bType,
                 cType, computeType, m, n, k);
    // cublasOperation_t: CUBLAS_OP_N 0, CUBLAS_OP_T 1.
    if (batch != 1 || transa || transb)
      std::fprintf(f, " op=%c%c batch=%d", transa ? 'T' : 'N',
                   transb ? 'T' : 'N', batch);
    std::fprintf(f, "\n");
    std::fclose(f);
  }
  return 0;
}

} // extern "C"
