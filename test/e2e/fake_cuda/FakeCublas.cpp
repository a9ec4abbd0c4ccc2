//===- FakeCublas.cpp - a cuBLAS and cuBLASLt that record their calls ------===//
//
// Loaded by the runtime through KILN_CUBLAS_LIBRARY and KILN_CUBLASLT_LIBRARY
// in place of libcublas.so and libcublasLt.so, next to the fake driver
// (whose device memory is host memory), so that what an artifact's matrix
// products ask the libraries for can be checked without a GPU. Each call
// appends one line to the file named by KILN_FAKE_CUBLAS_LOG:
//
//   cublasGemmStridedBatchedEx:
//     gemm a=<cudaDataType> b=<..> c=<..> compute=<cublasComputeType_t> m n k
//          [op=<transa><transb> batch=<count>]
//   cublasLtMatmulAlgoGetHeuristic (once per plan the runtime makes):
//     lt-heuristic m n k
//   cublasLtMatmul:
//     lt a=<..> c=<..> compute=<..> m n k epilogue=<cublasLtEpilogue_t>
//        bias=<0|1> [op=<transa><transb> batch=<count>]
//
// (m n k, N or T per operand, in cuBLAS's column-major terms; the bracketed
// part only for batched or transposed calls.) Float32 products are also
// computed, by the libraries' documented column-major definition, epilogue
// included (bias per row of D, then ReLU or tanh GELU), so that a model
// made only of library calls runs to correct outputs on the fake driver
// when the runtime passes the right shapes, strides and pointers. Other
// data types are only recorded.
//
//===----------------------------------------------------------------------===//
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

constexpr int kR32F = 0;
constexpr uint32_t kEpilogueRelu = 2, kEpilogueBias = 4, kEpilogueGelu = 32;

FILE *openLog() {
  const char *path = std::getenv("KILN_FAKE_CUBLAS_LOG");
  return path ? std::fopen(path, "a") : nullptr;
}

/// One strided batch of column-major products:
/// D[b] = epilogue(alpha * op(A[b]) op(B[b]) + beta * C[b]) with D = C.
struct Product {
  bool transA, transB;
  int64_t m, n, k;
  float alpha, beta;
  const float *a;
  int64_t lda, strideA;
  const float *b;
  int64_t ldb, strideB;
  float *c;
  int64_t ldc, strideC;
  int64_t batch;
  uint32_t epilogue = 1;
  const float *bias = nullptr;
};

void compute(const Product &p) {
  for (int64_t t = 0; t < p.batch; ++t) {
    const float *a = p.a + t * p.strideA, *b = p.b + t * p.strideB;
    float *c = p.c + t * p.strideC;
    for (int64_t j = 0; j < p.n; ++j)
      for (int64_t i = 0; i < p.m; ++i) {
        double sum = 0;
        for (int64_t l = 0; l < p.k; ++l) {
          float x = p.transA ? a[l + i * p.lda] : a[i + l * p.lda];
          float y = p.transB ? b[j + l * p.ldb] : b[l + j * p.ldb];
          sum += double(x) * y;
        }
        float &out = c[i + j * p.ldc];
        float v = p.alpha * float(sum) + (p.beta != 0 ? p.beta * out : 0.f);
        if (p.epilogue & kEpilogueBias)
          v += p.bias[i];
        if (p.epilogue & kEpilogueRelu)
          v = v > 0 ? v : 0;
        if (p.epilogue & kEpilogueGelu)
          v = 0.5f * v *
              (1 + std::tanh(0.7978845608f * (v + 0.044715f * v * v * v)));
        out = v;
      }
  }
}

struct Layout {
  int type;
  uint64_t rows, cols;
  int64_t ld;
  int32_t batch = 1;
  int64_t stride = 0;
};

struct MatmulDesc {
  int compute;
  int32_t transA = 0, transB = 0;
  uint32_t epilogue = 1;
  const void *bias = nullptr;
};

struct Preference {
  uint64_t maxWorkspace = 0;
};

} // namespace

