//===- PackMatmul.cpp - products as packed register-tile kernels ----------===//
//
// Kiln's own GEMM, in the form the fast BLAS kernels share: both operands
// are copied once into panels laid out in the order the inner loop reads
// them, and the inner loop keeps an mr x nr tile of the output in vector
// registers while it streams through a block of kc reductions. Per k it
// loads nr/w vectors of the right panel, broadcasts mr scalars of the left
// one and issues mr*nr/w FMAs: with 6 x 64 on AVX-512 that is 24 FMAs for
// 4 loads and 6 broadcasts in 24 of the 32 registers, so the loop runs at
// the FMA units' rate rather than the caches'. The kc block keeps the
// right panel's sliver (kc x nr) near L1 across every row panel of a row
// block, and the left operand's block (mc x kc) in L2 across every column
// panel. (Measured
// on this 2-core AVX-512 machine, one thread, against oneDNN's sgemm:
// 6 x 64 kc=256 reached 86-92% at 1024^3 and 2048^3; 8 x 32 and 12 x 32
// 70-80%, kc=128 and 512 less.)
//
// The loop order of the generated code, per batch index (batch indices
// themselves are a parallel loop, each with its own panels):
//
//   pack B -> Bp[N/nr][K][nr]          (parallel over column panels)
//   pack A -> Ap[K/kc][M/mr][kc][mr]   (parallel over row panels)
//   for kc in 0..K step kc:            (K split into equal blocks <= kc)
//     for mc in 0..M step mc:          (equal row blocks <= mc)
//       parallel for (n1, m1 in mc):   (threads split column panels)
//         acc = C tile; for k in block: acc += Ap[kc][m1][k][:] x Bp[n1][k][:]
//         C tile = acc
//
// When a fill of all of C comes just before the product (the zero init
// of MatMul), the first kc block starts its tiles from the fill's value in
// registers and the fill goes: no pass over C before the product, and no
// read of C in the first block.
//
// Padding rows and columns of the panels are zero, so edge tiles compute
// like full ones; only their loads and stores of C are masked. Products
// with fewer rows than a tile (matrix-vector ones) stay loops: padding
// would multiply their work.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace kiln {
#define GEN_PASS_DEF_CPUPACKMATMUL
#include "backends/cpu/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

struct TileShape {
  int64_t mr, nr, kc, width, mc;
};

/// A product the kernel can compute: C[batch.., m, n] += A[..] * B[..],
/// every operand a static f32 buffer and C contiguous along n.
struct Product {
  linalg::GenericOp op;
  Value a, b, c;
  AffineMap aMap, bMap, cMap;
  SmallVector<unsigned> batch;
  SmallVector<unsigned> m; // row dimensions of C, outermost first
  unsigned n, k;
  SmallVector<int64_t> ranges; // loop ranges by iteration dimension
  /// The fill that sets all of C just before the product (its init), or
  /// null: the first kc block then starts from the fill's value in
  /// registers instead of loading it, and the fill goes.
  linalg::FillOp fill;
};

bool staticF32(Value v) {
  auto t = dyn_cast<MemRefType>(v.getType());
  return t && t.hasStaticShape() && t.getElementType().isF32();
}

/// The linalg.fill of all of `c` that the product `op` reads first: the
/// closest write before it in its block, with only allocations and ops
/// without memory effects in between.
linalg::FillOp initialFill(Operation *op, Value c) {
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    if (auto fill = dyn_cast<linalg::FillOp>(prev))
      return fill.getDpsInits()[0] == c && fill.hasPureBufferSemantics()
                 ? fill
                 : nullptr;
    if (!isa<memref::AllocOp>(prev) && !isMemoryEffectFree(prev))
      return nullptr;
  }
  return nullptr;
}

