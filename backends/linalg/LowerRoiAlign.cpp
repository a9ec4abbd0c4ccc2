//===- LowerRoiAlign.cpp - kiln.roi_align as generics over the bins --------===//
//
// Each output element [r, c, ph, pw] is a pooled bin: the mean (or the
// largest) of its sample points, each read bilinearly from image
// batch_indices[r]. Sample points follow ONNX's RoiAlign: a point more
// than one pixel outside the image counts as 0; otherwise it is clamped
// to the image, and a point on or past the last row or column reads that
// row or column. "max" takes the largest of the four weighted taps of each
// sample (as the ONNX reference and onnxruntime do), then of the samples.
//
// The geometry (f64) does not depend on the channel. With a fixed
// sampling_ratio it is computed once per region, bin and sample into two
// tables (each tap's position in the image plane and its weight), which
// the generic over the output then reads for every channel. With
// sampling_ratio 0 the number of samples depends on the region: a loop
// nest (scf.for in the body) computes it per element.
//
//===----------------------------------------------------------------------===//
#include "backends/linalg/F64Arith.h"
#include "backends/linalg/LoopBuilders.h"
#include "backends/linalg/LoweringUtils.h"
#include "backends/linalg/Patterns.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <array>

using namespace mlir;

namespace kiln::lowering {
namespace {

/// One of a bilinear sample's four taps: row, column and weight (0 for a
/// point outside the image).
struct Tap {
  Value row, col, weight;
};

/// The taps of the bilinear sample at (y, x) of an image of `height` x
/// `width` (index values), in f64, following ONNX's RoiAlign: a point more
/// than one pixel outside counts as 0; otherwise it is clamped, and a point
/// on or past the last row or column reads that row or column.
std::array<Tap, 4> bilinearTaps(OpBuilder &b, Location loc, Value y, Value xs,
                                Value height, Value width) {
  F64Arith f{b, loc};
  using P = arith::CmpFPredicate;
  Value h = f.fromIndex(height), w = f.fromIndex(width);
  auto either = [&](Value p, Value q) {
    return arith::OrIOp::create(b, loc, p, q).getResult();
  };
  Value outside = either(either(f.cmp(P::OLT, y, f.c(-1)), f.cmp(P::OGT, y, h)),
                         either(f.cmp(P::OLT, xs, f.c(-1)), f.cmp(P::OGT, xs, w)));
  // Clamped into the image (harmless for the points outside, whose weights
  // are zeroed below).
  auto clampAxis = [&](Value v, Value size) {
    Value last = f.sub(size, f.c(1));
    v = arith::MinimumFOp::create(b, loc, arith::MaximumFOp::create(b, loc, v, f.c(0)),
                                  f.c(1e18));
    Value lo = f.floor(v);
    Value atEnd = f.cmp(P::OGE, lo, last);
    lo = f.select(atEnd, last, lo);
    Value hi = f.select(atEnd, last, f.add(lo, f.c(1)));
    Value frac = f.select(atEnd, f.c(0), f.sub(v, lo));
    return std::make_tuple(f.toIndex(lo), f.toIndex(hi), frac);
  };
  auto [yLo, yHi, ly] = clampAxis(y, h);
  auto [xLo, xHi, lx] = clampAxis(xs, w);
  Value hy = f.sub(f.c(1), ly), hx = f.sub(f.c(1), lx);
  auto weight = [&](Value p, Value q) { return f.select(outside, f.c(0), f.mul(p, q)); };
  return {Tap{yLo, xLo, weight(hy, hx)}, Tap{yLo, xHi, weight(hy, lx)},
          Tap{yHi, xLo, weight(ly, hx)}, Tap{yHi, xHi, weight(ly, lx)}};
}

struct RoiAlignLowering : OpConversionPattern<RoiAlignOp> {
  using OpConversionPattern::OpConversionPattern;

  /// Where the samples of bin (ph, pw) of region `r` lie: the first one's
  /// coordinates are start + step / 2, the count per axis `grid`.
  struct BinGrid {
    Value startY, startX, stepY, stepX, gridH, gridW;
  };

