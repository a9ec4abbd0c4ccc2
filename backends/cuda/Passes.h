//===- Passes.h - CUDA backend passes ---------------------------*- C++ -*-===//
#ifndef KILN_BACKENDS_CUDA_PASSES_H
#define KILN_BACKENDS_CUDA_PASSES_H

#include "backends/library/IR/KilnLibDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace kiln {

#define GEN_PASS_DECL
#include "backends/cuda/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "backends/cuda/Passes.h.inc"

} // namespace kiln

#endif // KILN_BACKENDS_CUDA_PASSES_H
