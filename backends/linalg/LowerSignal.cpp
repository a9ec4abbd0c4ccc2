//===- LowerSignal.cpp - kiln.dft, kiln.stft and kiln.mel_weight_matrix ----===//
//
// On the CPU (along-axis=serial) each transform is one FFT (FftLoops.h):
// radix-2 for a power-of-two length, Bluestein's for other lengths from
// kBluesteinMinLength; O(L log L). Shorter lengths, and on the GPU
// (along-axis=parallel) every length: each output element is one sum over
// the signal, written as an scf.for inside the body of a
// linalg.generic over the output (whose last dimension picks the real or
// imaginary part): O(L^2). The sums and twiddles are in f64 whatever the
// element type: a real signal's imaginary parts that should cancel exactly
// (np.fft gives ~1e-13) would otherwise be off by the rounding of the whole
// sum. Twiddles come from one table of cos and sin of 2 pi m / L per op;
// term n of bin k reads entry (k * n) mod L, exact in integers, rather than
// an angle that grows with the signal.
//
//===----------------------------------------------------------------------===//
#include "backends/linalg/F64Arith.h"
#include "backends/linalg/FftLoops.h"
#include "backends/linalg/LoopBuilders.h"
#include "backends/linalg/LoweringUtils.h"
#include "backends/linalg/Patterns.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <optional>

using namespace mlir;

namespace kiln::lowering {
namespace {

/// Lengths (not powers of two) from which Bluestein's FFT, two M-point
/// FFTs per transform with M >= 2L - 1, beats L / 2 + 1 direct sums of L
/// terms. Measured on 64 one-sided transforms (kiln-run --bench, 2 cores):
/// the sums win at L = 40 (0.10 ms against 0.16), Bluestein's at L = 63
/// (0.10 against 0.27) and L = 100 (0.32 against 0.60).
constexpr int64_t kBluesteinMinLength = 64;

/// Frequencies kept of an `length`-point transform, as an index.
Value binsOf(OpBuilder &b, Location loc, Value length, bool onesided) {
  if (!onesided)
    return length;
  return arith::AddIOp::create(
      b, loc, arith::DivUIOp::create(b, loc, length, cIndex(b, loc, 2)),
      cIndex(b, loc, 1));
}

/// The result's dimensions: static where the op's type has them, else the
/// computed `values`.
SmallVector<OpFoldResult> resultDims(OpBuilder &b, RankedTensorType type,
                                     ArrayRef<Value> values) {
  SmallVector<OpFoldResult> dims;
  for (auto [d, v] : llvm::enumerate(values))
    dims.push_back(type.isDynamicDim(d) ? OpFoldResult(v)
                                        : indexAttr(b, type.getDimSize(d)));
  return dims;
}

/// The real and imaginary parts (f64) of a complex-as-last-dimension
/// tensor at `idx` (whose last entry is replaced): the imaginary part is 0
/// when that dimension has size 1. `parts` is its size at run time.
std::pair<Value, Value> readComplex(OpBuilder &b, Location loc, Value x,
                                    SmallVector<Value> idx, Value parts) {
  Type t = cast<RankedTensorType>(x.getType()).getElementType();
  auto toF64 = [&](Value v) {
    return t.isF64() ? v : (Value)arith::ExtFOp::create(b, loc, b.getF64Type(), v);
  };
  idx.back() = cIndex(b, loc, 0);
  Value re = toF64(tensor::ExtractOp::create(b, loc, x, idx));
  idx.back() = arith::SubIOp::create(b, loc, parts, cIndex(b, loc, 1));
  Value im = toF64(tensor::ExtractOp::create(b, loc, x, idx));
  Value complex = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, parts,
                                        cIndex(b, loc, 2));
  F64Arith f{b, loc};
  return {re, f.select(complex, im, f.c(0))};
}

/// Part `part` (0 real, 1 imaginary) of frequency `k` of an `length`-point
/// DFT of the `count` samples `read(n)` gives (the rest are zeros), scaled
/// by 1 / length when `inverse`, in `element`. The twiddle of term n is
/// entry (k * n) mod length of `twiddles` (twiddleTable, FftLoops.h): the
/// same f64 cos and sin as computing them per term, without the calls. The
/// entry steps by k each term (k < length, so one subtraction wraps it),
/// not a division per term.
Value dftElement(OpBuilder &b, Location loc, Value k, Value part, Value count,
                 Value length, Value twiddles, bool inverse, Type element,
                 function_ref<std::pair<Value, Value>(OpBuilder &, Location,
                                                      Value)>
                     read) {
  F64Arith f{b, loc};
  Value zero = f.c(0);
  auto loop = scf::ForOp::create(
      b, loc, cIndex(b, loc, 0), count, cIndex(b, loc, 1),
      ValueRange{zero, zero, cIndex(b, loc, 0)},
      [&](OpBuilder &lb, Location ll, Value n, ValueRange acc) {
        F64Arith g{lb, ll};
        auto [xr, xi] = read(lb, ll, n);
        Value kn = acc[2];
        Value step = arith::AddIOp::create(lb, ll, kn, k);
        Value wrapped = arith::CmpIOp::create(lb, ll, arith::CmpIPredicate::uge,
                                              step, length);
        Value nextKn = arith::SelectOp::create(
            lb, ll, wrapped, arith::SubIOp::create(lb, ll, step, length), step);
        Value at = arith::AddIOp::create(lb, ll, kn, kn);
        Value cos = tensor::ExtractOp::create(lb, ll, twiddles, ValueRange{at});
        Value sin = tensor::ExtractOp::create(
            lb, ll, twiddles, ValueRange{arith::AddIOp::create(lb, ll, at, cIndex(lb, ll, 1))});
        // x * exp(-i theta) forward, x * exp(+i theta) inverse.
        Value re = inverse ? g.sub(g.mul(xr, cos), g.mul(xi, sin))
                           : g.add(g.mul(xr, cos), g.mul(xi, sin));
        Value im = inverse ? g.add(g.mul(xi, cos), g.mul(xr, sin))
                           : g.sub(g.mul(xi, cos), g.mul(xr, sin));
        scf::YieldOp::create(
            lb, ll, ValueRange{g.add(acc[0], re), g.add(acc[1], im), nextKn});
      });
  Value isReal = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, part,
                                       cIndex(b, loc, 0));
  Value v = f.select(isReal, loop.getResult(0), loop.getResult(1));
  if (inverse)
    v = f.div(v, f.fromIndex(length));
  return castScalar(b, loc, v, b.getF64Type(), element);
}