  LogicalResult
  matchAndRewrite(RoiAlignOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput(), rois = adaptor.getRois();
    Value batchIndices = adaptor.getBatchIndices();
    auto outType = cast<RankedTensorType>(op.getType());
    Type t = outType.getElementType();
    bool isMax = op.getMode() == "max";
    int64_t outH = op.getOutputHeight(), outW = op.getOutputWidth();
    int64_t ratio = op.getSamplingRatio();
    double scale = op.getSpatialScale().convertToDouble();
    double offset = op.getHalfPixel() ? 0.5 : 0.0;
    SmallVector<OpFoldResult> xd = getDims(b, loc, x);
    Value batch = indexValue(b, loc, xd[0]);
    Value height = indexValue(b, loc, xd[2]), width = indexValue(b, loc, xd[3]);
    OpFoldResult roiDim = getDims(b, loc, rois)[0];
    SmallVector<OpFoldResult> outDims = {roiDim, xd[1], indexAttr(b, outH),
                                         indexAttr(b, outW)};
    // Region sizes come from the rois themselves, so different sizes of
    // rois and batch_indices can only be caught here; each region's image
    // is checked once.
    Value roiCount = dimValue(b, loc, rois, 0);
    runtimeCheck(b, loc, op,
                 arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, roiCount,
                                       dimValue(b, loc, batchIndices, 0)),
                 "rois and batch_indices have different lengths");
    auto imageOf = [&](OpBuilder &gb, Location gl, Value r) -> Value {
      return arith::IndexCastOp::create(
          gb, gl, gb.getIndexType(),
          tensor::ExtractOp::create(gb, gl, batchIndices, ValueRange{r}));
    };
    scf::ForOp::create(
        b, loc, cIndex(b, loc, 0), roiCount, cIndex(b, loc, 1), ValueRange{},
        [&](OpBuilder &lb, Location ll, Value r, ValueRange) {
          Value n = imageOf(lb, ll, r);
          runtimeCheck(
              lb, ll, op,
              arith::AndIOp::create(
                  lb, ll,
                  arith::CmpIOp::create(lb, ll, arith::CmpIPredicate::sge, n,
                                        cIndex(lb, ll, 0)),
                  arith::CmpIOp::create(lb, ll, arith::CmpIPredicate::slt, n, batch)),
              "batch index out of range");
          scf::YieldOp::create(lb, ll);
        });

    auto binGrid = [&](OpBuilder &gb, Location gl, Value r, Value ph,
                       Value pw) -> BinGrid {
      F64Arith f{gb, gl};
      auto coord = [&](int64_t k) {
        Value v = tensor::ExtractOp::create(gb, gl, rois, ValueRange{r, cIndex(gb, gl, k)});
        return f.sub(f.mul(castScalar(gb, gl, v, t, gb.getF64Type()), f.c(scale)),
                     f.c(offset));
      };
      Value x0 = coord(0), y0 = coord(1), x1 = coord(2), y1 = coord(3);
      Value roiW = f.sub(x1, x0), roiH = f.sub(y1, y0);
      if (!op.getHalfPixel()) {
        // The legacy mode makes every region at least 1 x 1.
        roiW = arith::MaximumFOp::create(gb, gl, roiW, f.c(1));
        roiH = arith::MaximumFOp::create(gb, gl, roiH, f.c(1));
      }
      Value binH = f.div(roiH, f.c(double(outH)));
      Value binW = f.div(roiW, f.c(double(outW)));
      auto samples = [&](Value bin) -> Value {
        if (ratio > 0)
          return cIndex(gb, gl, ratio);
        // ceil(roi / out) samples; a degenerate region still gets none and
        // its bins read 0.
        return f.toIndex(arith::MaximumFOp::create(gb, gl, f.ceil(bin), f.c(0)));
      };
      BinGrid g;
      g.gridH = samples(binH);
      g.gridW = samples(binW);
      g.startY = f.add(y0, f.mul(f.fromIndex(ph), binH));
      g.startX = f.add(x0, f.mul(f.fromIndex(pw), binW));
      g.stepY = f.div(binH, f.fromIndex(g.gridH));
      g.stepX = f.div(binW, f.fromIndex(g.gridW));
      return g;
    };
    auto at = [](F64Arith &f, Value start, Value step, Value i) {
      return f.add(start, f.mul(f.add(f.fromIndex(i), f.c(0.5)), step));
    };
    Value zero = F64Arith{b, loc}.c(0);
    Value init = isMax ? lowestValue(b, loc, b.getF64Type(), kindOf(b.getF64Type())) : zero;
    auto combine = [&](OpBuilder &cb, Location cl, Value acc, Value v) -> Value {
      return isMax ? (Value)arith::MaximumFOp::create(cb, cl, acc, v)
                   : (Value)arith::AddFOp::create(cb, cl, acc, v);
    };
    auto finish = [&](OpBuilder &fb, Location fl, Value acc, Value count) {
      F64Arith f{fb, fl};
      Value none = arith::CmpIOp::create(fb, fl, arith::CmpIPredicate::eq, count,
                                         cIndex(fb, fl, 0));
      Value pooled = isMax ? acc
                           : f.div(acc, arith::MaximumFOp::create(
                                            fb, fl, f.fromIndex(count), f.c(1)));
      return castScalar(fb, fl, f.select(none, f.c(0), pooled), fb.getF64Type(), t);
    };

