//===- LowerResize.cpp - kiln.resize as one interpolation pass per dimension -===//
//
// ONNX's reference interpolates dimension by dimension (the last first), so
// the lowering does the same: each pass resizes one dimension with the
// coordinate transformation and the 1-, 2- or 4-tap kernel of the mode,
// computing coordinates and weights in f64 like the reference, once per
// output position of the dimension (tables the pass then reads). Taps
// outside the input read the edge (or are dropped with exclude_outside).
//
//===----------------------------------------------------------------------===//
#include "backends/linalg/F64Arith.h"
#include "backends/linalg/LoweringUtils.h"
#include "backends/linalg/Patterns.h"
#include "dialects/kiln/ConstantUtils.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace kiln::lowering {
namespace {

using F = F64Arith;

struct ResizeLowering : OpConversionPattern<ResizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ResizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    F f{b, loc};
    Value cur = adaptor.getInput();
    auto inType = cast<RankedTensorType>(cur.getType());
    int64_t rank = inType.getRank();
    Type element = inType.getElementType();
    ElementKind kind = kindOf(op.getInput().getType().getElementType());
    StringRef mode = op.getMode();
    StringRef ct = op.getCoordinateTransformationMode();
    StringRef nearest = op.getNearestMode();
    double a = op.getCubicCoeffA().convertToDouble();
    bool exclude = op.getExcludeOutside();
    double extrapolation = op.getExtrapolationValue().convertToDouble();
    SmallVector<OpFoldResult> inDims = getDims(b, loc, cur);