/// The buffer `v` is a view of (through subviews, reshapes, casts).
Value rootBuffer(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

/// The outermost scf.for around `op` that cannot change what `v` holds: `v`
/// is defined outside it, and nothing inside writes to `v`'s buffer or
/// might (an op with unknown effects, a write to an unnamed resource).
/// Null when the innermost loop already fails.
scf::ForOp invariantLoop(Operation *op, Value v) {
  Value root = rootBuffer(v);
  scf::ForOp found;
  for (auto loop = op->getParentOfType<scf::ForOp>(); loop;
       loop = loop->getParentOfType<scf::ForOp>()) {
    if (loop.getRegion().isAncestor(v.getParentRegion()))
      break;
    bool written = false;
    loop.getBody()->walk([&](Operation *inner) {
      if (written)
        return;
      // An op's own effects first (a linalg op writes its outputs, whatever
      // its body); a loop or branch has those of the ops inside, which the
      // walk visits.
      auto effects = dyn_cast<MemoryEffectOpInterface>(inner);
      if (!effects) {
        if (!inner->hasTrait<OpTrait::HasRecursiveMemoryEffects>() &&
            !isMemoryEffectFree(inner))
          written = true;
        return;
      }
      SmallVector<MemoryEffects::EffectInstance> list;
      effects.getEffects(list);
      for (const MemoryEffects::EffectInstance &e : list)
        if (isa<MemoryEffects::Write, MemoryEffects::Free>(e.getEffect()) &&
            (!e.getValue() || rootBuffer(e.getValue()) == root))
          written = true;
    });
    if (written)
      break;
    found = loop;
  }
  return found;
}

std::optional<Product> matchProduct(linalg::GenericOp op, int64_t minFlops,
                                    const TileShape &tile) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1)
    return std::nullopt;
  auto linalgOp = cast<linalg::LinalgOp>(op.getOperation());
  if (!linalg::isaContractionOpInterface(linalgOp))
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(linalgOp);
  if (failed(dims) || dims->m.empty() || dims->n.size() != 1 ||
      dims->k.size() != 1)
    return std::nullopt;
  Product p{op};
  p.a = op.getDpsInputs()[0];
  p.b = op.getDpsInputs()[1];
  p.c = op.getDpsInits()[0];
  if (!staticF32(p.a) || !staticF32(p.b) || !staticF32(p.c))
    return std::nullopt;
  p.aMap = op.getIndexingMapsArray()[0];
  p.bMap = op.getIndexingMapsArray()[1];
  p.cMap = op.getIndexingMapsArray()[2];
  p.batch.assign(dims->batch.begin(), dims->batch.end());
  // Several row dimensions (MatMul of [b, s, k] by [k, n]) are one M of
  // their product, in C's order.
  for (AffineExpr e : op.getIndexingMapsArray()[2].getResults())
    if (llvm::is_contained(dims->m, cast<AffineDimExpr>(e).getPosition()))
      p.m.push_back(cast<AffineDimExpr>(e).getPosition());
  p.n = dims->n[0];
  p.k = dims->k[0];
  p.ranges = op.getStaticLoopRanges();
  // The tile of C is loaded and stored as vectors along n.
  auto cType = cast<MemRefType>(p.c.getType());
  if (p.cMap.getNumResults() == 0 ||
      p.cMap.getResults().back() != getAffineDimExpr(p.n, op.getContext()) ||
      !cType.isLastDimUnitStride())
    return std::nullopt;
  int64_t rows = 1;
  for (unsigned d : p.m)
    rows *= p.ranges[d];
  cpu::PackedGemmShape shape;
  shape.mr = tile.mr;
  shape.vectorWidth = tile.width;
  shape.minFlops = minFlops;
  if (!shape.applies(rows, p.ranges[p.n], p.ranges[p.k]))
    return std::nullopt;
  // Every element of C is in some tile and K >= 1 (applies() asks for
  // work), so each is written from the fill's value at the first block.
  p.fill = initialFill(op, p.c);
  return p;
}

