//===- ParallelizeLoops.cpp - outer parallel loops onto the runtime's threads ===//
//
// Each outermost scf.parallel with enough work is outlined into a function
// `void body(void *args, int64_t lo, int64_t hi)` that runs iterations
// [lo, hi) of its first dimension that does not have a single iteration
// (where leading sizes are known only at run time, the first that has more
// than one in that run: splitCandidates), and replaced by a call of the runtime's
// kiln_cpu_parallel_for(body, args, n) (lib/runtime/cpu/CpuAbi.h), which
// splits [0, n) among its threads. The values the loop uses from outside go
// through `args`, a struct on the caller's stack: memrefs as their LLVM
// descriptors, indices as i64, scalars as they are (the casts between the
// two forms vanish when the memrefs are lowered).
//
// Loops stay sequential when they are small (waking threads would cost more
// than the loop), reduce into values, or contain a run-time check (a failed
// check ends the run by unwinding the caller's stack, which a worker thread
// cannot do).
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Passes.h"
#include "backends/library/RuntimeCalls.h"
#include "lib/runtime/cpu/CpuAbi.h"

#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

namespace kiln {
#define GEN_PASS_DEF_CPUPARALLELIZELOOPS
#include "backends/cpu/Passes.h.inc"
} // namespace kiln

using namespace mlir;
namespace abi = kiln::cpu_abi;