/// Sample n of the transform at output position `ivs`, as f64 parts.
using ReadAt = function_ref<std::pair<Value, Value>(OpBuilder &, Location,
                                                    ValueRange ivs, Value n)>;

/// The output of shape `outValues` (bins along `binDim`, real and imaginary
/// parts along the last dimension), one transform per position of the
/// other dimensions: by FFT (FftLoops.h) when `length` is a power of two
/// and the axis is serial (AxisAlgorithm), else by one sum per element
/// (dftElement).
Value transform(OpBuilder &b, Location loc, AxisAlgorithm algorithm,
                RankedTensorType outType, ArrayRef<Value> outValues,
                int64_t binDim, Value length, Value count, bool inverse,
                ReadAt read) {
  Type element = outType.getElementType();
  int64_t rank = outType.getRank();
  SmallVector<OpFoldResult> dims = resultDims(b, outType, outValues);
  // One FFT per transform, into scratch tensors carried through the loop
  // over transforms: radix-2, or Bluestein's (two scratches of 2M).
  auto byFft = [&](OpBuilder &tb, Location tl, bool chirped) {
    std::optional<BluesteinPlan> chirp;
    if (chirped)
      chirp = bluesteinPlan(tb, tl, length, inverse);
    FftPlan plan = chirped ? chirp->fft : fftPlan(tb, tl, length);
    auto newScratch = [&] {
      return emptyTensor(
          tb, tl,
          {OpFoldResult(arith::AddIOp::create(tb, tl, plan.length, plan.length).getResult())},
          tb.getF64Type());
    };
    SmallVector<Value> scratches = {newScratch()};
    if (chirped)
      scratches.push_back(newScratch());
    SmallVector<Value> transforms(outValues);
    transforms[binDim] = cIndex(tb, tl, 1);
    transforms[rank - 1] = cIndex(tb, tl, 1);
    SmallVector<Value> carried = {emptyTensor(tb, tl, dims, element)};
    carried.append(scratches);
    return loopNest(
        tb, tl, transforms, carried,
        [&](OpBuilder &nb, Location nl, ValueRange ivs, ValueRange acc) {
          auto readAt = [&](OpBuilder &rb, Location rl, Value n) {
            return read(rb, rl, ivs, n);
          };
          SmallVector<Value> next(acc.drop_front());
          if (chirped)
            std::tie(next[0], next[1]) =
                bluesteinInto(nb, nl, acc[1], acc[2], *chirp, count, readAt);
          else
            next[0] = fftInto(nb, nl, acc[1], plan, count, inverse, readAt);
          Value spectrum = next[0];
          Value written = loopNest(
              nb, nl, ValueRange{outValues[binDim], cIndex(nb, nl, 2)},
              ValueRange{acc[0]},
              [&](OpBuilder &wb, Location wl, ValueRange kp, ValueRange st) {
                F64Arith f{wb, wl};
                Value at = arith::AddIOp::create(
                    wb, wl, arith::AddIOp::create(wb, wl, kp[0], kp[0]), kp[1]);
                Value v = tensor::ExtractOp::create(wb, wl, spectrum, ValueRange{at});
                if (inverse)
                  v = f.div(v, f.fromIndex(length));
                SmallVector<Value> idx(ivs.begin(), ivs.end());
                idx[binDim] = kp[0];
                idx[rank - 1] = kp[1];
                return SmallVector<Value>{tensor::InsertOp::create(
                    wb, wl, castScalar(wb, wl, v, wb.getF64Type(), element), st[0],
                    idx)};
              })[0];
          next.insert(next.begin(), written);
          return next;
        })[0];
  };
  auto bySums = [&](OpBuilder &eb, Location el) {
    Value twiddles = twiddleTable(eb, el, length);
    return generateTensor(
        eb, el, dims, element, [&](OpBuilder &gb, Location gl, ValueRange i) {
          return dftElement(gb, gl, i[binDim], i[rank - 1], count, length,
                            twiddles, inverse, element,
                            [&](OpBuilder &lb, Location ll, Value s) {
                              return read(lb, ll, i, s);
                            });
        });
  };
  // A GPU runs the sums one thread per element; an FFT per transform would
  // be one thread's serial work.
  if (algorithm == AxisAlgorithm::Parallel)
    return bySums(b, loc);
  auto choice = scf::IfOp::create(
      b, loc, isPowerOfTwo(b, loc, length),
      [&](OpBuilder &tb, Location tl) {
        scf::YieldOp::create(tb, tl, byFft(tb, tl, /*chirped=*/false));
      },
      [&](OpBuilder &eb, Location el) {
        auto other = scf::IfOp::create(
            eb, el,
            arith::CmpIOp::create(eb, el, arith::CmpIPredicate::sge, length,
                                  cIndex(eb, el, kBluesteinMinLength)),
            [&](OpBuilder &cb, Location cl) {
              scf::YieldOp::create(cb, cl, byFft(cb, cl, /*chirped=*/true));
            },
            [&](OpBuilder &sb, Location sl) {
              scf::YieldOp::create(sb, sl, bySums(sb, sl));
            });
        scf::YieldOp::create(eb, el, other.getResults());
      });
  return choice.getResult(0);
}

