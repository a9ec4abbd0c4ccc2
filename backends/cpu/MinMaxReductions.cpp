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
// ArgMax / ArgMin carry a value and an index and take the first element
// whatever it is, then strictly better ones (or equal ones, for the last
// index). With the first iteration peeled, that rule is a maximum over
// (value, index) pairs, so lanes can each keep their own best and be
// merged by the same rule afterwards: again exactly the scalar result.
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

/// Whether `op` of `loop`'s body has a vector form: a load along the loop,
/// or a pure elementwise op on scalar numbers.
bool vectorizable(Operation &op, scf::ForOp loop) {
  if (auto load = dyn_cast<memref::LoadOp>(op))
    return loadsAlongLoop(load, loop);
  return op.hasTrait<OpTrait::Elementwise>() && isPure(&op) &&
         op.getNumRegions() == 0 && op.getNumResults() == 1 &&
         llvm::all_of(op.getOperandTypes(), isScalarNumber) &&
         isScalarNumber(op.getResult(0).getType());
}

/// `first` plus the whole steps of `lanes` iterations up to `ub`: where
/// the vector loop ends and the scalar remainder starts.
Value vectorStepsEnd(OpBuilder &b, Location loc, Value first, Value ub, int64_t lanes) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value step = arith::ConstantIndexOp::create(b, loc, lanes);
  Value count = arith::MaxSIOp::create(b, loc, arith::SubIOp::create(b, loc, ub, first), zero);
  Value whole = arith::SubIOp::create(b, loc, count, arith::RemSIOp::create(b, loc, count, step));
  return arith::AddIOp::create(b, loc, first, whole);
}

/// The vector form of a loop body, built in a vector loop's body: each
/// load along the loop becomes a vector load at the vector loop's index,
/// each elementwise op acts on vectors, and a value fixed in the loop is
/// broadcast once. `map` may hold values mapped beforehand (a carried
/// accumulator).
struct VectorBody {
  OpBuilder &b;
  Location loc;
  int64_t lanes;
  IRMapping map;
  DenseMap<Value, Value> broadcasts;

  /// `v`'s vector form: mapped, or the same value in every lane.
  Value of(Value v) {
    if (Value mapped = map.lookupOrNull(v))
      return mapped;
    auto [it, inserted] = broadcasts.try_emplace(v, Value());
    if (inserted)
      it->second = vector::BroadcastOp::create(b, loc, VectorType::get({lanes}, v.getType()), v);
    return it->second;
  }