    // Per dimension: output length and scale (as the reference sees it).
    SmallVector<Value> outLen(rank), scale(rank);
    for (int64_t d = 0; d < rank; ++d) {
      Value in = indexValue(b, loc, inDims[d]);
      Value inF = f.fromIndex(in);
      Value cd = arith::ConstantIndexOp::create(b, loc, d);
      if (Value sizes = adaptor.getSizes()) {
        outLen[d] = extractIndex(b, loc, sizes, d);
        scale[d] = f.div(f.fromIndex(outLen[d]), inF);
      } else {
        Value s = tensor::ExtractOp::create(b, loc, adaptor.getScales(),
                                            ValueRange{cd});
        scale[d] = arith::ExtFOp::create(b, loc, f.f64(), s);
        outLen[d] = f.toIndex(f.mul(scale[d], inF));
      }
    }
    int taps = mode == "cubic" ? 4 : 2;
    std::optional<SmallVector<double>> staticScales;
    if (op.getScales())
      if (auto attr = dyn_cast_or_null<DenseElementsAttr>(
              getConstantValue(op.getScales()))) {
        staticScales.emplace();
        for (APFloat v : attr.getValues<APFloat>())
          staticScales->push_back(v.convertToDouble());
      }
    for (int64_t d = rank - 1; d >= 0; --d) {
      // A dimension that keeps its size with scale exactly 1 is left alone
      // (every coordinate transformation but crop-and-resize is then the
      // identity), when that is known statically.
      auto inStatic = getConstantIntValue(inDims[d]);
      RankedTensorType resultType = op.getType();
      bool sameSize = inStatic && !resultType.isDynamicDim(d) &&
                      resultType.getDimSize(d) == *inStatic;
      bool unitScale = bool(adaptor.getSizes());
      if (!unitScale && staticScales)
        unitScale = (*staticScales)[d] == 1.0;
      if (sameSize && unitScale && ct != "tf_crop_and_resize")
        continue;
      Value src = cur;
      Value inLen = dimValue(b, loc, src, d);
      SmallVector<OpFoldResult> outDims = getDims(b, loc, src);
      outDims[d] = outLen[d];
      Value roiStart, roiEnd;
      if (ct == "tf_crop_and_resize" && adaptor.getRoi()) {
        auto roiElt = [&](int64_t i) -> Value {
          Value v = tensor::ExtractOp::create(
              b, loc, adaptor.getRoi(),
              ValueRange{arith::ConstantIndexOp::create(b, loc, i)});
          return arith::ExtFOp::create(b, loc, f.f64(), v);
        };
        roiStart = roiElt(d);
        roiEnd = roiElt(d + rank);
      }
      Value sc = scale[d];
      // Where output position x of this dimension reads: the `taps` input
      // positions (clamped to the input) and their coefficients (0 where
      // exclude_outside drops a tap), and whether x maps outside the input
      // (tf_crop_and_resize). They depend on x alone, so each is a table
      // of outLen[d] entries made once per pass (the coordinate arithmetic,
      // in f64 with a division, then runs per output row instead of per
      // output element: 3.9 ns an element on a 112 -> 53 pass before).
      struct Tap {
        Value position, coeff;
      };
      auto tapsAt = [&](F &g, OpBuilder &gb, Location gl, Value xIndex,
                        Value &outside) {
        Value x = g.fromIndex(xIndex);
        Value inF = g.fromIndex(inLen);
        Value outWidth = g.mul(sc, inF); // the reference's float width
        Value oneOut = g.cmp(arith::CmpFPredicate::OEQ, outWidth, g.c(1));
        Value xo;
        if (ct == "align_corners") {
          xo = g.select(oneOut, g.c(0),
                        g.div(g.mul(x, g.sub(inF, g.c(1))),
                              g.sub(outWidth, g.c(1))));
        } else if (ct == "asymmetric") {
          xo = g.div(x, sc);
        } else if (ct == "tf_crop_and_resize") {
          Value span = g.mul(g.sub(roiEnd, roiStart), g.sub(inF, g.c(1)));
          xo = g.select(oneOut, g.div(span, g.c(2)),
                        g.div(g.mul(x, span), g.sub(outWidth, g.c(1))));
          xo = g.add(xo, g.mul(roiStart, g.sub(inF, g.c(1))));
        } else if (ct == "pytorch_half_pixel") {
          xo = g.select(oneOut, g.c(-0.5),
                        g.sub(g.div(g.add(x, g.c(0.5)), sc), g.c(0.5)));
        } else if (ct == "half_pixel_symmetric") {
          Value adjustment = g.div(g.fromIndex(outLen[d]), outWidth);
          Value center = g.div(inF, g.c(2));
          Value offset = g.mul(center, g.sub(g.c(1), adjustment));
          xo = g.sub(g.add(offset, g.div(g.add(x, g.c(0.5)), sc)), g.c(0.5));
        } else {
          xo = g.sub(g.div(g.add(x, g.c(0.5)), sc), g.c(0.5));
        }
        if (ct == "tf_crop_and_resize")
          outside = arith::OrIOp::create(
              gb, gl, g.cmp(arith::CmpFPredicate::OLT, xo, g.c(0)),
              g.cmp(arith::CmpFPredicate::OGT, xo, g.sub(inF, g.c(1))));
        // Taps: ceil(xo) - taps/2 + j; ratio in (0, 1].
        Value fl = g.floor(xo);
        Value isInt = g.cmp(arith::CmpFPredicate::OEQ, fl, xo);
        Value ratio = g.select(isInt, g.c(1), g.sub(xo, fl));
        Value first = g.sub(g.ceil(xo), g.c(taps / 2));
        SmallVector<Value> coeffs;
        if (mode == "cubic") {
          Value r1 = g.add(ratio, g.c(1)), q = g.sub(g.c(1), ratio),
                q1 = g.add(q, g.c(1));
          auto outer = [&](Value t) {
            return g.sub(
                g.mul(g.add(g.mul(g.sub(g.mul(g.c(a), t), g.c(5 * a)), t),
                            g.c(8 * a)),
                      t),
                g.c(4 * a));
          };
          auto inner = [&](Value t) {
            return g.add(
                g.mul(g.mul(g.sub(g.mul(g.c(a + 2), t), g.c(a + 3)), t), t),
                g.c(1));
          };
          coeffs = {outer(r1), inner(ratio), inner(q), outer(q1)};
        } else if (mode == "linear") {
          coeffs = {g.sub(g.c(1), ratio), ratio};
        } else {
          Value half = g.c(0.5);
          Value pickHigh;
          if (nearest == "round_prefer_floor")
            pickHigh = g.cmp(arith::CmpFPredicate::OGT, ratio, half);
          else if (nearest == "round_prefer_ceil")
            pickHigh = g.cmp(arith::CmpFPredicate::OGE, ratio, half);
          else if (nearest == "floor")
            pickHigh = arith::ConstantIntOp::create(gb, gl, 0, 1);
          else
            pickHigh = arith::ConstantIntOp::create(gb, gl, 1, 1);
          pickHigh = arith::OrIOp::create(gb, gl, pickHigh, isInt);
          coeffs = {g.select(pickHigh, g.c(0), g.c(1)),
                    g.select(pickHigh, g.c(1), g.c(0))};
        }
        Value zero = arith::ConstantIndexOp::create(gb, gl, 0);
        Value last = arith::SubIOp::create(
            gb, gl, inLen, arith::ConstantIndexOp::create(gb, gl, 1));
        SmallVector<Tap> out;
        for (int j = 0; j < taps; ++j) {
          Value pos = g.toIndex(g.add(first, g.c(j)));
          Value inside = arith::AndIOp::create(
              gb, gl,
              arith::CmpIOp::create(gb, gl, arith::CmpIPredicate::sge, pos, zero),
              arith::CmpIOp::create(gb, gl, arith::CmpIPredicate::sle, pos, last));
          Value clamped = arith::MinSIOp::create(
              gb, gl, arith::MaxSIOp::create(gb, gl, pos, zero), last);
          Value c = coeffs[j];
          if (exclude)
            c = g.select(inside, c, g.c(0));
          out.push_back({clamped, c});
        }
        return out;
      };
      SmallVector<OpFoldResult> tableDims = {outLen[d]};
      Type i64 = b.getI64Type(), f64 = b.getF64Type();
      SmallVector<Value> positions, coeffTables;
      for (int j = 0; j < taps; ++j) {
        positions.push_back(generateTensor(
            b, loc, tableDims, i64, [&](OpBuilder &gb, Location gl, ValueRange i) {
              F g{gb, gl};
              Value outside;
              Value p = tapsAt(g, gb, gl, i[0], outside)[j].position;
              return arith::IndexCastOp::create(gb, gl, i64, p).getResult();
            }));
        coeffTables.push_back(generateTensor(
            b, loc, tableDims, f64, [&](OpBuilder &gb, Location gl, ValueRange i) {
              F g{gb, gl};
              Value outside;
              return tapsAt(g, gb, gl, i[0], outside)[j].coeff;
            }));
      }
      Value outsideTable;
      if (ct == "tf_crop_and_resize")
        outsideTable = generateTensor(
            b, loc, tableDims, b.getI8Type(),
            [&](OpBuilder &gb, Location gl, ValueRange i) {
              F g{gb, gl};
              Value outside;
              tapsAt(g, gb, gl, i[0], outside);
              return arith::ExtUIOp::create(gb, gl, gb.getI8Type(), outside)
                  .getResult();
            });
      cur = generateTensor(
          b, loc, outDims, element, [&](OpBuilder &gb, Location gl, ValueRange idx) {
            F g{gb, gl};
            Value sum = g.c(0), weight = g.c(0);
            for (int j = 0; j < taps; ++j) {
              Value pos = arith::IndexCastOp::create(
                  gb, gl, gb.getIndexType(),
                  tensor::ExtractOp::create(gb, gl, positions[j], idx[d]));
              Value c = tensor::ExtractOp::create(gb, gl, coeffTables[j], idx[d]);
              SmallVector<Value> at(idx.begin(), idx.end());
              at[d] = pos;
              Value v = tensor::ExtractOp::create(gb, gl, src, at);
              v = castScalar(gb, gl, v, op.getInput().getType().getElementType(),
                             gb.getF64Type());
              weight = g.add(weight, c);
              sum = g.add(sum, g.mul(c, v));
            }
            if (exclude)
              sum = g.div(sum, weight);
            if (outsideTable) {
              Value outside = arith::TruncIOp::create(
                  gb, gl, gb.getI1Type(),
                  tensor::ExtractOp::create(gb, gl, outsideTable, idx[d]));
              sum = g.select(outside, g.c(extrapolation), sum);
            }
            if (!kind.isFloat)
              sum = math::RoundEvenOp::create(gb, gl, sum);
            return castScalar(gb, gl, sum, gb.getF64Type(),
                              op.getInput().getType().getElementType());
          });
    }
    rewriter.replaceOp(op, castTo(b, loc, cur, toSignless(op.getType())));
    return success();
  }
};