    Value result;
    if (ratio > 0) {
      // A fixed number of samples per bin: every sample's taps (position in
      // the image plane and weight) go into two tables made once per
      // region and bin, which every channel then reads, rather than the
      // geometry in f64 per channel.
      SmallVector<OpFoldResult> tableDims = {roiDim, indexAttr(b, outH), indexAttr(b, outW),
                                             indexAttr(b, ratio), indexAttr(b, ratio),
                                             indexAttr(b, 4)};
      auto table = [&](Type element, bool weights) {
        return generateTensor(
            b, loc, tableDims, element, [&](OpBuilder &gb, Location gl, ValueRange i) {
              F64Arith f{gb, gl};
              BinGrid g = binGrid(gb, gl, i[0], i[1], i[2]);
              std::array<Tap, 4> taps =
                  bilinearTaps(gb, gl, at(f, g.startY, g.stepY, i[3]),
                               at(f, g.startX, g.stepX, i[4]), height, width);
              Value v;
              for (int64_t q = 3; q >= 0; --q) {
                Value e = weights ? taps[q].weight
                                  : (Value)arith::AddIOp::create(
                                        gb, gl,
                                        arith::MulIOp::create(gb, gl, taps[q].row, width),
                                        taps[q].col);
                if (q == 3) {
                  v = e;
                  continue;
                }
                Value is = arith::CmpIOp::create(gb, gl, arith::CmpIPredicate::eq, i[5],
                                                 cIndex(gb, gl, q));
                v = arith::SelectOp::create(gb, gl, is, e, v);
              }
              return v;
            });
      };
      Value positions = table(b.getIndexType(), false);
      Value weights = table(b.getF64Type(), true);
      // The image as [N, C, H * W], read at the tables' positions.
      SmallVector<OpFoldResult> planeDims = {xd[0], xd[1]};
      std::optional<int64_t> sh = getConstantIntValue(xd[2]), sw = getConstantIntValue(xd[3]);
      planeDims.push_back(sh && sw ? OpFoldResult(indexAttr(b, *sh * *sw))
                                   : OpFoldResult(arith::MulIOp::create(b, loc, height, width)
                                                      .getResult()));
      Value planes = reshapeTo(b, loc, x, planeDims,
                               ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
      Value count = cIndex(b, loc, ratio * ratio);
      result = generateTensor(
          b, loc, outDims, t, [&](OpBuilder &gb, Location gl, ValueRange i) {
            Value n = imageOf(gb, gl, i[0]);
            Value acc = loopNest(
                gb, gl,
                ValueRange{cIndex(gb, gl, ratio), cIndex(gb, gl, ratio), cIndex(gb, gl, 4)},
                ValueRange{init},
                [&](OpBuilder &lb, Location ll, ValueRange s, ValueRange a) {
                  F64Arith f{lb, ll};
                  SmallVector<Value> entry = {i[0], i[2], i[3], s[0], s[1], s[2]};
                  Value p = tensor::ExtractOp::create(lb, ll, positions, entry);
                  Value w = tensor::ExtractOp::create(lb, ll, weights, entry);
                  Value v = tensor::ExtractOp::create(lb, ll, planes, ValueRange{n, i[1], p});
                  Value tap = f.mul(w, castScalar(lb, ll, v, t, lb.getF64Type()));
                  // "max" takes the largest weighted tap of a sample, then of
                  // the samples: the largest of all of them.
                  return SmallVector<Value>{combine(lb, ll, a[0], tap)};
                })[0];
            return finish(gb, gl, acc, count);
          });
    } else {
      // Samples per bin depend on the region: the geometry per element.
      result = generateTensor(
          b, loc, outDims, t, [&](OpBuilder &gb, Location gl, ValueRange i) {
            BinGrid g = binGrid(gb, gl, i[0], i[2], i[3]);
            Value n = imageOf(gb, gl, i[0]);
            Value acc = loopNest(
                gb, gl, ValueRange{g.gridH, g.gridW}, ValueRange{init},
                [&](OpBuilder &lb, Location ll, ValueRange s, ValueRange a) {
                  F64Arith f{lb, ll};
                  std::array<Tap, 4> taps =
                      bilinearTaps(lb, ll, at(f, g.startY, g.stepY, s[0]),
                                   at(f, g.startX, g.stepX, s[1]), height, width);
                  Value sample = isMax ? init : f.c(0);
                  for (const Tap &tap : taps) {
                    Value v = tensor::ExtractOp::create(lb, ll, x,
                                                        ValueRange{n, i[1], tap.row, tap.col});
                    sample = combine(lb, ll, sample,
                                     f.mul(tap.weight, castScalar(lb, ll, v, t, lb.getF64Type())));
                  }
                  return SmallVector<Value>{combine(lb, ll, a[0], sample)};
                })[0];
            return finish(gb, gl, acc, arith::MulIOp::create(gb, gl, g.gridH, g.gridW));
          });
    }
    rewriter.replaceOp(op, castTo(b, loc, result, outType));
    return success();
  }
};

} // namespace

void populateRoiAlignLowering(TypeConverter &converter,
                              RewritePatternSet &patterns) {
  patterns.add<RoiAlignLowering>(converter, patterns.getContext());
}

} // namespace kiln::lowering