/// Checks at run time that a complex dimension of dynamic size is 1 or 2.
void checkParts(OpBuilder &b, Location loc, Operation *op, Value x,
                Value parts) {
  if (!cast<RankedTensorType>(x.getType()).isDynamicDim(
          cast<RankedTensorType>(x.getType()).getRank() - 1))
    return;
  Value ok = arith::OrIOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, parts, cIndex(b, loc, 1)),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, parts, cIndex(b, loc, 2)));
  runtimeCheck(b, loc, op, ok,
               "the last dimension must be 1 (real) or 2 (complex)");
}

struct DftLowering : AxisAlgorithmPattern<DftOp> {
  using AxisAlgorithmPattern::AxisAlgorithmPattern;
  LogicalResult
  matchAndRewrite(DftOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput();
    auto outType = cast<RankedTensorType>(op.getType());
    Type element = outType.getElementType();
    int64_t rank = outType.getRank(), axis = op.getAxis();
    bool inverse = op.getInverse();
    SmallVector<OpFoldResult> inDims = getDims(b, loc, x);
    Value n = indexValue(b, loc, inDims[axis]);
    Value parts = indexValue(b, loc, inDims[rank - 1]);
    checkParts(b, loc, op, x, parts);
    Value length = op.getLength() ? cIndex(b, loc, *op.getLength()) : n;
    // Samples past the transform length are dropped, missing ones are 0.
    Value count = arith::MinUIOp::create(b, loc, n, length);
    SmallVector<Value> outValues;
    for (int64_t d = 0; d < rank; ++d)
      outValues.push_back(d == axis       ? binsOf(b, loc, length, op.getOnesided())
                          : d == rank - 1 ? cIndex(b, loc, 2)
                                          : indexValue(b, loc, inDims[d]));
    Value r = transform(
        b, loc, algorithm, outType, outValues, axis, length, count, inverse,
        [&](OpBuilder &lb, Location ll, ValueRange i, Value s) {
          SmallVector<Value> idx(i);
          idx[axis] = s;
          return readComplex(lb, ll, x, idx, parts);
        });
    rewriter.replaceOp(op, castTo(b, loc, r, outType));
    return success();
  }
};