namespace kiln::cpu {
namespace {

/// Trip count assumed for a loop whose bounds are only known at run time.
constexpr int64_t kUnknownTrips = 1024;

/// A loop's trip count, where its bounds and step are constants.
std::optional<int64_t> staticTripCount(Value lb, Value ub, Value step) {
  auto cst = [](Value v) -> std::optional<int64_t> {
    if (auto c = v.getDefiningOp<arith::ConstantIndexOp>())
      return c.value();
    return std::nullopt;
  };
  auto l = cst(lb), u = cst(ub), s = cst(step);
  if (!l || !u || !s || *s <= 0)
    return std::nullopt;
  return std::max<int64_t>(0, (*u - *l + *s - 1) / *s);
}

int64_t tripCount(Value lb, Value ub, Value step) {
  return staticTripCount(lb, ub, step).value_or(kUnknownTrips);
}

int64_t work(Region &region);

/// Operations `p` executes: its body's times its trip counts.
int64_t loopWork(scf::ParallelOp p) {
  int64_t w = std::max<int64_t>(1, work(p.getRegion()));
  for (unsigned i = 0; i < p.getNumLoops(); ++i)
    w = std::min<int64_t>(w * tripCount(p.getLowerBound()[i],
                                        p.getUpperBound()[i], p.getStep()[i]),
                          int64_t(1) << 50);
  return w;
}

/// Lanes of a vector loop that LLVM makes of scalar code: the unit the
/// work is counted in (one scalar op of a loop that vectorises).
constexpr int64_t kVectorLanes = 16;

/// The innermost loop index around `op`: the induction variable that
/// changes from one iteration of the loop that directly contains it.
Value innermostIndex(Operation *op) {
  Operation *parent = op->getParentOp();
  if (auto f = dyn_cast_or_null<scf::ForOp>(parent))
    return f.getInductionVar();
  if (auto p = dyn_cast_or_null<scf::ParallelOp>(parent))
    return p.getInductionVars().back();
  return {};
}

/// Whether a scalar access walks memory with a stride along its innermost
/// loop (a transpose's read, say): the loop index is one of its indices but
/// not the last, so LLVM cannot make vector loads of it and each element
/// costs a cache line's trip.
bool stridedAccess(Operation *op, ValueRange indices) {
  Value iv = innermostIndex(op);
  if (!iv || indices.empty() || indices.back() == iv)
    return false;
  return llvm::is_contained(indices.drop_back(), iv);
}

/// One op's work in vectorised scalar ops: a vector op counts its lanes
/// (packing loops are written with vectors already), a strided scalar
/// access a whole vector's worth, anything else one.
int64_t opWork(Operation &op) {
  if (auto load = dyn_cast<memref::LoadOp>(op))
    return stridedAccess(&op, load.getIndices()) ? kVectorLanes : 1;
  if (auto store = dyn_cast<memref::StoreOp>(op))
    return stridedAccess(&op, store.getIndices()) ? kVectorLanes : 1;
  int64_t lanes = 1;
  auto widen = [&](Type t) {
    if (auto v = dyn_cast<VectorType>(t))
      lanes = std::max<int64_t>(lanes, v.getNumElements());
  };
  for (Type t : op.getResultTypes())
    widen(t);
  for (Type t : op.getOperandTypes())
    widen(t);
  return lanes;
}

/// Operations executed by `region` (opWork's units), loops multiplied out
/// (saturating).
int64_t work(Region &region) {
  int64_t total = 0;
  for (Operation &op : region.getOps()) {
    int64_t w;
    if (auto f = dyn_cast<scf::ForOp>(op)) {
      w = std::min<int64_t>(
          tripCount(f.getLowerBound(), f.getUpperBound(), f.getStep()) *
              std::max<int64_t>(1, work(f.getRegion())),
          int64_t(1) << 50);
    } else if (auto p = dyn_cast<scf::ParallelOp>(op)) {
      w = loopWork(p);
    } else {
      w = opWork(op);
      for (Region &r : op.getRegions())
        w += work(r);
    }
    total = std::min<int64_t>(total + w, int64_t(1) << 50);
  }
  return total;
}

/// The dimensions the threads may split, outermost first: from the first
/// one not known to run once (batch 1 leaves the leading dimension with
/// nothing to share) through the first one known to run more than once.
/// Where there are several (leading sizes known only at run time, as a
/// batch or sequence axis), the one split is the first that runs more than
/// once in that run: a batch of 1 would otherwise put all the work on one
/// thread.
SmallVector<unsigned> splitCandidates(scf::ParallelOp loop) {
  SmallVector<unsigned> dims;
  for (unsigned i = 0; i < loop.getNumLoops(); ++i) {
    std::optional<int64_t> trips = staticTripCount(
        loop.getLowerBound()[i], loop.getUpperBound()[i], loop.getStep()[i]);
    if (trips == 1)
      continue;
    dims.push_back(i);
    if (trips)
      break;
  }
  if (dims.empty())
    dims.push_back(0);
  return dims;
}

bool canOutline(scf::ParallelOp loop) {
  if (!loop.getInitVals().empty())
    return false;
  bool ok = true;
  loop.walk([&](Operation *op) {
    // Checks unwind to the caller; calls may be anything.
    if (isa<cf::AssertOp, func::CallOp, LLVM::CallOp>(op))
      ok = false;
  });
  return ok;
}

class Outliner {
public:
  Outliner(ModuleOp module) : module_(module), converter_(module.getContext()) {}

