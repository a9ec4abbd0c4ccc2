//===- Passes.h - CPU backend passes ----------------------------*- C++ -*-===//
#ifndef KILN_BACKENDS_CPU_PASSES_H
#define KILN_BACKENDS_CPU_PASSES_H

#include "backends/cpu/PackedGemm.h"
#include "backends/library/IR/KilnLibDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace kiln {

#define GEN_PASS_DECL
#include "backends/cpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "backends/cpu/Passes.h.inc"

/// The longest reduction window (product of its constant trip counts) that
/// kiln-order-loops keeps inside the output's contiguous dimension and
/// kiln-cpu-promote-reductions unrolls once its accumulator is promoted:
/// one limit, since the loop order pays only if the window unrolls.
inline constexpr int64_t kMaxUnrolledWindow = 16;

/// The name of the function a failed run-time check calls.
inline constexpr llvm::StringLiteral kTrapFunction = "kiln_trap";

} // namespace kiln

#endif // KILN_BACKENDS_CPU_PASSES_H
