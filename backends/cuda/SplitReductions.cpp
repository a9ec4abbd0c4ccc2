//===- SplitReductions.cpp - row reductions in two coalesced phases -------===//
//
// After kiln-cpu-promote-reductions, a reduction along a row (LayerNorm's
// mean, softmax's max and sum) is a parallel loop over the rows whose body
// runs one scf.for over the row, its accumulator in a register. Mapped to
// the GPU, that is one thread per row: 1024 threads for a LayerNorm of 1024
// tokens (a few multiprocessors busy, one warp each), each walking its own
// row, so a warp's 32 loads touch 32 rows' cache lines.
//
// Split in two parallel loops instead, through a buffer of P partial
// results per row:
//
//   phase 1: for each row and each p in [0, P): combine the row's elements
//            p, p + P, p + 2P, ... starting from the combiner's identity;
//            neighbouring threads (p, p + 1) read neighbouring elements;
//   phase 2: for each row: combine its P partials, from the original
//            initial value, then whatever the row did with the result.
//
// P (a power of two, at most 32) leaves each phase-1 thread at least 8
// elements, so the partials cost at most 1/8 of the row's traffic. Only
// loops with fewer than `max-rows` rows are split: beyond that one thread
// per row already fills the GPU. Results change only by the order of the
// combination, as the promoted reduction already allows (`reassoc`), and
// the pass runs only with optimisation on.
//
// A loop qualifies when: its bounds are static (lower bounds 0, steps 1);
// its body holds one scf.for from 0 to a static L by 1 with one iter_arg,
// and nothing else with regions; the for's body has no regions and writes
// no memory; its iter_arg has one use, an arith.addf / mulf / maximumf /
// minimumf / maxnumf / minnumf whose result is yielded and whose other
// operand does not depend on the iter_arg.
//
//===----------------------------------------------------------------------===//
#include "backends/cuda/Passes.h"
#include "backends/cuda/KernelLoops.h"

#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <limits>

