//===- LowerRoiAlign.cpp - kiln.roi_align as one generic over the bins ------===//
//
// Each output element [r, c, ph, pw] is a pooled bin: a loop nest (scf.for
// in the body, since with sampling_ratio 0 the number of samples depends
// on the region) over its sample points, each read bilinearly from image
// batch_indices[r]. Sample points follow ONNX's RoiAlign: a point more
// than one pixel outside the image counts as 0; otherwise it is clamped
// to the image, and a point on or past the last row or column reads that
// row or column. "max" takes the largest of the four weighted taps of each
// sample (as the ONNX reference and onnxruntime do), then of the samples.
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

using namespace mlir;

namespace kiln::lowering {
namespace {

struct RoiAlignLowering : OpConversionPattern<RoiAlignOp> {
  using OpConversionPattern::OpConversionPattern;
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
    SmallVector<OpFoldResult> outDims = {getDims(b, loc, rois)[0], xd[1],
                                         indexAttr(b, outH), indexAttr(b, outW)};
    // Region sizes come from the rois themselves, so different sizes of
    // rois and batch_indices can only be caught here.
    Value roiCount = dimValue(b, loc, rois, 0);
    runtimeCheck(b, loc, op,
                 arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, roiCount,
                                       dimValue(b, loc, batchIndices, 0)),
                 "rois and batch_indices have different lengths");
    Value r = generateTensor(
        b, loc, outDims, t, [&](OpBuilder &gb, Location gl, ValueRange i) {
          F64Arith f{gb, gl};
          auto coord = [&](int64_t k) {
            Value v = tensor::ExtractOp::create(gb, gl, rois,
                                                ValueRange{i[0], cIndex(gb, gl, k)});
            return f.sub(f.mul(castScalar(gb, gl, v, t, gb.getF64Type()), f.c(scale)),
                         f.c(offset));
          };
          Value imageIdx = arith::IndexCastOp::create(
              gb, gl, gb.getIndexType(),
              tensor::ExtractOp::create(gb, gl, batchIndices, ValueRange{i[0]}));
          runtimeCheck(
              gb, gl, op,
              arith::AndIOp::create(
                  gb, gl,
                  arith::CmpIOp::create(gb, gl, arith::CmpIPredicate::sge, imageIdx,
                                        cIndex(gb, gl, 0)),
                  arith::CmpIOp::create(gb, gl, arith::CmpIPredicate::slt, imageIdx,
                                        batch)),
              "batch index out of range");
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
            // ceil(roi / out) samples; a degenerate region still gets none
            // and its bins read 0.
            return f.toIndex(arith::MaximumFOp::create(gb, gl, f.ceil(bin), f.c(0)));
          };
          Value gridH = samples(binH), gridW = samples(binW);
          Value startY = f.add(y0, f.mul(f.fromIndex(i[2]), binH));
          Value startX = f.add(x0, f.mul(f.fromIndex(i[3]), binW));
          Value stepY = f.div(binH, f.fromIndex(gridH));
          Value stepX = f.div(binW, f.fromIndex(gridW));
          Value init = isMax ? lowestValue(gb, gl, gb.getF64Type(), kindOf(gb.getF64Type()))
                             : f.c(0);
          auto rows = scf::ForOp::create(
              gb, gl, cIndex(gb, gl, 0), gridH, cIndex(gb, gl, 1), ValueRange{init},
              [&](OpBuilder &yb, Location yl, Value iy, ValueRange yacc) {
                F64Arith fy{yb, yl};
                Value y = fy.add(startY, fy.mul(fy.add(fy.fromIndex(iy), fy.c(0.5)), stepY));
                auto cols = scf::ForOp::create(
                    yb, yl, cIndex(yb, yl, 0), gridW, cIndex(yb, yl, 1), ValueRange{yacc[0]},
                    [&](OpBuilder &xb, Location xl, Value ix, ValueRange xacc) {
                      F64Arith fx{xb, xl};
                      Value xs = fx.add(startX, fx.mul(fx.add(fx.fromIndex(ix), fx.c(0.5)), stepX));
                      Value v = sample(xb, xl, x, i[1], imageIdx, y, xs, height, width, t,
                                       isMax);
                      Value acc = isMax ? (Value)arith::MaximumFOp::create(xb, xl, xacc[0], v)
                                        : fx.add(xacc[0], v);
                      scf::YieldOp::create(xb, xl, acc);
                    });
                scf::YieldOp::create(yb, yl, cols.getResult(0));
              });
          Value count = f.fromIndex(arith::MulIOp::create(gb, gl, gridH, gridW));
          Value none = arith::CmpIOp::create(gb, gl, arith::CmpIPredicate::eq,
                                             arith::MulIOp::create(gb, gl, gridH, gridW),
                                             cIndex(gb, gl, 0));
          Value pooled = isMax ? rows.getResult(0)
                               : f.div(rows.getResult(0),
                                       arith::MaximumFOp::create(gb, gl, count, f.c(1)));
          pooled = f.select(none, f.c(0), pooled);
          return castScalar(gb, gl, pooled, gb.getF64Type(), t);
        });
    rewriter.replaceOp(op, castTo(b, loc, r, outType));
    return success();
  }

  /// The bilinear sample at (y, x) of channel `c` of image `n`, in f64:
  /// the weighted sum of the four taps, or for max pooling their largest.
  static Value sample(OpBuilder &b, Location loc, Value x, Value c, Value n,
                      Value y, Value xs, Value height, Value width, Type t,
                      bool isMax) {
    F64Arith f{b, loc};
    using P = arith::CmpFPredicate;
    Value h = f.fromIndex(height), w = f.fromIndex(width);
    auto either = [&](Value p, Value q) {
      return arith::OrIOp::create(b, loc, p, q).getResult();
    };
    Value outside = either(either(f.cmp(P::OLT, y, f.c(-1)), f.cmp(P::OGT, y, h)),
                           either(f.cmp(P::OLT, xs, f.c(-1)), f.cmp(P::OGT, xs, w)));
    // Clamped into the image (harmless for the points outside, whose
    // weights are zeroed below).
    auto clampAxis = [&](Value v, Value size) {
      Value last = f.sub(size, f.c(1));
      v = arith::MinimumFOp::create(
          b, loc, arith::MaximumFOp::create(b, loc, v, f.c(0)), f.c(1e18));
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
    auto tap = [&](Value yi, Value xi, Value weight) {
      Value v = tensor::ExtractOp::create(b, loc, x, ValueRange{n, c, yi, xi});
      return f.mul(f.select(outside, f.c(0), weight),
                   castScalar(b, loc, v, t, b.getF64Type()));
    };
    Value t1 = tap(yLo, xLo, f.mul(hy, hx)), t2 = tap(yLo, xHi, f.mul(hy, lx));
    Value t3 = tap(yHi, xLo, f.mul(ly, hx)), t4 = tap(yHi, xHi, f.mul(ly, lx));
    if (isMax)
      return arith::MaximumFOp::create(
          b, loc,
          arith::MaximumFOp::create(b, loc, t1, t2),
          arith::MaximumFOp::create(b, loc, t3, t4));
    return f.add(f.add(t1, t2), f.add(t3, t4));
  }
};

} // namespace

void populateRoiAlignLowering(TypeConverter &converter,
                              RewritePatternSet &patterns) {
  patterns.add<RoiAlignLowering>(converter, patterns.getContext());
}

} // namespace kiln::lowering
