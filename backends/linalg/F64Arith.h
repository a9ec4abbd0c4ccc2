//===- F64Arith.h - f64 scalar arithmetic shorthands for lowerings -*- C++ -*-===//
//
// Lowerings that follow a reference computed in double precision (Resize's
// coordinates, the DFT's twiddles, mel filter edges) build their scalar
// math with these, so that the bodies read like the formulas.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_LINALG_F64ARITH_H
#define KILN_BACKENDS_LINALG_F64ARITH_H

#include "backends/linalg/LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

namespace kiln::lowering {

struct F64Arith {
  mlir::OpBuilder &b;
  mlir::Location loc;
  mlir::Type f64() { return b.getF64Type(); }
  mlir::Value c(double v) { return scalarConstant(b, loc, f64(), v); }
  mlir::Value add(mlir::Value x, mlir::Value y) {
    return mlir::arith::AddFOp::create(b, loc, x, y);
  }
  mlir::Value sub(mlir::Value x, mlir::Value y) {
    return mlir::arith::SubFOp::create(b, loc, x, y);
  }
  mlir::Value mul(mlir::Value x, mlir::Value y) {
    return mlir::arith::MulFOp::create(b, loc, x, y);
  }
  mlir::Value div(mlir::Value x, mlir::Value y) {
    return mlir::arith::DivFOp::create(b, loc, x, y);
  }
  mlir::Value floor(mlir::Value x) { return mlir::math::FloorOp::create(b, loc, x); }
  mlir::Value ceil(mlir::Value x) { return mlir::math::CeilOp::create(b, loc, x); }
  mlir::Value cmp(mlir::arith::CmpFPredicate p, mlir::Value x, mlir::Value y) {
    return mlir::arith::CmpFOp::create(b, loc, p, x, y);
  }
  mlir::Value select(mlir::Value c, mlir::Value x, mlir::Value y) {
    return mlir::arith::SelectOp::create(b, loc, c, x, y);
  }
  mlir::Value fromIndex(mlir::Value i) {
    return mlir::arith::SIToFPOp::create(
        b, loc, f64(),
        mlir::arith::IndexCastOp::create(b, loc, b.getI64Type(), i));
  }
  mlir::Value toIndex(mlir::Value x) {
    return mlir::arith::IndexCastOp::create(
        b, loc, b.getIndexType(),
        mlir::arith::FPToSIOp::create(b, loc, b.getI64Type(), x));
  }
};

} // namespace kiln::lowering

#endif // KILN_BACKENDS_LINALG_F64ARITH_H
