//===- CudaBindingsTest.cpp - Kiln's CUDA declarations against the headers -===//
//
// The runtime declares the few CUDA driver, cuDNN and cuBLAS constants and
// structures it uses itself (it dlopens the libraries and never includes
// their headers). Where the toolkit's headers are installed, this checks
// those declarations against them at compile time.
//
//===----------------------------------------------------------------------===//
#include "lib/runtime/cuda/CudaDriver.h"

#include <cublasLt.h>
#include <cublas_api.h>
#include <cuda.h>
#include <cudnn.h>

#include <gtest/gtest.h>

#include <cstddef>

namespace k = kiln::cuda;

// Driver API.
static_assert(k::CUDA_SUCCESS == ::CUDA_SUCCESS);
static_assert(k::CUDA_ERROR_OUT_OF_MEMORY == ::CUDA_ERROR_OUT_OF_MEMORY);
static_assert(k::CUDA_ERROR_NO_DEVICE == ::CUDA_ERROR_NO_DEVICE);
static_assert(k::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR ==
              ::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
static_assert(k::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR ==
              ::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
static_assert(k::CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED ==
              ::CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED);
static_assert(k::CU_MEMPOOL_ATTR_RELEASE_THRESHOLD ==
              ::CU_MEMPOOL_ATTR_RELEASE_THRESHOLD);
static_assert(k::CU_JIT_ERROR_LOG_BUFFER == ::CU_JIT_ERROR_LOG_BUFFER);
static_assert(k::CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES ==
              ::CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES);
static_assert(k::CU_STREAM_NON_BLOCKING == ::CU_STREAM_NON_BLOCKING);
static_assert(k::CU_EVENT_DEFAULT == ::CU_EVENT_DEFAULT);
static_assert(k::CU_STREAM_CAPTURE_MODE_RELAXED ==
              ::CU_STREAM_CAPTURE_MODE_RELAXED);
static_assert(sizeof(k::CUdeviceptr) == sizeof(::CUdeviceptr));
static_assert(sizeof(k::CUdevice) == sizeof(::CUdevice));
static_assert(sizeof(k::CUresult) == sizeof(::CUresult));

// The exported names the driver loader binds (CudaDriver.cpp) are the ones
// cuda.h maps the API to.
#define KILN_STR2(x) #x
#define KILN_STR(x) KILN_STR2(x)
constexpr bool same(const char *a, const char *b) {
  return *a == *b && (*a == 0 || same(a + 1, b + 1));
}
static_assert(same(KILN_STR(cuMemAlloc), "cuMemAlloc_v2"));
static_assert(same(KILN_STR(cuMemFree), "cuMemFree_v2"));
static_assert(same(KILN_STR(cuMemGetInfo), "cuMemGetInfo_v2"));
static_assert(same(KILN_STR(cuMemcpyHtoDAsync), "cuMemcpyHtoDAsync_v2"));
static_assert(same(KILN_STR(cuMemcpyDtoHAsync), "cuMemcpyDtoHAsync_v2"));
static_assert(same(KILN_STR(cuMemcpyDtoDAsync), "cuMemcpyDtoDAsync_v2"));
static_assert(same(KILN_STR(cuModuleGetGlobal), "cuModuleGetGlobal_v2"));
static_assert(same(KILN_STR(cuStreamDestroy), "cuStreamDestroy_v2"));
static_assert(same(KILN_STR(cuEventDestroy), "cuEventDestroy_v2"));
static_assert(same(KILN_STR(cuDevicePrimaryCtxRelease),
                   "cuDevicePrimaryCtxRelease_v2"));
static_assert(same(KILN_STR(cuStreamBeginCapture), "cuStreamBeginCapture_v2"));
static_assert(same(KILN_STR(cuStreamEndCapture), "cuStreamEndCapture"));
static_assert(same(KILN_STR(cuGraphInstantiate), "cuGraphInstantiateWithFlags"));
static_assert(same(KILN_STR(cuGraphLaunch), "cuGraphLaunch"));

// cuDNN (the runtime's constants are private to CudaLibraries.cpp; their
// values are repeated here).
static_assert(CUDNN_MAJOR == 9);
static_assert(CUDNN_DATA_FLOAT == 0 && CUDNN_DATA_HALF == 2 &&
              CUDNN_DATA_BFLOAT16 == 9);
static_assert(CUDNN_TENSOR_NCHW == 0);
static_assert(CUDNN_CROSS_CORRELATION == 1);
static_assert(CUDNN_DEFAULT_MATH == 0 && CUDNN_TENSOR_OP_MATH == 1 &&
              CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION == 2 &&
              CUDNN_FMA_MATH == 3);
static_assert(CUDNN_ACTIVATION_RELU == 1);
static_assert(CUDNN_NOT_PROPAGATE_NAN == 0);
static_assert(CUDNN_CONVOLUTION_FWD_ALGO_COUNT == 8);
static_assert(sizeof(cudnnConvolutionFwdAlgoPerf_t) == 48);
static_assert(offsetof(cudnnConvolutionFwdAlgoPerf_t, memory) == 16);
static_assert(offsetof(cudnnConvolutionFwdAlgoPerf_t, mathType) == 28);

// cuBLAS.
static_assert(CUDA_R_32F == 0 && CUDA_R_16F == 2 && CUDA_R_16BF == 14);
static_assert(CUBLAS_OP_N == 0 && CUBLAS_OP_T == 1);
static_assert(CUBLAS_COMPUTE_32F == 68 && CUBLAS_COMPUTE_32F_FAST_TF32 == 77);
static_assert(CUBLAS_GEMM_DEFAULT == -1);

// cuBLASLt.
static_assert(CUBLASLT_MATMUL_DESC_TRANSA == 3 &&
              CUBLASLT_MATMUL_DESC_TRANSB == 4 &&
              CUBLASLT_MATMUL_DESC_EPILOGUE == 7 &&
              CUBLASLT_MATMUL_DESC_BIAS_POINTER == 8);
static_assert(CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT == 5 &&
              CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET == 6);
static_assert(CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES == 1 &&
              CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES == 5 &&
              CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES == 6 &&
              CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES == 7 &&
              CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES == 8);
static_assert(CUBLASLT_EPILOGUE_DEFAULT == 1 && CUBLASLT_EPILOGUE_RELU == 2 &&
              CUBLASLT_EPILOGUE_BIAS == 4 && CUBLASLT_EPILOGUE_GELU == 32 &&
              CUBLASLT_EPILOGUE_RELU_BIAS == (2 | 4) &&
              CUBLASLT_EPILOGUE_GELU_BIAS == (32 | 4));
static_assert(sizeof(cublasLtMatmulHeuristicResult_t) == 96);
static_assert(offsetof(cublasLtMatmulHeuristicResult_t, workspaceSize) == 64);
static_assert(offsetof(cublasLtMatmulHeuristicResult_t, state) == 72);
static_assert(sizeof(cublasLtMatmulAlgo_t) == 64);
// The attribute types the runtime passes (sizes checked by cuBLASLt).
static_assert(sizeof(cublasOperation_t) == sizeof(int32_t));
static_assert(sizeof(cublasLtEpilogue_t) == sizeof(uint32_t));

TEST(CudaBindings, CheckedAtCompileTime) { SUCCEED(); }
