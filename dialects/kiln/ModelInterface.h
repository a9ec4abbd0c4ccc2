//===- ModelInterface.h - how a module describes the model it holds -*- C++ -*-===//
//
// The importer builds one `func.func` marked `kiln.entry`. Its arguments
// are the model's inputs (`kiln.input = "<name>"`, with `kiln.dims`
// giving symbolic dimension names, "" where static) followed, after
// `kiln-weights-to-params`, by the weights (`kiln.param = "<name>"`); its
// results are the outputs (`kiln.output = "<name>"`). Every stage reads
// these through the helpers below. The parameters' values and names are
// also listed, in argument order, in the module attributes
// `kiln.param_values` and `kiln.param_names`, which survive lowering.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECTS_KILN_MODELINTERFACE_H
#define KILN_DIALECTS_KILN_MODELINTERFACE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace kiln {

inline constexpr llvm::StringLiteral kEntryAttr = "kiln.entry";
inline constexpr llvm::StringLiteral kInputAttr = "kiln.input";
inline constexpr llvm::StringLiteral kOutputAttr = "kiln.output";
inline constexpr llvm::StringLiteral kParamAttr = "kiln.param";
inline constexpr llvm::StringLiteral kDimsAttr = "kiln.dims";
inline constexpr llvm::StringLiteral kParamValuesAttr = "kiln.param_values";
inline constexpr llvm::StringLiteral kParamNamesAttr = "kiln.param_names";

/// The entry function, or null (with an error on the module) if there is
/// not exactly one.
mlir::func::FuncOp getEntryFunction(mlir::ModuleOp module);

} // namespace kiln

#endif // KILN_DIALECTS_KILN_MODELINTERFACE_H
