//===- LoopBuilders.cpp - sequential loops over tensors -------------------===//
#include "backends/linalg/LoopBuilders.h"
#include "backends/linalg/LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace kiln::lowering {

Value cIndex(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

Value toIndex(OpBuilder &b, Location loc, Value v) {
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}

SmallVector<Value> loopNest(OpBuilder &b, Location loc, ValueRange ubs,
                            ValueRange iterArgs, LoopBody body) {
  SmallVector<Value> lbs(ubs.size(), cIndex(b, loc, 0));
  SmallVector<Value> steps(ubs.size(), cIndex(b, loc, 1));
  if (ubs.empty())
    return body(b, loc, {}, iterArgs);
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lbs, ubs, steps, iterArgs,
      [&](OpBuilder &nb, Location nl, ValueRange ivs, ValueRange args) {
        SmallVector<Value> r = body(nb, nl, ivs, args);
        return scf::ValueVector(r.begin(), r.end());
      });
  return SmallVector<Value>(nest.results.begin(), nest.results.end());
}

SmallVector<Value> ifThen(OpBuilder &b, Location loc, Value cond,
                          ValueRange current,
                          function_ref<SmallVector<Value>(OpBuilder &, Location)>
                              then) {
  auto ifOp = scf::IfOp::create(
      b, loc, cond,
      [&](OpBuilder &tb, Location l) { scf::YieldOp::create(tb, l, then(tb, l)); },
      [&](OpBuilder &eb, Location l) { scf::YieldOp::create(eb, l, current); });
  return SmallVector<Value>(ifOp.getResults().begin(), ifOp.getResults().end());
}

SmallVector<Value> dimValues(OpBuilder &b, Location loc, Value t) {
  SmallVector<Value> dims;
  for (int64_t i = 0; i < cast<RankedTensorType>(t.getType()).getRank(); ++i)
    dims.push_back(dimValue(b, loc, t, i));
  return dims;
}

} // namespace kiln::lowering