extern "C" {

//===----------------------------------------------------------------------===//
// cuBLAS
//===----------------------------------------------------------------------===//

int cublasCreate_v2(void **handle) {
  static int token;
  *handle = &token;
  return 0;
}

int cublasDestroy_v2(void *) { return 0; }

int cublasSetStream_v2(void *, void *) { return 0; }

int cublasGemmStridedBatchedEx(void *, int transa, int transb, int m, int n,
                               int k, const void *alpha, const void *a,
                               int aType, int lda, long long strideA,
                               const void *b, int bType, int ldb,
                               long long strideB, const void *beta, void *c,
                               int cType, int ldc, long long strideC,
                               int batch, int computeType, int) {
  if (FILE *f = openLog()) {
    std::fprintf(f, "gemm a=%d b=%d c=%d compute=%d %d %d %d", aType, bType,
                 cType, computeType, m, n, k);
    // cublasOperation_t: CUBLAS_OP_N 0, CUBLAS_OP_T 1.
    if (batch != 1 || transa || transb)
      std::fprintf(f, " op=%c%c batch=%d", transa ? 'T' : 'N',
                   transb ? 'T' : 'N', batch);
    std::fprintf(f, "\n");
    std::fclose(f);
  }
  if (aType == kR32F && bType == kR32F && cType == kR32F)
    compute({transa != 0, transb != 0, m, n, k,
             *static_cast<const float *>(alpha),
             *static_cast<const float *>(beta),
             static_cast<const float *>(a), lda, strideA,
             static_cast<const float *>(b), ldb, strideB,
             static_cast<float *>(c), ldc, strideC, batch});
  return 0;
}

//===----------------------------------------------------------------------===//
// cuBLASLt
//===----------------------------------------------------------------------===//

int cublasLtCreate(void **handle) {
  static int token;
  *handle = &token;
  return 0;
}

int cublasLtDestroy(void *) { return 0; }

int cublasLtMatmulDescCreate(void **desc, int computeType, int) {
  *desc = new MatmulDesc{computeType};
  return 0;
}

int cublasLtMatmulDescDestroy(void *desc) {
  delete static_cast<MatmulDesc *>(desc);
  return 0;
}

int cublasLtMatmulDescSetAttribute(void *desc, int attr, const void *buf,
                                   size_t bytes) {
  auto *d = static_cast<MatmulDesc *>(desc);
  auto take = [&](auto &field) {
    if (bytes != sizeof field)
      return 7; // CUBLAS_STATUS_INVALID_VALUE
    std::memcpy(&field, buf, bytes);
    return 0;
  };
  switch (attr) {
  case 3: return take(d->transA);
  case 4: return take(d->transB);
  case 7: return take(d->epilogue);
  case 8: return take(d->bias);
  }
  return 7;
}

int cublasLtMatrixLayoutCreate(void **layout, int type, uint64_t rows,
                               uint64_t cols, int64_t ld) {
  *layout = new Layout{type, rows, cols, ld};
  return 0;
}

int cublasLtMatrixLayoutDestroy(void *layout) {
  delete static_cast<Layout *>(layout);
  return 0;
}

int cublasLtMatrixLayoutSetAttribute(void *layout, int attr, const void *buf,
                                     size_t bytes) {
  auto *l = static_cast<Layout *>(layout);
  if (attr == 5 && bytes == sizeof l->batch)
    std::memcpy(&l->batch, buf, bytes);
  else if (attr == 6 && bytes == sizeof l->stride)
    std::memcpy(&l->stride, buf, bytes);
  else
    return 7;
  return 0;
}

int cublasLtMatmulPreferenceCreate(void **pref) {
  *pref = new Preference;
  return 0;
}

int cublasLtMatmulPreferenceDestroy(void *pref) {
  delete static_cast<Preference *>(pref);
  return 0;
}

int cublasLtMatmulPreferenceSetAttribute(void *pref, int attr, const void *buf,
                                         size_t bytes) {
  if (attr == 1 && bytes == sizeof(uint64_t)) {
    std::memcpy(&static_cast<Preference *>(pref)->maxWorkspace, buf, bytes);
    return 0;
  }
  // The minimum alignments (5 to 8) are uint32_t.
  return attr >= 5 && attr <= 8 && bytes == sizeof(uint32_t) ? 0 : 7;
}

struct Heuristic { // cublasLtMatmulHeuristicResult_t
  uint64_t algo[8];
  size_t workspaceSize;
  int state;
  float wavesCount;
  int reserved[4];
};

int cublasLtMatmulAlgoGetHeuristic(void *, void *op, void *a, void *b, void *,
                                   void *d, void *pref, int requested,
                                   Heuristic *results, int *returned) {
  auto *desc = static_cast<MatmulDesc *>(op);
  auto *la = static_cast<Layout *>(a), *ld = static_cast<Layout *>(d);
  uint64_t k = desc->transA ? la->rows : la->cols;
  if (FILE *f = openLog()) {
    std::fprintf(f, "lt-heuristic %llu %llu %llu\n",
                 (unsigned long long)ld->rows, (unsigned long long)ld->cols,
                 (unsigned long long)k);
    std::fclose(f);
  }
  (void)b;
  if (requested < 1)
    return 7;
  std::memset(results, 0, sizeof *results);
  // A workspace, so that the runtime's is exercised.
  uint64_t limit = static_cast<Preference *>(pref)->maxWorkspace;
  results->workspaceSize = limit < 4096 ? limit : 4096;
  *returned = 1;
  return 0;
}

int cublasLtMatmul(void *, void *op, const void *alpha, const void *a,
                   void *aDesc, const void *b, void *bDesc, const void *beta,
                   const void *c, void *cDesc, void *d, void *dDesc,
                   const void *, void *, size_t, void *) {
  auto *desc = static_cast<MatmulDesc *>(op);
  auto *la = static_cast<Layout *>(aDesc), *lb = static_cast<Layout *>(bDesc);
  auto *ld = static_cast<Layout *>(dDesc);
  uint64_t k = desc->transA ? la->rows : la->cols;
  if (FILE *f = openLog()) {
    std::fprintf(f, "lt a=%d c=%d compute=%d %llu %llu %llu epilogue=%u bias=%d",
                 la->type, ld->type, desc->compute,
                 (unsigned long long)ld->rows, (unsigned long long)ld->cols,
                 (unsigned long long)k, desc->epilogue, desc->bias != nullptr);
    if (ld->batch != 1 || desc->transA || desc->transB)
      std::fprintf(f, " op=%c%c batch=%d", desc->transA ? 'T' : 'N',
                   desc->transB ? 'T' : 'N', ld->batch);
    std::fprintf(f, "\n");
    std::fclose(f);
  }
  // C and D the same matrix (the runtime's only use).
  if (c != d || cDesc != dDesc)
    return 7;
  if (la->type == kR32F && lb->type == kR32F && ld->type == kR32F) {
    Product p{desc->transA != 0, desc->transB != 0, int64_t(ld->rows),
              int64_t(ld->cols), int64_t(k),
              *static_cast<const float *>(alpha),
              *static_cast<const float *>(beta),
              static_cast<const float *>(a), la->ld, la->stride,
              static_cast<const float *>(b), lb->ld, lb->stride,
              static_cast<float *>(d), ld->ld, ld->stride, ld->batch};
    p.epilogue = desc->epilogue;
    p.bias = static_cast<const float *>(desc->bias);
    compute(p);
  }
  return 0;
}

} // extern "C"