struct StftLowering : AxisAlgorithmPattern<StftOp> {
  using AxisAlgorithmPattern::AxisAlgorithmPattern;
  LogicalResult
  matchAndRewrite(StftOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value signal = adaptor.getSignal(), window = adaptor.getWindow();
    auto outType = cast<RankedTensorType>(op.getType());
    Type element = outType.getElementType();
    SmallVector<OpFoldResult> sDims = getDims(b, loc, signal);
    Value total = indexValue(b, loc, sDims[1]);
    Value parts = indexValue(b, loc, sDims[2]);
    Value length = dimValue(b, loc, window, 0);
    Value step = arith::IndexCastOp::create(
        b, loc, b.getIndexType(), extractScalar(b, loc, adaptor.getFrameStep()));
    checkParts(b, loc, op, signal, parts);
    runtimeCheck(b, loc, op,
                 arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, step,
                                       cIndex(b, loc, 0)),
                 "frame_step must be positive");
    runtimeCheck(b, loc, op,
                 arith::AndIOp::create(
                     b, loc,
                     arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt,
                                           length, cIndex(b, loc, 0)),
                     arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle,
                                           length, total)),
                 "the frame length must be in [1, signal length]");
    Value frames = arith::AddIOp::create(
        b, loc,
        arith::DivSIOp::create(b, loc,
                               arith::SubIOp::create(b, loc, total, length), step),
        cIndex(b, loc, 1));
    SmallVector<Value> outValues = {indexValue(b, loc, sDims[0]), frames,
                                    binsOf(b, loc, length, op.getOnesided()),
                                    cIndex(b, loc, 2)};
    Value r = transform(
        b, loc, algorithm, outType, outValues, /*binDim=*/2, length, length,
        /*inverse=*/false,
        [&](OpBuilder &lb, Location ll, ValueRange i, Value s) {
          F64Arith g{lb, ll};
          Value start = arith::MulIOp::create(lb, ll, i[1], step);
          Value at = arith::AddIOp::create(lb, ll, start, s);
          auto [re, im] = readComplex(lb, ll, signal, {i[0], at, Value()}, parts);
          Value w = castScalar(lb, ll, tensor::ExtractOp::create(lb, ll, window, s),
                               element, lb.getF64Type());
          return std::make_pair(g.mul(re, w), g.mul(im, w));
        });
    rewriter.replaceOp(op, castTo(b, loc, r, outType));
    return success();
  }
};