  /// Replaces `loop` with a call of kiln_cpu_parallel_for; false (and no
  /// change) when a value it uses cannot be passed.
  bool outline(scf::ParallelOp loop);

private:
  ModuleOp module_;
  LLVMTypeConverter converter_;
  unsigned counter_ = 0;
};

bool Outliner::outline(scf::ParallelOp loop) {
  MLIRContext *ctx = module_.getContext();
  Location loc = loop.getLoc();
  llvm::SetVector<Value> used, outside;
  for (Value v : loop->getOperands())
    used.insert(v);
  getUsedValuesDefinedAbove(loop.getRegion(), used);
  // Constants are copied into the body (LLVM then sees constant trip
  // counts and strides); the rest is passed.
  SmallVector<Operation *> constants;
  for (Value v : used) {
    Operation *def = v.getDefiningOp();
    if (def && def->hasTrait<OpTrait::ConstantLike>())
      constants.push_back(def);
    else
      outside.insert(v);
  }
  SmallVector<Type> fields;
  for (Value v : outside) {
    Type t = v.getType();
    if (isa<IndexType>(t))
      fields.push_back(IntegerType::get(ctx, 64));
    else if (isa<MemRefType, IntegerType, FloatType>(t) &&
             converter_.convertType(t))
      fields.push_back(converter_.convertType(t));
    else
      return false;
  }
  Type ptr = LLVM::LLVMPointerType::get(ctx);
  Type i64 = IntegerType::get(ctx, 64);
  // With several candidate dimensions, the one split is chosen by the
  // caller and passed last in `args`.
  SmallVector<unsigned> candidates = splitCandidates(loop);
  bool chosenAtRunTime = candidates.size() > 1;
  if (chosenAtRunTime)
    fields.push_back(i64);
  auto argsType = LLVM::LLVMStructType::getLiteral(ctx, fields);

  // The body: void(ptr args, i64 lo, i64 hi).
  OpBuilder mb(module_.getBodyRegion());
  mb.setInsertionPointToEnd(module_.getBody());
  std::string name;
  do {
    name = "kiln_parallel_body_" + std::to_string(counter_++);
  } while (module_.lookupSymbol(name));
  auto fnType = FunctionType::get(ctx, {ptr, i64, i64}, {});
  auto fn = func::FuncOp::create(mb, loc, name, fnType);
  fn.setPrivate();
  Block *entry = fn.addEntryBlock();
  OpBuilder b = OpBuilder::atBlockBegin(entry);
  IRMapping map;
  for (Operation *c : constants)
    b.clone(*c, map);
  for (auto [i, v] : llvm::enumerate(outside)) {
    Value at = LLVM::GEPOp::create(b, loc, ptr, argsType, entry->getArgument(0),
                                   ArrayRef<LLVM::GEPArg>{0, int32_t(i)});
    Value loaded = LLVM::LoadOp::create(b, loc, fields[i], at);
    Value mapped = loaded;
    if (isa<IndexType>(v.getType()))
      mapped = arith::IndexCastOp::create(b, loc, v.getType(), loaded);
    else if (isa<MemRefType>(v.getType()))
      mapped = UnrealizedConversionCastOp::create(b, loc, v.getType(), loaded)
                   .getResult(0);
    map.map(v, mapped);
  }
  // Iterations [lo, hi) of the split dimension; with a choice, each
  // candidate's bounds are narrowed only where it is the one chosen.
  Type index = b.getIndexType();
  Value lo = arith::IndexCastOp::create(b, loc, index, entry->getArgument(1));
  Value hi = arith::IndexCastOp::create(b, loc, index, entry->getArgument(2));
  Value choice;
  if (chosenAtRunTime) {
    Value at = LLVM::GEPOp::create(
        b, loc, ptr, argsType, entry->getArgument(0),
        ArrayRef<LLVM::GEPArg>{0, int32_t(fields.size() - 1)});
    choice = arith::IndexCastOp::create(b, loc, index,
                                        LLVM::LoadOp::create(b, loc, i64, at));
  }
  SmallVector<std::pair<Value, Value>> bounds;
  for (unsigned d : candidates) {
    Value lb = map.lookupOrDefault(loop.getLowerBound()[d]);
    Value ub = map.lookupOrDefault(loop.getUpperBound()[d]);
    Value step = map.lookupOrDefault(loop.getStep()[d]);
    Value from = arith::AddIOp::create(b, loc, lb,
                                       arith::MulIOp::create(b, loc, lo, step));
    Value to = arith::MinSIOp::create(
        b, loc, ub,
        arith::AddIOp::create(b, loc, lb, arith::MulIOp::create(b, loc, hi, step)));
    if (choice) {
      Value mine = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::eq, choice,
          arith::ConstantIndexOp::create(b, loc, d));
      from = arith::SelectOp::create(b, loc, mine, from, lb);
      to = arith::SelectOp::create(b, loc, mine, to, ub);
    }
    bounds.push_back({from, to});
  }
  Operation *copy = b.clone(*loop, map);
  for (auto [d, range] : llvm::zip(candidates, bounds)) {
    copy->setOperand(d, range.first);
    copy->setOperand(loop.getNumLoops() + d, range.second);
  }
  func::ReturnOp::create(b, loc);

