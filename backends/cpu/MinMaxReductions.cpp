//===- MinMaxReductions.cpp - max/min reductions as vector loops ----------===//
//
// After kiln-cpu-promote-reductions a reduction along a contiguous
// dimension is an scf.for carrying its accumulator. LLVM vectorises the
// promoted sums (marked reassoc) but not a maximum or a minimum: Kiln's
// arith.maximumf / minimumf propagate NaN, which LLVM 22's loop vectoriser
// does not reduce without fast-math flags (nor llvm.maxnum), and
// arith-expand has turned them into compares and selects by then. A
// ReduceMax over 1024 contiguous floats ran one element per iteration,
// about 8x slower than ONNX Runtime.
//
// So such a loop is split here: a loop of vector steps (W lanes of one
// 64-byte register, the body's loads as vector loads along the loop's
// dimension, its elementwise ops on vectors), then the reduction of the
// vector accumulator, then the remaining iterations (fewer than W) in the
// original scalar loop, which starts from there. Maximum and minimum are
// exactly associative and commutative (a NaN anywhere gives NaN; -0 < +0
// in either order), so the result is bit for bit the scalar loop's.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/MinMaxReductions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <limits>

using namespace mlir;

namespace kiln::cpu {
namespace {

constexpr int64_t kVectorBytes = 64;

/// The vector reduction kind of a max/min combiner, if it is one.
std::optional<vector::CombiningKind> kindOf(Operation *op) {
  if (isa<arith::MaximumFOp>(op))
    return vector::CombiningKind::MAXIMUMF;
  if (isa<arith::MinimumFOp>(op))
    return vector::CombiningKind::MINIMUMF;
  if (isa<arith::MaxNumFOp>(op))
    return vector::CombiningKind::MAXNUMF;
  if (isa<arith::MinNumFOp>(op))
    return vector::CombiningKind::MINNUMF;
  return std::nullopt;
}

bool isScalarNumber(Type t) { return isa<FloatType, IntegerType>(t); }

/// A load of `loop`'s body that reads along the loop: every index fixed
/// in the loop except the last, which is the induction variable, over a
/// dimension of unit stride.
bool loadsAlongLoop(memref::LoadOp load, scf::ForOp loop) {
  ValueRange indices = load.getIndices();
  auto type = load.getMemRefType();
  if (indices.empty() || indices.back() != loop.getInductionVar() ||
      !type.isLastDimUnitStride() || !isScalarNumber(type.getElementType()))
    return false;
  return llvm::all_of(indices.drop_back(),
                      [&](Value i) { return loop.isDefinedOutsideOfLoop(i); });
}

} // namespace

bool vectorizeMinMaxReduction(scf::ForOp loop, RewriterBase &rewriter) {
  if (loop.getNumRegionIterArgs() != 1 || !isConstantIntValue(loop.getStep(), 1))
    return false;
  BlockArgument acc = loop.getRegionIterArgs()[0];
  auto floatType = dyn_cast<FloatType>(acc.getType());
  if (!floatType || (!floatType.isF32() && !floatType.isF64()) || !acc.hasOneUse())
    return false;
  Value next = loop.getBody()->getTerminator()->getOperand(0);
  Operation *combine = next.getDefiningOp();
  std::optional<vector::CombiningKind> kind = combine ? kindOf(combine) : std::nullopt;
  if (!kind || combine->getBlock() != loop.getBody() ||
      *acc.getUsers().begin() != combine)
    return false;
  // The body: loads along the loop and pure elementwise scalar ops.
  for (Operation &op : loop.getBody()->without_terminator()) {
    if (auto load = dyn_cast<memref::LoadOp>(op)) {
      if (!loadsAlongLoop(load, loop))
        return false;
      continue;
    }
    if (!op.hasTrait<OpTrait::Elementwise>() || !isPure(&op) ||
        op.getNumRegions() != 0 || op.getNumResults() != 1 ||
        !llvm::all_of(op.getOperandTypes(), isScalarNumber) ||
        !isScalarNumber(op.getResult(0).getType()))
      return false;
  }
  Value iv = loop.getInductionVar();
  if (!llvm::all_of(iv.getUsers(), [](Operation *u) { return isa<memref::LoadOp>(u); }))
    return false;

  int64_t lanes = kVectorBytes / (floatType.getWidth() / 8);
  Location loc = loop.getLoc();
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(loop);
  auto cIndex = [&](int64_t v) { return arith::ConstantIndexOp::create(rewriter, loc, v); };
  Value lb = loop.getLowerBound(), ub = loop.getUpperBound();
  Value count = arith::MaxSIOp::create(
      rewriter, loc, arith::SubIOp::create(rewriter, loc, ub, lb), cIndex(0));
  Value whole = arith::SubIOp::create(
      rewriter, loc, count, arith::RemSIOp::create(rewriter, loc, count, cIndex(lanes)));
  Value vectorEnd = arith::AddIOp::create(rewriter, loc, lb, whole);
  // The combiner's identity: -inf for the maxima, +inf for the minima.
  bool isMax = *kind == vector::CombiningKind::MAXIMUMF ||
               *kind == vector::CombiningKind::MAXNUMF;
  double identity = isMax ? -std::numeric_limits<double>::infinity()
                          : std::numeric_limits<double>::infinity();
  auto accType = VectorType::get({lanes}, floatType);
  Value start = arith::ConstantOp::create(
      rewriter, loc, accType,
      DenseElementsAttr::get(accType, rewriter.getFloatAttr(floatType, identity)));
  auto vectorLoop = scf::ForOp::create(
      rewriter, loc, lb, vectorEnd, cIndex(lanes), ValueRange{start},
      [&](OpBuilder &b, Location l, Value i, ValueRange args) {
        IRMapping map;
        DenseMap<Value, Value> broadcasts;
        auto vectorOf = [&](Value v) -> Value {
          if (Value mapped = map.lookupOrNull(v))
            return mapped;
          // Fixed in the loop: the same value in every lane.
          auto [it, inserted] = broadcasts.try_emplace(v, Value());
          if (inserted)
            it->second = vector::BroadcastOp::create(
                b, l, VectorType::get({lanes}, v.getType()), v);
          return it->second;
        };
        map.map(acc, args[0]);
        for (Operation &op : loop.getBody()->without_terminator()) {
          if (auto load = dyn_cast<memref::LoadOp>(op)) {
            SmallVector<Value> indices(load.getIndices());
            indices.back() = i;
            map.map(load.getResult(),
                    vector::LoadOp::create(
                        b, l, VectorType::get({lanes}, load.getType()),
                        load.getMemRef(), indices));
            continue;
          }
          OperationState state(op.getLoc(), op.getName());
          for (Value operand : op.getOperands())
            state.operands.push_back(vectorOf(operand));
          state.types.push_back(VectorType::get({lanes}, op.getResult(0).getType()));
          state.attributes = op.getAttrs();
          map.map(op.getResult(0), b.create(state)->getResult(0));
        }
        scf::YieldOp::create(b, l, map.lookup(next));
      });
  Value reduced =
      vector::ReductionOp::create(rewriter, loc, *kind, vectorLoop.getResult(0));
  // The original loop does the rest, from the vectors' result combined
  // with its own initial value.
  OperationState state(combine->getLoc(), combine->getName());
  state.operands = {loop.getInitArgs()[0], reduced};
  state.types.push_back(floatType);
  state.attributes = combine->getAttrs();
  Value tailInit = rewriter.create(state)->getResult(0);
  rewriter.modifyOpInPlace(loop, [&] {
    loop.getLowerBoundMutable().assign(vectorEnd);
    loop.getInitArgsMutable()[0].assign(tailInit);
  });
  return true;
}

} // namespace kiln::cpu