/// ONNX's reference: num_mel_bins + 2 points evenly spaced in mel between
/// the edges, each turned back into hertz and then into a DFT bin
/// floor((dft_length + 1) * hz / sample_rate); column i rises linearly from
/// bin point i (0) to point i + 1 (1) and falls to point i + 2. A column
/// whose first two points coincide has just a 1 at that bin.
struct MelWeightMatrixLowering : OpConversionPattern<MelWeightMatrixOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MelWeightMatrixOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    F64Arith f{b, loc};
    auto outType = cast<RankedTensorType>(op.getType());
    auto asIndex = [&](Value t) {
      return arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                        extractScalar(b, loc, t))
          .getResult();
    };
    auto asF64 = [&](Value kilnOperand, Value t) {
      return castScalar(b, loc, extractScalar(b, loc, t),
                        cast<RankedTensorType>(kilnOperand.getType()).getElementType(),
                        b.getF64Type());
    };
    Value mels = asIndex(adaptor.getNumMelBins());
    Value dftLength = asIndex(adaptor.getDftLength());
    Value rate = asF64(op.getSampleRate(), adaptor.getSampleRate());
    Value low = asF64(op.getLowerEdgeHertz(), adaptor.getLowerEdgeHertz());
    Value high = asF64(op.getUpperEdgeHertz(), adaptor.getUpperEdgeHertz());
    auto positive = [&](Value v) {
      return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, v,
                                   cIndex(b, loc, 0));
    };
    runtimeCheck(b, loc, op,
                 arith::AndIOp::create(b, loc, positive(mels), positive(dftLength)),
                 "num_mel_bins and dft_length must be positive");
    runtimeCheck(b, loc, op, f.cmp(arith::CmpFPredicate::OGT, rate, f.c(0)),
                 "sample_rate must be positive");
    auto toMel = [&](Value hz) {
      return f.mul(f.c(2595), math::Log10Op::create(
                                  b, loc, f.add(f.c(1), f.div(hz, f.c(700)))));
    };
    Value lowMel = toMel(low);
    Value melStep = f.div(f.sub(toMel(high), lowMel),
                          f.fromIndex(arith::AddIOp::create(b, loc, mels, cIndex(b, loc, 2))));
    Value scale = f.fromIndex(arith::AddIOp::create(b, loc, dftLength, cIndex(b, loc, 1)));
    SmallVector<Value> outValues = {binsOf(b, loc, dftLength, true), mels};
    Type element = outType.getElementType();
    Value r = generateTensor(
        b, loc, resultDims(b, outType, outValues), element,
        [&](OpBuilder &gb, Location gl, ValueRange i) {
          F64Arith g{gb, gl};
          // Bin of point p (an integer-valued f64).
          auto point = [&](int64_t offset) {
            Value p = g.fromIndex(arith::AddIOp::create(gb, gl, i[1], cIndex(gb, gl, offset)));
            Value mel = g.add(g.mul(p, melStep), lowMel);
            Value hz = g.mul(g.c(700),
                             g.sub(math::PowFOp::create(gb, gl, g.c(10),
                                                        g.div(mel, g.c(2595))),
                                   g.c(1)));
            return g.floor(g.div(g.mul(scale, hz), rate));
          };
          Value lo = point(0), mid = point(1), hi = point(2);
          Value j = g.fromIndex(i[0]);
          using P = arith::CmpFPredicate;
          auto both = [&](Value p, Value q) {
            return arith::AndIOp::create(gb, gl, p, q).getResult();
          };
          Value zero = g.c(0), one = g.c(1);
          Value rising = g.select(
              both(g.cmp(P::OLE, lo, j), g.cmp(P::OLE, j, mid)),
              g.div(g.sub(j, lo), g.sub(mid, lo)), zero);
          Value v = g.select(g.cmp(P::OEQ, lo, mid),
                             g.select(g.cmp(P::OEQ, j, mid), one, zero), rising);
          Value falling = both(g.cmp(P::OGT, hi, mid),
                               both(g.cmp(P::OLE, mid, j), g.cmp(P::OLT, j, hi)));
          v = g.select(falling, g.div(g.sub(hi, j), g.sub(hi, mid)), v);
          return castScalar(gb, gl, v, gb.getF64Type(), element);
        });
    rewriter.replaceOp(op, castTo(b, loc, r, toSignless(outType)));
    return success();
  }
};

} // namespace

void populateSignalLowering(TypeConverter &converter,
                            RewritePatternSet &patterns,
                            AxisAlgorithm algorithm) {
  patterns.add<DftLowering, StftLowering>(converter, patterns.getContext(),
                                          algorithm);
  patterns.add<MelWeightMatrixLowering>(converter, patterns.getContext());
}

} // namespace kiln::lowering