namespace kiln {
#define GEN_PASS_DEF_SPLITREDUCTIONS
#include "backends/cuda/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln::cuda {
namespace {

/// The identity of a float combiner, or null if `op` is none.
TypedAttr identityOf(Operation *op, FloatType type) {
  const auto &sem = type.getFloatSemantics();
  double inf = std::numeric_limits<double>::infinity();
  auto value = [&](double v) -> TypedAttr {
    return FloatAttr::get(type, v);
  };
  if (isa<arith::AddFOp>(op))
    return FloatAttr::get(type, APFloat::getZero(sem, /*Negative=*/true));
  if (isa<arith::MulFOp>(op))
    return value(1.0);
  if (isa<arith::MaximumFOp, arith::MaxNumFOp>(op))
    return value(-inf);
  if (isa<arith::MinimumFOp, arith::MinNumFOp>(op))
    return value(inf);
  return nullptr;
}

struct Reduction {
  SmallVector<int64_t> rows; // the parallel loop's extents
  scf::ForOp loop;
  Operation *combine = nullptr;
  Value element; // combine's operand that is not the accumulator
  int64_t length = 0;
  TypedAttr identity;
  /// The ops of the row's body, before the loop, that the loop reads
  /// (index arithmetic, loads of per-row values), in order: phase 1
  /// computes them again. The initial value is not among them.
  SmallVector<Operation *> slice;
};

/// The ops of `par`'s body that `loop` depends on, except through its
/// initial value, in order; nullopt if one of them writes memory or has
/// regions.
std::optional<SmallVector<Operation *>> sliceFor(scf::ParallelOp par,
                                                 scf::ForOp loop) {
  llvm::SmallPtrSet<Operation *, 8> needed;
  SmallVector<Value> work;
  auto visit = [&](Value v) {
    Operation *def = v.getDefiningOp();
    if (def && def->getBlock() == par.getBody() && needed.insert(def).second)
      work.push_back(v);
  };
  visit(loop.getLowerBound());
  visit(loop.getUpperBound());
  visit(loop.getStep());
  loop.getBody()->walk([&](Operation *op) {
    for (Value v : op->getOperands())
      visit(v);
  });
  while (!work.empty()) {
    Operation *def = work.pop_back_val().getDefiningOp();
    if (def->getNumRegions() ||
        (!isMemoryEffectFree(def) && !isa<memref::LoadOp>(def)))
      return std::nullopt;
    for (Value v : def->getOperands())
      visit(v);
  }
  SmallVector<Operation *> ordered;
  for (Operation &op : par.getBody()->without_terminator())
    if (needed.contains(&op))
      ordered.push_back(&op);
  return ordered;
}

/// The row reduction in `par`'s body, if the loop qualifies.
std::optional<Reduction> match(scf::ParallelOp par) {
  Reduction r;
  for (unsigned d = 0; d < par.getNumLoops(); ++d) {
    std::optional<int64_t> extent = zeroBasedExtent(
        par.getLowerBound()[d], par.getUpperBound()[d], par.getStep()[d]);
    if (!extent)
      return std::nullopt;
    r.rows.push_back(*extent);
  }
  for (Operation &op : par.getBody()->without_terminator()) {
    if (auto loop = dyn_cast<scf::ForOp>(op)) {
      if (r.loop)
        return std::nullopt;
      r.loop = loop;
    } else if (op.getNumRegions()) {
      return std::nullopt;
    }
  }
  if (!r.loop || r.loop.getNumRegionIterArgs() != 1)
    return std::nullopt;
  std::optional<int64_t> length = zeroBasedExtent(
      r.loop.getLowerBound(), r.loop.getUpperBound(), r.loop.getStep());
  if (!length)
    return std::nullopt;
  r.length = *length;
  for (Operation &op : r.loop.getBody()->without_terminator()) {
    if (op.getNumRegions())
      return std::nullopt;
    if (!isMemoryEffectFree(&op) && !isa<memref::LoadOp>(op))
      return std::nullopt;
  }
  // The accumulator's one use combines it with a value computed from the
  // element alone (a second use would read it elsewhere).
  Value acc = r.loop.getRegionIterArgs()[0];
  if (!acc.hasOneUse())
    return std::nullopt;
  r.combine = *acc.getUsers().begin();
  auto type = dyn_cast<FloatType>(acc.getType());
  if (!type || r.combine->getNumResults() != 1 ||
      r.combine->getBlock() != r.loop.getBody())
    return std::nullopt;
  r.identity = identityOf(r.combine, type);
  auto yield = cast<scf::YieldOp>(r.loop.getBody()->getTerminator());
  if (!r.identity || yield.getOperand(0) != r.combine->getResult(0))
    return std::nullopt;
  r.element = r.combine->getOperand(0) == acc ? r.combine->getOperand(1)
                                               : r.combine->getOperand(0);
  std::optional<SmallVector<Operation *>> slice = sliceFor(par, r.loop);
  if (!slice)
    return std::nullopt;
  r.slice = std::move(*slice);
  return r;
}

/// Partials per row: a power of two, at most 32, leaving at least 8
/// elements per partial; 0 if the row is too short to split.
int64_t partialsFor(int64_t length) {
  int64_t p = 32;
  while (p >= 2 && length / p < 8)
    p /= 2;
  return p >= 2 ? p : 0;
}

void split(scf::ParallelOp par, Reduction &r, int64_t parts) {
  OpBuilder b(par);
  Location loc = par.getLoc();
  Type elem = r.loop.getResult(0).getType();
  SmallVector<int64_t> shape(r.rows);
  shape.push_back(parts);
  Value partials =
      memref::AllocOp::create(b, loc, MemRefType::get(shape, elem));

  // Phase 1: rows x parts threads, each combining every parts-th element.
  SmallVector<Value> lbs(par.getLowerBound()), ubs(par.getUpperBound()),
      steps(par.getStep());
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value partsValue = arith::ConstantIndexOp::create(b, loc, parts);
  lbs.push_back(zero);
  ubs.push_back(partsValue);
  steps.push_back(one);
  auto phase1 = scf::ParallelOp::create(b, loc, lbs, ubs, steps);
  {
    OpBuilder pb = OpBuilder::atBlockBegin(phase1.getBody());
    IRMapping map;
    for (unsigned d = 0; d < par.getNumLoops(); ++d)
      map.map(par.getInductionVars()[d], phase1.getInductionVars()[d]);
    Value p = phase1.getInductionVars().back();
    for (Operation *op : r.slice)
      pb.clone(*op, map);
    Value init = arith::ConstantOp::create(pb, loc, r.identity);
    auto yield = cast<scf::YieldOp>(r.loop.getBody()->getTerminator());
    auto strided = scf::ForOp::create(
        pb, loc, p, map.lookupOrDefault(r.loop.getUpperBound()), partsValue,
        ValueRange{init},
        [&](OpBuilder &ib, Location l, Value k, ValueRange args) {
          IRMapping inner = map;
          inner.map(r.loop.getInductionVar(), k);
          inner.map(r.loop.getRegionIterArgs()[0], args[0]);
          for (Operation &op : r.loop.getBody()->without_terminator())
            ib.clone(op, inner);
          scf::YieldOp::create(ib, l, inner.lookup(yield.getOperand(0)));
        });
    SmallVector<Value> at(phase1.getInductionVars());
    memref::StoreOp::create(pb, loc, strided.getResult(0), partials, at);
  }

  // Phase 2: the row's loop now combines its partials.
  {
    OpBuilder lb(r.loop);
    auto combined = scf::ForOp::create(
        lb, loc, zero, partsValue, one, r.loop.getInitArgs(),
        [&](OpBuilder &cb, Location l, Value q, ValueRange args) {
          SmallVector<Value> at(par.getInductionVars());
          at.push_back(q);
          IRMapping m;
          m.map(r.loop.getRegionIterArgs()[0], args[0]);
          m.map(r.element, memref::LoadOp::create(cb, l, partials, at));
          scf::YieldOp::create(cb, l, cb.clone(*r.combine, m)->getResult(0));
        });
    r.loop.getResult(0).replaceAllUsesWith(combined.getResult(0));
    r.loop.erase();
  }
  b.setInsertionPointAfter(par);
  memref::DeallocOp::create(b, loc, partials);
}

struct SplitReductionsPass
    : impl::SplitReductionsBase<SplitReductionsPass> {
  using SplitReductionsBase::SplitReductionsBase;

  void runOnOperation() override {
    for (scf::ParallelOp par : kernelLoops(getOperation())) {
      std::optional<Reduction> r = match(par);
      if (!r)
        continue;
      int64_t rows = 1;
      for (int64_t extent : r->rows)
        rows *= extent;
      int64_t parts = partialsFor(r->length);
      if (rows >= maxRows || parts == 0)
        continue;
      split(par, *r, parts);
    }
  }
};

} // namespace
} // namespace kiln::cuda