/// The indices of `map`'s operand where the iteration dimensions have the
/// values `iv` (a projected permutation reads only the ones it names).
SmallVector<Value> indicesOf(AffineMap map, ArrayRef<Value> iv) {
  SmallVector<Value> out;
  for (AffineExpr e : map.getResults())
    out.push_back(iv[cast<AffineDimExpr>(e).getPosition()]);
  return out;
}

class KernelBuilder {
public:
  KernelBuilder(OpBuilder &b, Location loc, const Product &p, TileShape t)
      : b_(b), loc_(loc), p_(p), t_(t) {
    M = 1;
    for (unsigned d : p.m)
      M *= p.ranges[d];
    N = p.ranges[p.n];
    K = p.ranges[p.k];
    M1 = (M + t.mr - 1) / t.mr;
    // Blocks of equal size, at most kc each, so the blocked left panels
    // carry no padding past K beyond a few reductions.
    KB = (K + t.kc - 1) / t.kc;
    t_.kc = (K + KB - 1) / KB;
    N1 = (N + t.nr - 1) / t.nr;
    f32_ = b.getF32Type();
    vec_ = VectorType::get({t.width}, f32_);
    mask_ = VectorType::get({t.width}, b.getI1Type());
  }

  void build() {
    // Batch dimensions that repeat run in parallel, each batch index with
    // its own panels (the inner parallel loops then run on its thread);
    // those of extent 1 are index 0.
    SmallVector<Value> iv(p_.ranges.size());
    SmallVector<unsigned> repeated;
    for (unsigned d : p_.batch) {
      if (p_.ranges[d] > 1)
        repeated.push_back(d);
      else
        iv[d] = idx(0);
    }
    int64_t batches = 1;
    for (unsigned d : repeated)
      batches *= p_.ranges[d];
    auto apType = MemRefType::get({batches, KB, M1, t_.kc, t_.mr}, f32_);
    auto bpType = MemRefType::get({batches, N1, K, t_.nr}, f32_);
    Value ap = memref::AllocOp::create(b_, loc_, apType, b_.getI64IntegerAttr(64));
    if (repeated.empty()) {
      // A right operand that no iteration of the loops around the product
      // changes (a recurrent layer's weights, in its loop over time) is
      // packed once, before the outermost such loop.
      Value bp;
      bool packed = false;
      if (scf::ForOp loop = invariantLoop(p_.op, p_.b)) {
        OpBuilder::InsertionGuard guard(b_);
        b_.setInsertionPoint(loop);
        bp = memref::AllocOp::create(b_, loc_, bpType, b_.getI64IntegerAttr(64));
        SmallVector<Value> outside(p_.ranges.size());
        for (unsigned d : p_.batch)
          outside[d] = idx(0);
        packRight(outside, idx(0), bp);
        packed = true;
      } else {
        bp = memref::AllocOp::create(b_, loc_, bpType, b_.getI64IntegerAttr(64));
      }
      kernel(iv, idx(0), ap, bp, /*packRightPanels=*/!packed);
      return;
    }
    Value bp = memref::AllocOp::create(b_, loc_, bpType, b_.getI64IntegerAttr(64));
    SmallVector<Value> lbs, ubs, steps;
    for (unsigned d : repeated) {
      lbs.push_back(idx(0));
      ubs.push_back(idx(p_.ranges[d]));
      steps.push_back(idx(1));
    }
    auto par = scf::ParallelOp::create(b_, loc_, lbs, ubs, steps);
    OpBuilder::InsertionGuard guard(b_);
    b_.setInsertionPoint(par.getBody()->getTerminator());
    Value linear = idx(0);
    for (auto [i, d] : llvm::enumerate(repeated)) {
      iv[d] = par.getInductionVars()[i];
      linear = arith::AddIOp::create(
          b_, loc_, arith::MulIOp::create(b_, loc_, linear, idx(p_.ranges[d])),
          iv[d]);
    }
    kernel(iv, linear, ap, bp);
  }

private:
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b_, loc_, v); }

  /// One product: its panels, then its kc blocks. `batch` indexes the
  /// panels' leading dimension.
  void kernel(SmallVector<Value> &iv, Value batch, Value ap, Value bp,
              bool packRightPanels = true) {
    if (packRightPanels)
      packRight(iv, batch, bp);
    packLeft(iv, batch, ap);
    blocks(iv, batch, ap, bp);
  }

  /// The loops both packings share: a parallel loop over `count` panels of
  /// `tile` rows or columns and, inside it, a loop over k (its index in
  /// iv[k]), the builder left in the latter (the caller's guard restores
  /// it). Returns the panel and its first row or column.
  std::pair<Value, Value> openPanelLoops(int64_t count, int64_t tile,
                                         SmallVector<Value> &iv) {
    auto par = scf::ParallelOp::create(b_, loc_, ValueRange{idx(0)},
                                       ValueRange{idx(count)}, ValueRange{idx(1)});
    b_.setInsertionPoint(par.getBody()->getTerminator());
    Value panel = par.getInductionVars()[0];
    Value first = arith::MulIOp::create(b_, loc_, panel, idx(tile));
    auto kLoop = scf::ForOp::create(b_, loc_, idx(0), idx(K), idx(1));
    b_.setInsertionPointToStart(kLoop.getBody());
    iv[p_.k] = kLoop.getInductionVar();
    return {panel, first};
  }

  /// Bp[n1][k][j] = B[k][n1*nr + j], 0 past the last column.
  void packRight(SmallVector<Value> iv, Value batch, Value bp) {
    auto bType = cast<MemRefType>(p_.b.getType());
    bool vectorRows =
        p_.bMap.getResults().back() == getAffineDimExpr(p_.n, b_.getContext()) &&
        bType.isLastDimUnitStride();
    Value cN = idx(N);
    OpBuilder::InsertionGuard guard(b_);
    auto [n1, n0] = openPanelLoops(N1, t_.nr, iv);
    if (vectorRows) {
      // Whole vectors of the row, the part past N masked off.
      Value zero = zeros();
      for (int64_t v = 0; v < t_.nr / t_.width; ++v) {
        Value col = arith::AddIOp::create(b_, loc_, n0, idx(v * t_.width));
        Value mask = maskFrom(col, cN);
        iv[p_.n] = col;
        Value row = vector::MaskedLoadOp::create(
            b_, loc_, vec_, p_.b, indicesOf(p_.bMap, iv), mask, zero);
        vector::StoreOp::create(b_, loc_, row, bp,
                                ValueRange{batch, n1, iv[p_.k], idx(v * t_.width)});
      }
      return;
    }
    // Any other layout element by element.
    auto jLoop = scf::ForOp::create(b_, loc_, idx(0), idx(t_.nr), idx(1));
    b_.setInsertionPointToStart(jLoop.getBody());
    Value j = jLoop.getInductionVar();
    Value col = arith::AddIOp::create(b_, loc_, n0, j);
    iv[p_.n] = clamp(col, N);
    Value x = memref::LoadOp::create(b_, loc_, p_.b, indicesOf(p_.bMap, iv));
    Value in = arith::CmpIOp::create(b_, loc_, arith::CmpIPredicate::slt, col, cN);
    Value v = arith::SelectOp::create(b_, loc_, in, x, zeroScalar());
    memref::StoreOp::create(b_, loc_, v, bp, ValueRange{batch, n1, iv[p_.k], j});
  }

  /// Ap[k/kc][m1][k%kc][r] = A[m1*mr + r][k], 0 past the last row: each kc
  /// block's row panels one after another, so the micro-kernels of a row
  /// block read its left operand as one contiguous stream (in [m1][k]
  /// order, a block's 6 KB pieces were K*mr floats apart, each a new
  /// stream for the hardware prefetchers).
  void packLeft(SmallVector<Value> iv, Value batch, Value ap) {
    Value cM = idx(M);
    OpBuilder::InsertionGuard guard(b_);
    auto [m1, m0] = openPanelLoops(M1, t_.mr, iv);
    Value kb = arith::DivUIOp::create(b_, loc_, iv[p_.k], idx(t_.kc));
    Value kk = arith::RemUIOp::create(b_, loc_, iv[p_.k], idx(t_.kc));
    for (int64_t r = 0; r < t_.mr; ++r) {
      Value row = arith::AddIOp::create(b_, loc_, m0, idx(r));
      setRow(iv, clamp(row, M));
      Value x = memref::LoadOp::create(b_, loc_, p_.a, indicesOf(p_.aMap, iv));
      Value in = arith::CmpIOp::create(b_, loc_, arith::CmpIPredicate::slt, row, cM);
      Value v = arith::SelectOp::create(b_, loc_, in, x, zeroScalar());
      memref::StoreOp::create(b_, loc_, v, ap, ValueRange{batch, kb, m1, kk, idx(r)});
    }
  }

  /// The kc blocks, each a parallel loop of micro-kernels.
  void blocks(SmallVector<Value> iv, Value batch, Value ap, Value bp) {
    auto kcLoop = scf::ForOp::create(b_, loc_, idx(0), idx(K), idx(t_.kc));
    OpBuilder::InsertionGuard guard(b_);
    b_.setInsertionPointToStart(kcLoop.getBody());
    Value kBegin = kcLoop.getInductionVar();
    Value kEnd = arith::MinSIOp::create(
        b_, loc_, arith::AddIOp::create(b_, loc_, kBegin, idx(t_.kc)), idx(K));
    // Blocks of at most mc rows, of equal size: the threads share out the
    // column panels, and each sweeps its panels over one row block, whose
    // packed left operand (mc x kc) stays in its L2 from one panel to the
    // next. With all M rows in one sweep, a 2048-row block was 2 MB, the
    // whole L2, and was read again from L3 for every column panel.
    int64_t mcTiles = std::min(M1, std::max<int64_t>(1, t_.mc / t_.mr));
    int64_t rowBlocks = (M1 + mcTiles - 1) / mcTiles;
    mcTiles = (M1 + rowBlocks - 1) / rowBlocks;
    auto mcLoop = scf::ForOp::create(b_, loc_, idx(0), idx(M1), idx(mcTiles));
    b_.setInsertionPointToStart(mcLoop.getBody());
    Value mBegin = mcLoop.getInductionVar();
    auto par = scf::ParallelOp::create(
        b_, loc_, ValueRange{idx(0), idx(0)}, ValueRange{idx(N1), idx(mcTiles)},
        ValueRange{idx(1), idx(1)});
    b_.setInsertionPoint(par.getBody()->getTerminator());
    Value m1 = arith::AddIOp::create(b_, loc_, mBegin, par.getInductionVars()[1]);
    if (M1 % mcTiles != 0) {
      // The last block is short: its missing panels do nothing.
      auto inside = scf::IfOp::create(
          b_, loc_,
          arith::CmpIOp::create(b_, loc_, arith::CmpIPredicate::slt, m1, idx(M1)),
          /*withElse=*/false);
      b_.setInsertionPointToStart(inside.thenBlock());
    }
    microKernel(iv, batch, ap, bp, par.getInductionVars()[0], m1, kBegin, kEnd);
  }

  void microKernel(SmallVector<Value> iv, Value batch, Value ap, Value bp, Value n1,
                   Value m1, Value kBegin, Value kEnd) {
    int64_t nv = t_.nr / t_.width;
    Value cM = idx(M), cN = idx(N);
    Value n0 = arith::MulIOp::create(b_, loc_, n1, idx(t_.nr));
    Value kb = arith::DivUIOp::create(b_, loc_, kBegin, idx(t_.kc));
    Value m0 = arith::MulIOp::create(b_, loc_, m1, idx(t_.mr));
    SmallVector<Value> cols, masks, rows, rowIn;
    for (int64_t v = 0; v < nv; ++v) {
      cols.push_back(arith::AddIOp::create(b_, loc_, n0, idx(v * t_.width)));
      masks.push_back(maskFrom(cols.back(), cN));
    }
    for (int64_t r = 0; r < t_.mr; ++r) {
      rows.push_back(arith::AddIOp::create(b_, loc_, m0, idx(r)));
      rowIn.push_back(arith::CmpIOp::create(b_, loc_, arith::CmpIPredicate::slt,
                                            rows.back(), cM));
    }
    // The tile of C, rows past M read as zeros (never touched). With the
    // fill folded in, the first block starts from the fill's value.
    linalg::FillOp fill = p_.fill;
    Value init = fill ? fill.getDpsInputs()[0] : Value();
    Value later;
    if (init)
      later = arith::CmpIOp::create(b_, loc_, arith::CmpIPredicate::ne,
                                    kBegin, idx(0));
    SmallVector<Value> acc;
    for (int64_t r = 0; r < t_.mr; ++r) {
      Value loadRow =
          init ? arith::AndIOp::create(b_, loc_, rowIn[r], later) : rowIn[r];
      auto load = scf::IfOp::create(
          b_, loc_, loadRow,
          [&](OpBuilder &tb, Location l) {
            SmallVector<Value> vs;
            for (int64_t v = 0; v < nv; ++v) {
              SmallVector<Value> at(iv);
              setRow(at, rows[r], tb, l);
              at[p_.n] = cols[v];
              vs.push_back(vector::MaskedLoadOp::create(
                  tb, l, vec_, p_.c, indicesOf(p_.cMap, at), masks[v],
                  zerosAt(tb, l)));
            }
            scf::YieldOp::create(tb, l, vs);
          },
          [&](OpBuilder &eb, Location l) {
            Value start = init ? vector::BroadcastOp::create(eb, l, vec_, init)
                                     .getResult()
                               : zerosAt(eb, l);
            SmallVector<Value> vs(nv, start);
            scf::YieldOp::create(eb, l, vs);
          });
      acc.append(load.getResults().begin(), load.getResults().end());
    }
    // The next row panel's tile of C, toward the caches while this one
    // computes: its rows are a whole row of C apart, a stride the hardware
    // prefetchers do not follow, and without this its loads miss (7% of
    // the time at 2048^3).
    for (int64_t r = 0; r < t_.mr; ++r)
      for (int64_t v = 0; v < nv; ++v) {
        SmallVector<Value> at(iv);
        setRow(at, clamp(arith::AddIOp::create(b_, loc_, rows[r], idx(t_.mr)), M));
        at[p_.n] = clamp(cols[v], N);
        memref::PrefetchOp::create(b_, loc_, p_.c, indicesOf(p_.cMap, at),
                                   /*isWrite=*/true, /*localityHint=*/3,
                                   /*isDataCache=*/true);
      }
    // The k loop: the tile stays in registers as loop-carried values.
    auto kLoop = scf::ForOp::create(
        b_, loc_, kBegin, kEnd, idx(1), acc,
        [&](OpBuilder &lb, Location l, Value k, ValueRange in) {
          Value kk = arith::SubIOp::create(lb, l, k, kBegin);
          SmallVector<Value> right;
          for (int64_t v = 0; v < nv; ++v)
            right.push_back(vector::LoadOp::create(
                lb, l, vec_, bp,
                ValueRange{batch, n1, k, arith::ConstantIndexOp::create(lb, l, v * t_.width)}));
          SmallVector<Value> out;
          for (int64_t r = 0; r < t_.mr; ++r) {
            Value a = memref::LoadOp::create(
                lb, l, ap,
                ValueRange{batch, kb, m1, kk, arith::ConstantIndexOp::create(lb, l, r)});
            Value splat = vector::BroadcastOp::create(lb, l, vec_, a);
            for (int64_t v = 0; v < nv; ++v)
              out.push_back(vector::FMAOp::create(lb, l, splat, right[v],
                                                  in[r * nv + v]));
          }
          scf::YieldOp::create(lb, l, out);
        });
    for (int64_t r = 0; r < t_.mr; ++r) {
      auto store = scf::IfOp::create(b_, loc_, rowIn[r], /*withElse=*/false);
      OpBuilder::InsertionGuard guard(b_);
      b_.setInsertionPointToStart(store.thenBlock());
      for (int64_t v = 0; v < nv; ++v) {
        SmallVector<Value> at(iv);
        setRow(at, rows[r]);
        at[p_.n] = cols[v];
        vector::MaskedStoreOp::create(b_, loc_, p_.c, indicesOf(p_.cMap, at),
                                      masks[v], kLoop.getResult(r * nv + v));
      }
    }
  }

  /// The row dimensions' indices for row `row` of the M rows.
  void setRow(SmallVector<Value> &iv, Value row) { setRow(iv, row, b_, loc_); }
  void setRow(SmallVector<Value> &iv, Value row, OpBuilder &b, Location l) {
    for (unsigned d : llvm::reverse(ArrayRef<unsigned>(p_.m).drop_front())) {
      Value size = arith::ConstantIndexOp::create(b, l, p_.ranges[d]);
      iv[d] = arith::RemUIOp::create(b, l, row, size);
      row = arith::DivUIOp::create(b, l, row, size);
    }
    iv[p_.m.front()] = row;
  }

  /// Lanes of the vector starting at `col` that are before `limit`.
  Value maskFrom(Value col, Value limit) {
    Value left = arith::SubIOp::create(b_, loc_, limit, col);
    return vector::CreateMaskOp::create(b_, loc_, mask_, ValueRange{left});
  }
  /// `i` kept inside [0, size): the padding reads a real element, then
  /// discards it.
  Value clamp(Value i, int64_t size) {
    return arith::MinSIOp::create(b_, loc_, i, idx(size - 1));
  }
  Value zeroScalar() {
    return arith::ConstantOp::create(b_, loc_, b_.getF32FloatAttr(0));
  }
  Value zeros() { return zerosAt(b_, loc_); }
  Value zerosAt(OpBuilder &b, Location l) {
    return arith::ConstantOp::create(b, l, vec_, DenseElementsAttr::get(vec_, 0.0f));
  }

  OpBuilder &b_;
  Location loc_;
  const Product &p_;
  TileShape t_;
  int64_t M, N, K, M1, N1, KB;
  Type f32_;
  VectorType vec_, mask_;
};