  // The call: args on the stack (allocated at the caller's entry), the
  // first dimension's trip count, the body's address.
  OpBuilder cb(loop);
  auto caller = loop->getParentOfType<FunctionOpInterface>();
  Value args;
  {
    OpBuilder::InsertionGuard guard(cb);
    cb.setInsertionPointToStart(&caller.getFunctionBody().front());
    Value one = LLVM::ConstantOp::create(cb, loc, i64, int64_t(1));
    args = LLVM::AllocaOp::create(cb, loc, ptr, argsType, one, 16);
  }
  for (auto [i, v] : llvm::enumerate(outside)) {
    Value value = v;
    if (isa<IndexType>(v.getType()))
      value = arith::IndexCastOp::create(cb, loc, i64, v);
    else if (isa<MemRefType>(v.getType()))
      value = UnrealizedConversionCastOp::create(cb, loc, fields[i], v)
                  .getResult(0);
    Value at = LLVM::GEPOp::create(cb, loc, ptr, argsType, args,
                                   ArrayRef<LLVM::GEPArg>{0, int32_t(i)});
    LLVM::StoreOp::create(cb, loc, value, at);
  }
  // The split dimension's trip count; with a choice, the first candidate
  // that runs more than once (else the last), found from the last back.
  auto tripsOf = [&](unsigned d) -> Value {
    Value span = arith::SubIOp::create(cb, loc, loop.getUpperBound()[d],
                                       loop.getLowerBound()[d]);
    return arith::CeilDivSIOp::create(cb, loc, span, loop.getStep()[d]);
  };
  Value trips = tripsOf(candidates.back());
  if (chosenAtRunTime) {
    Value chosen = arith::ConstantIndexOp::create(cb, loc, candidates.back());
    Value one = arith::ConstantIndexOp::create(cb, loc, 1);
    for (unsigned d : llvm::reverse(ArrayRef(candidates).drop_back())) {
      Value t = tripsOf(d);
      Value many =
          arith::CmpIOp::create(cb, loc, arith::CmpIPredicate::sgt, t, one);
      trips = arith::SelectOp::create(cb, loc, many, t, trips);
      chosen = arith::SelectOp::create(
          cb, loc, many, arith::ConstantIndexOp::create(cb, loc, d), chosen);
    }
    Value at = LLVM::GEPOp::create(
        cb, loc, ptr, argsType, args,
        ArrayRef<LLVM::GEPArg>{0, int32_t(fields.size() - 1)});
    LLVM::StoreOp::create(cb, loc,
                          arith::IndexCastOp::create(cb, loc, i64, chosen), at);
  }
  Value n = arith::IndexCastOp::create(cb, loc, i64, trips);
  Value fnValue = func::ConstantOp::create(cb, loc, fnType, name);
  Value fnPtr =
      UnrealizedConversionCastOp::create(cb, loc, ptr, fnValue).getResult(0);
  auto runtimeType = LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx),
                                                 {ptr, ptr, i64});
  LLVM::CallOp::create(
      cb, loc,
      lib::declareRuntimeFunction(
          module_, abi::kSlotNames[abi::kSlotParallelFor], runtimeType),
      ValueRange{fnPtr, args, n});
  loop.erase();
  return true;
}

struct ParallelizeLoopsPass
    : kiln::impl::CpuParallelizeLoopsBase<ParallelizeLoopsPass> {
  using CpuParallelizeLoopsBase::CpuParallelizeLoopsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<scf::ParallelOp> loops;
    for (auto f : module.getOps<func::FuncOp>())
      f.walk<WalkOrder::PreOrder>([&](scf::ParallelOp p) {
        loops.push_back(p);
        return WalkResult::skip(); // only the outermost
      });
    Outliner outliner(module);
    bool any = false;
    for (scf::ParallelOp p : loops)
      if (loopWork(p) >= minWork && canOutline(p))
        any |= outliner.outline(p);
    if (any)
      lib::defineSlotThunks(module, abi::kApiSymbol,
                            ArrayRef<const char *>(abi::kSlotNames));
  }
};

} // namespace
} // namespace kiln::cpu