  /// Emits the vector form of `body`'s ops (those `skip` leaves) for the
  /// step starting at `i`.
  void emit(Block *body, Value i, function_ref<bool(Operation &)> skip) {
    for (Operation &op : body->without_terminator()) {
      if (skip(op))
        continue;
      if (auto load = dyn_cast<memref::LoadOp>(op)) {
        SmallVector<Value> indices(load.getIndices());
        indices.back() = i;
        map.map(load.getResult(),
                vector::LoadOp::create(b, loc, VectorType::get({lanes}, load.getType()),
                                       load.getMemRef(), indices));
        continue;
      }
      OperationState state(op.getLoc(), op.getName());
      for (Value operand : op.getOperands())
        state.operands.push_back(of(operand));
      state.types.push_back(VectorType::get({lanes}, op.getResult(0).getType()));
      state.attributes = op.getAttrs();
      map.map(op.getResult(0), b.create(state)->getResult(0));
    }
  }
};

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
  for (Operation &op : loop.getBody()->without_terminator())
    if (!vectorizable(op, loop))
      return false;
  Value iv = loop.getInductionVar();
  if (!llvm::all_of(iv.getUsers(), [](Operation *u) { return isa<memref::LoadOp>(u); }))
    return false;

  int64_t lanes = kVectorBytes / (floatType.getWidth() / 8);
  Location loc = loop.getLoc();
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(loop);
  Value lb = loop.getLowerBound();
  Value vectorEnd = vectorStepsEnd(rewriter, loc, lb, loop.getUpperBound(), lanes);
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
      rewriter, loc, lb, vectorEnd, arith::ConstantIndexOp::create(rewriter, loc, lanes),
      ValueRange{start}, [&](OpBuilder &b, Location l, Value i, ValueRange args) {
        VectorBody vectors{b, l, lanes, {}, {}};
        vectors.map.map(acc, args[0]);
        vectors.emit(loop.getBody(), i, [](Operation &) { return false; });
        scf::YieldOp::create(b, l, vectors.map.lookup(next));
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

namespace {

/// The parts of an arg-max / arg-min loop (ArgLowering in LowerIndexing):
///   take = cmpf strictly(v, best) | (index < 0) [| cmpf oeq(v, best)]
///   best' = select(take, v, best); index' = select(take, i64(iv), index)
struct ArgLoop {
  arith::CmpFPredicate strictly;
  bool last = false;           // ties go to the last index
  Value value;                 // v, computed from loads along the loop
  Operation *take = nullptr;   // the i1 that decides
  SmallVector<Operation *> control; // the ops that compute take and j
};

std::optional<ArgLoop> matchArgLoop(scf::ForOp loop) {
  if (loop.getNumRegionIterArgs() != 2)
    return std::nullopt;
  BlockArgument best = loop.getRegionIterArgs()[0], index = loop.getRegionIterArgs()[1];
  auto floatType = dyn_cast<FloatType>(best.getType());
  if (!floatType || (!floatType.isF32() && !floatType.isF64()) ||
      !index.getType().isInteger(64))
    return std::nullopt;
  auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
  auto selBest = yield.getOperand(0).getDefiningOp<arith::SelectOp>();
  auto selIndex = yield.getOperand(1).getDefiningOp<arith::SelectOp>();
  if (!selBest || !selIndex || selBest.getCondition() != selIndex.getCondition() ||
      selBest.getFalseValue() != best || selIndex.getFalseValue() != index)
    return std::nullopt;
  auto j = selIndex.getTrueValue().getDefiningOp<arith::IndexCastOp>();
  if (!j || j.getIn() != loop.getInductionVar())
    return std::nullopt;
  ArgLoop a;
  a.value = selBest.getTrueValue();
  // take = or(or(strictly, none), equal) or or(strictly, none).
  auto outer = selBest.getCondition().getDefiningOp<arith::OrIOp>();
  if (!outer)
    return std::nullopt;
  a.take = outer;
  a.control = {outer, j};
  arith::OrIOp inner = outer;
  if (auto eq = outer.getRhs().getDefiningOp<arith::CmpFOp>();
      eq && eq.getPredicate() == arith::CmpFPredicate::OEQ && eq.getLhs() == a.value &&
      eq.getRhs() == best) {
    inner = outer.getLhs().getDefiningOp<arith::OrIOp>();
    if (!inner)
      return std::nullopt;
    a.last = true;
    a.control.push_back(eq);
    a.control.push_back(inner);
  }
  auto strictly = inner.getLhs().getDefiningOp<arith::CmpFOp>();
  auto none = inner.getRhs().getDefiningOp<arith::CmpIOp>();
  if (!strictly || !none || strictly.getLhs() != a.value || strictly.getRhs() != best ||
      (strictly.getPredicate() != arith::CmpFPredicate::OGT &&
       strictly.getPredicate() != arith::CmpFPredicate::OLT) ||
      none.getPredicate() != arith::CmpIPredicate::slt || none.getLhs() != index ||
      !isConstantIntValue(none.getRhs(), 0))
    return std::nullopt;
  a.strictly = strictly.getPredicate();
  a.control.push_back(strictly);
  a.control.push_back(none);
  // best and index feed nothing else.
  for (Operation *u : best.getUsers())
    if (u != strictly && u != selBest && !(a.last && llvm::is_contained(a.control, u)))
      return std::nullopt;
  for (Operation *u : index.getUsers())
    if (u != none && u != selIndex)
      return std::nullopt;
  return a;
}

} // namespace

bool vectorizeArgReduction(scf::ForOp loop, RewriterBase &rewriter) {
  if (!isConstantIntValue(loop.getStep(), 1))
    return false;
  std::optional<ArgLoop> arg = matchArgLoop(loop);
  if (!arg)
    return false;
  Block *body = loop.getBody();
  auto yield = cast<scf::YieldOp>(body->getTerminator());
  Operation *selBest = yield.getOperand(0).getDefiningOp();
  Operation *selIndex = yield.getOperand(1).getDefiningOp();
  // The rest of the body computes the value: loads along the loop and
  // pure elementwise ops.
  auto isControl = [&](Operation &op) {
    return &op == selBest || &op == selIndex || llvm::is_contained(arg->control, &op);
  };
  for (Operation &op : body->without_terminator())
    if (!isControl(op) &&
        (!vectorizable(op, loop) ||
         llvm::is_contained(op.getOperands(), loop.getRegionIterArgs()[0]) ||
         llvm::is_contained(op.getOperands(), loop.getRegionIterArgs()[1])))
      return false;
  Value iv = loop.getInductionVar();
  for (Operation *u : iv.getUsers())
    if (!isa<memref::LoadOp>(u) && !isa<arith::IndexCastOp>(u))
      return false;

  auto floatType = cast<FloatType>(loop.getRegionIterArgs()[0].getType());
  int64_t lanes = kVectorBytes / (floatType.getWidth() / 8);
  Location loc = loop.getLoc();
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(loop);
  auto cIndex = [&](int64_t v) { return arith::ConstantIndexOp::create(rewriter, loc, v); };
  Type i64 = rewriter.getI64Type();
  Value lb = loop.getLowerBound(), ub = loop.getUpperBound();
  ValueRange inits = loop.getInitArgs();

  // Peel the first iteration (the one whose "no index yet" clause may
  // take any value, NaN included): after it the index is never negative
  // and the loop's rule is only "strictly better" (or equal, for the last
  // index), which vector lanes can follow.
  Value nonEmpty = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::slt, lb, ub);
  auto peel = scf::IfOp::create(
      rewriter, loc, nonEmpty,
      [&](OpBuilder &b, Location l) {
        IRMapping map;
        map.map(iv, lb);
        map.map(loop.getRegionIterArgs()[0], inits[0]);
        map.map(loop.getRegionIterArgs()[1], inits[1]);
        for (Operation &op : body->without_terminator())
          b.clone(op, map);
        scf::YieldOp::create(b, l, ValueRange{map.lookup(yield.getOperand(0)),
                                              map.lookup(yield.getOperand(1))});
      },
      [&](OpBuilder &b, Location l) { scf::YieldOp::create(b, l, inits); });
  Value first = arith::SelectOp::create(
      rewriter, loc, nonEmpty, arith::AddIOp::create(rewriter, loc, lb, cIndex(1)), lb);
  Value vectorEnd = vectorStepsEnd(rewriter, loc, first, ub, lanes);

  bool isMax = arg->strictly == arith::CmpFPredicate::OGT;
  auto valueType = VectorType::get({lanes}, floatType);
  auto indexType = VectorType::get({lanes}, i64);
  double worst = isMax ? -std::numeric_limits<double>::infinity()
                       : std::numeric_limits<double>::infinity();
  Value startValue = arith::ConstantOp::create(
      rewriter, loc, valueType,
      DenseElementsAttr::get(valueType, rewriter.getFloatAttr(floatType, worst)));
  Value startIndex = arith::ConstantOp::create(
      rewriter, loc, indexType,
      DenseElementsAttr::get(indexType, rewriter.getI64IntegerAttr(-1)));
  SmallVector<int64_t> laneNumbers;
  for (int64_t l = 0; l < lanes; ++l)
    laneNumbers.push_back(l);
  Value laneOffsets = arith::ConstantOp::create(
      rewriter, loc, indexType, DenseElementsAttr::get(indexType, ArrayRef<int64_t>(laneNumbers)));
  auto vectorLoop = scf::ForOp::create(
      rewriter, loc, first, vectorEnd, cIndex(lanes), ValueRange{startValue, startIndex},
      [&](OpBuilder &b, Location l, Value i, ValueRange state) {
        VectorBody vectors{b, l, lanes, {}, {}};
        vectors.emit(body, i, isControl);
        Value v = vectors.of(arg->value);
        Value take = arith::CmpFOp::create(b, l, arg->strictly, v, state[0]);
        if (arg->last)
          take = arith::OrIOp::create(
              b, l, take, arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, v, state[0]));
        Value j = arith::AddIOp::create(
            b, l,
            vector::BroadcastOp::create(
                b, l, indexType, arith::IndexCastOp::create(b, l, i64, i)),
            laneOffsets);
        scf::YieldOp::create(
            b, l,
            ValueRange{arith::SelectOp::create(b, l, take, v, state[0]),
                       arith::SelectOp::create(b, l, take, j, state[1])});
      });
  // Merge the lanes into the peeled state: a lane that took something
  // wins if strictly better, or equal with the earlier (or, for the last
  // index, later) index.
  Value bestValue = peel.getResult(0), bestIndex = peel.getResult(1);
  Value zero64 = arith::ConstantIntOp::create(rewriter, loc, i64, 0);
  for (int64_t l = 0; l < lanes; ++l) {
    Value cv = vector::ExtractOp::create(rewriter, loc, vectorLoop.getResult(0), l);
    Value ci = vector::ExtractOp::create(rewriter, loc, vectorLoop.getResult(1), l);
    Value better = arith::CmpFOp::create(rewriter, loc, arg->strictly, cv, bestValue);
    Value tie = arith::AndIOp::create(
        rewriter, loc,
        arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::OEQ, cv, bestValue),
        arith::CmpIOp::create(rewriter, loc,
                              arg->last ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::slt,
                              ci, bestIndex));
    Value wins = arith::AndIOp::create(
        rewriter, loc,
        arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::sge, ci, zero64),
        arith::OrIOp::create(rewriter, loc, better, tie));
    bestValue = arith::SelectOp::create(rewriter, loc, wins, cv, bestValue);
    bestIndex = arith::SelectOp::create(rewriter, loc, wins, ci, bestIndex);
  }
  rewriter.modifyOpInPlace(loop, [&] {
    loop.getLowerBoundMutable().assign(vectorEnd);
    loop.getInitArgsMutable()[0].assign(bestValue);
    loop.getInitArgsMutable()[1].assign(bestIndex);
  });
  return true;
}

} // namespace kiln::cpu