struct PackMatmulPass : impl::CpuPackMatmulBase<PackMatmulPass> {
  using CpuPackMatmulBase::CpuPackMatmulBase;

  TileShape tile() const { return {mr, nr, kc, vectorWidth, mc}; }

  void runOnOperation() override {
    if (mr < 1 || kc < 1 || vectorWidth < 1 || nr < vectorWidth ||
        nr % vectorWidth != 0) {
      getOperation().emitError()
          << "kiln-cpu-pack-matmul: need mr >= 1, kc >= 1 and nr a multiple "
             "of vector-width; got mr="
          << int64_t(mr) << " nr=" << int64_t(nr) << " kc=" << int64_t(kc)
          << " vector-width=" << int64_t(vectorWidth);
      return signalPassFailure();
    }
    SmallVector<Product, 4> products;
    getOperation().walk([&](linalg::GenericOp op) {
      if (std::optional<Product> p =
              matchProduct(op, minFlops, tile()))
        products.push_back(*p);
    });
    OpBuilder b(&getContext());
    for (Product &p : products) {
      b.setInsertionPoint(p.op);
      KernelBuilder(b, p.op.getLoc(), p, tile()).build();
      p.op.erase();
      if (p.fill)
        p.fill.erase();
    }
  }
};

} // namespace
} // namespace kiln