/// PyTorch's grid_sample: unnormalise, apply the padding mode to source
/// coordinates (bilinear, nearest) or to each tap (bicubic), read taps
/// outside the input as 0. Where each output position reads depends on the
/// grid alone, not on the channel: the taps' positions in the image plane
/// (-1 for a tap outside it) and their weights are tables over [N, Ho, Wo]
/// made once, which every channel reads (the coordinate arithmetic per
/// element cost 2.2x ORT's time on 64 channels).
struct GridSampleLowering : OpConversionPattern<GridSampleOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GridSampleOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput(), grid = adaptor.getGrid();
    Type t = cast<RankedTensorType>(x.getType()).getElementType();
    StringRef mode = op.getMode(), padding = op.getPaddingMode();
    bool align = op.getAlignCorners();
    SmallVector<OpFoldResult> xd = getDims(b, loc, x), gd = getDims(b, loc, grid);
    Value hSize = indexValue(b, loc, xd[2]), wSize = indexValue(b, loc, xd[3]);
    SmallVector<OpFoldResult> outDims = {xd[0], xd[1], gd[1], gd[2]};
    SmallVector<OpFoldResult> tableDims = {xd[0], gd[1], gd[2]};
    // What output position (n, h, w) reads: tap k's position in the
    // plane, y * W + x or -1 outside it, and its weight (bilinear: the
    // product of the row and column weights; bicubic: weights 0..3 are the
    // rows' and 4..7 the columns', applied as rows of four).
    int taps = mode == "bicubic" ? 16 : mode == "nearest" ? 1 : 4;
    int weights = mode == "bicubic" ? 8 : mode == "nearest" ? 0 : 4;
    auto sample = [&](OpBuilder &gb, Location gl, Value n, Value h, Value w,
                      SmallVector<Value> &positions,
                      SmallVector<Value> &coeffs) {
      auto c = [&](double v) { return scalarConstant(gb, gl, t, v); };
      auto add = [&](Value p, Value q) {
        return arith::AddFOp::create(gb, gl, p, q).getResult();
      };
      auto sub = [&](Value p, Value q) {
        return arith::SubFOp::create(gb, gl, p, q).getResult();
      };
      auto mul = [&](Value p, Value q) {
        return arith::MulFOp::create(gb, gl, p, q).getResult();
      };
      auto fromIndex = [&](Value v) {
        return arith::SIToFPOp::create(
                   gb, gl, t,
                   arith::IndexCastOp::create(gb, gl, gb.getI64Type(), v))
            .getResult();
      };
      auto clip = [&](Value v, Value size) {
        Value hi = sub(fromIndex(size), c(1));
        return arith::MinimumFOp::create(
                   gb, gl, arith::MaximumFOp::create(gb, gl, v, c(0)), hi)
            .getResult();
      };
      auto reflect = [&](Value v, Value size) -> Value {
        // Reflect into [low, high] = [0, size-1] (aligned) or
        // [-0.5, size-0.5], then clip.
        Value sz = fromIndex(size);
        Value low = align ? c(0) : c(-0.5);
        Value span = align ? sub(sz, c(1)) : sz;
        Value in = math::AbsFOp::create(gb, gl, sub(v, low));
        Value extra = arith::RemFOp::create(gb, gl, in, span);
        Value flips = math::FloorOp::create(gb, gl, arith::DivFOp::create(gb, gl, in, span));
        Value even = arith::CmpFOp::create(
            gb, gl, arith::CmpFPredicate::OEQ,
            arith::RemFOp::create(gb, gl, flips, c(2)), c(0));
        Value out = arith::SelectOp::create(gb, gl, even, add(extra, low),
                                            add(sub(span, extra), low));
        Value degenerate = arith::CmpFOp::create(gb, gl, arith::CmpFPredicate::OLE,
                                                 span, c(0));
        return clip(arith::SelectOp::create(gb, gl, degenerate, c(0), out), size);
      };
      auto pad = [&](Value v, Value size) -> Value {
        if (padding == "border")
          return clip(v, size);
        if (padding == "reflection")
          return reflect(v, size);
        return v;
      };
      auto unnormalize = [&](Value g, Value size) {
        Value sz = fromIndex(size);
        if (align)
          return mul(mul(add(g, c(1)), c(0.5)), sub(sz, c(1)));
        return mul(sub(mul(add(g, c(1)), sz), c(1)), c(0.5));
      };
      Value zero = arith::ConstantIndexOp::create(gb, gl, 0);
      Value gx = tensor::ExtractOp::create(gb, gl, grid, ValueRange{n, h, w, zero});
      Value gy = tensor::ExtractOp::create(
          gb, gl, grid,
          ValueRange{n, h, w, arith::ConstantIndexOp::create(gb, gl, 1)});
      // The plane position of integer (float-valued) coordinates, -1
      // outside the input.
      auto position = [&](Value fy, Value fx) -> Value {
        auto toI = [&](Value f) {
          return arith::IndexCastOp::create(
                     gb, gl, gb.getIndexType(),
                     arith::FPToSIOp::create(gb, gl, gb.getI64Type(), f))
              .getResult();
        };
        Value yi = toI(fy), xi = toI(fx);
        auto inRange = [&](Value v, Value size) {
          return arith::AndIOp::create(
              gb, gl,
              arith::CmpIOp::create(gb, gl, arith::CmpIPredicate::sge, v, zero),
              arith::CmpIOp::create(gb, gl, arith::CmpIPredicate::slt, v, size));
        };
        // Float coordinates far outside would overflow the conversion:
        // compare as floats first.
        Value fin = arith::AndIOp::create(
            gb, gl,
            arith::AndIOp::create(
                gb, gl, arith::CmpFOp::create(gb, gl, arith::CmpFPredicate::OGE, fy, c(0)),
                arith::CmpFOp::create(gb, gl, arith::CmpFPredicate::OLT, fy,
                                      fromIndex(hSize))),
            arith::AndIOp::create(
                gb, gl, arith::CmpFOp::create(gb, gl, arith::CmpFPredicate::OGE, fx, c(0)),
                arith::CmpFOp::create(gb, gl, arith::CmpFPredicate::OLT, fx,
                                      fromIndex(wSize))));
        Value ok = arith::AndIOp::create(
            gb, gl, fin,
            arith::AndIOp::create(gb, gl, inRange(yi, hSize), inRange(xi, wSize)));
        Value at = arith::AddIOp::create(
            gb, gl, arith::MulIOp::create(gb, gl, yi, wSize), xi);
        return arith::SelectOp::create(gb, gl, ok, at,
                                       arith::ConstantIndexOp::create(gb, gl, -1));
      };
      if (mode == "bicubic") {
        Value ix = unnormalize(gx, wSize), iy = unnormalize(gy, hSize);
        Value x0 = math::FloorOp::create(gb, gl, ix);
        Value y0 = math::FloorOp::create(gb, gl, iy);
        Value tx = sub(ix, x0), ty = sub(iy, y0);
        double a = -0.75;
        auto cubic1 = [&](Value v) {
          return add(mul(mul(sub(mul(c(a + 2), v), c(a + 3)), v), v), c(1));
        };
        auto cubic2 = [&](Value v) {
          return sub(mul(add(mul(sub(mul(c(a), v), c(5 * a)), v), c(8 * a)), v),
                     c(4 * a));
        };
        auto cubic = [&](Value s) {
          return SmallVector<Value>{cubic2(add(s, c(1))), cubic1(s),
                                    cubic1(sub(c(1), s)),
                                    cubic2(sub(c(2), s))};
        };
        SmallVector<Value> cx = cubic(tx), cy = cubic(ty);
        for (int dy = 0; dy < 4; ++dy)
          for (int dx = 0; dx < 4; ++dx)
            positions.push_back(position(pad(add(y0, c(dy - 1)), hSize),
                                         pad(add(x0, c(dx - 1)), wSize)));
        coeffs = cy;
        coeffs.append(cx.begin(), cx.end());
        return;
      }
      Value ix = pad(unnormalize(gx, wSize), wSize);
      Value iy = pad(unnormalize(gy, hSize), hSize);
      if (mode == "nearest") {
        positions.push_back(position(math::RoundEvenOp::create(gb, gl, iy),
                                     math::RoundEvenOp::create(gb, gl, ix)));
        return;
      }
      Value x0 = math::FloorOp::create(gb, gl, ix);
      Value y0 = math::FloorOp::create(gb, gl, iy);
      Value x1 = add(x0, c(1)), y1 = add(y0, c(1));
      Value wx1 = sub(ix, x0), wx0 = sub(c(1), wx1);
      Value wy1 = sub(iy, y0), wy0 = sub(c(1), wy1);
      positions = {position(y0, x0), position(y0, x1), position(y1, x0),
                   position(y1, x1)};
      coeffs = {mul(wy0, wx0), mul(wy0, wx1), mul(wy1, wx0), mul(wy1, wx1)};
    };
    // One table per tap and per weight (each generic keeps what it yields).
    SmallVector<Value> positionTables, weightTables;
    for (int k = 0; k < taps + weights; ++k) {
      bool isPosition = k < taps;
      Value table = generateTensor(
          b, loc, tableDims, isPosition ? Type(b.getIndexType()) : t,
          [&](OpBuilder &gb, Location gl, ValueRange i) {
            SmallVector<Value> positions, coeffs;
            sample(gb, gl, i[0], i[1], i[2], positions, coeffs);
            return isPosition ? positions[k] : coeffs[k - taps];
          });
      (isPosition ? positionTables : weightTables).push_back(table);
    }
    // The image as [N, C, H * W], read at the tables' positions.
    SmallVector<OpFoldResult> planeDims = {xd[0], xd[1]};
    std::optional<int64_t> sh = getConstantIntValue(xd[2]),
                           sw = getConstantIntValue(xd[3]);
    planeDims.push_back(sh && sw ? OpFoldResult(b.getIndexAttr(*sh * *sw))
                                 : OpFoldResult(arith::MulIOp::create(
                                                    b, loc, hSize, wSize)
                                                    .getResult()));
    Value planes = reshapeTo(b, loc, x, planeDims,
                             ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
    Value r = generateTensor(
        b, loc, outDims, t, [&](OpBuilder &gb, Location gl, ValueRange i) {
          auto c = [&](double v) { return scalarConstant(gb, gl, t, v); };
          auto add = [&](Value p, Value q) {
            return arith::AddFOp::create(gb, gl, p, q).getResult();
          };
          auto mul = [&](Value p, Value q) {
            return arith::MulFOp::create(gb, gl, p, q).getResult();
          };
          Value zero = arith::ConstantIndexOp::create(gb, gl, 0);
          SmallVector<Value, 3> nhw = {i[0], i[2], i[3]};
          // Tap k's value, 0 outside the input.
          auto read = [&](int k) -> Value {
            Value p = tensor::ExtractOp::create(gb, gl, positionTables[k], nhw);
            Value ok = arith::CmpIOp::create(gb, gl, arith::CmpIPredicate::sge, p, zero);
            Value at = arith::SelectOp::create(gb, gl, ok, p, zero);
            Value v = tensor::ExtractOp::create(gb, gl, planes,
                                                ValueRange{i[0], i[1], at});
            return arith::SelectOp::create(gb, gl, ok, v, c(0));
          };
          auto weight = [&](int k) -> Value {
            return tensor::ExtractOp::create(gb, gl, weightTables[k], nhw);
          };
          if (mode == "nearest")
            return read(0);
          if (mode == "bicubic") {
            Value sum = c(0);
            for (int dy = 0; dy < 4; ++dy) {
              Value row = c(0);
              for (int dx = 0; dx < 4; ++dx) {
                Value v = read(4 * dy + dx);
                row = add(row, mul(weight(4 + dx), v));
              }
              sum = add(sum, mul(weight(dy), row));
            }
            return sum;
          }
          // Each term made in turn (C++ leaves the order of arguments
          // open; the IR stays the same from compiler to compiler).
          SmallVector<Value, 4> terms;
          for (int k = 0; k < 4; ++k) {
            Value v = read(k);
            terms.push_back(mul(weight(k), v));
          }
          return add(add(terms[0], terms[1]), add(terms[2], terms[3]));
        });
    rewriter.replaceOp(op, castTo(b, loc, r, toSignless(op.getType())));
    return success();
  }
};

} // namespace

void populateResizeLowering(TypeConverter &converter,
                            RewritePatternSet &patterns) {
  patterns.add<ResizeLowering, GridSampleLowering>(converter,
                                                   patterns.getContext());
}

} // namespace kiln::lowering
