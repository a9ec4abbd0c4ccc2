//===- LowerConvTranspose.cpp - kiln.conv_transpose as a product and a gather ===//
//
// A transposed convolution scatters each input position, times the whole
// kernel, into the output. Written as one sum per output element over
// (input channel, kernel tap), most terms are zeros of the stride (with
// stride 2 and a 4x4 kernel, 3 in 4 taps miss the input), and nothing is a
// product that the GEMM kernel can take. It is two steps instead, as BLAS-
// based runtimes do:
//
//   cols[g, m, k..., p] = sum_c w[g, c, m, k...] * x[g, c, p]
//       p runs over batch x input positions: one product per group, whose
//       rows are (m, k...) and columns p (PackMatmul's packed GEMM on the
//       CPU when shapes are static);
//   out[n, g, m, o...] = bias + sum over the taps k that land on o of
//       cols[g, m, k..., (n, (o + pad - k * dilation) / stride)]
//       per output element, visiting only the taps with (o + pad - k) a
//       multiple of the stride when the dilation is 1.
//
// The product does all the multiplications once (C x M x K x positions, the
// op's true FLOPs); the gather adds M x K x positions values.
//
//===----------------------------------------------------------------------===//
#include "backends/linalg/LoopBuilders.h"
#include "backends/linalg/LoweringUtils.h"
#include "backends/linalg/Patterns.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <functional>
#include <optional>

using namespace mlir;

namespace kiln::lowering {
namespace {

/// x [N, C, I...] as [G, C/G, N * prod(I)]: the product's right operand.
Value inputColumns(OpBuilder &b, Location loc, Value x, int64_t group,
                   int64_t k) {
  SmallVector<OpFoldResult> xDims = getDims(b, loc, x);
  int64_t cg = cast<RankedTensorType>(x.getType()).getDimSize(1) / group;
  // [N, G, Cg, I...] (expanding C costs nothing).
  SmallVector<OpFoldResult> xgDims = {xDims[0], b.getIndexAttr(group),
                                      b.getIndexAttr(cg)};
  xgDims.append(xDims.begin() + 2, xDims.end());
  SmallVector<ReassociationIndices> xGroups = {{0}, {1, 2}};
  for (int64_t i = 0; i < k; ++i)
    xGroups.push_back({3 + i});
  Value xg = reshapeTo(b, loc, x, xgDims, xGroups);
  // [G, Cg, N, I...]: one copy of the input, so that batch and positions
  // make one column dimension.
  SmallVector<int64_t> perm = {1, 2, 0};
  for (int64_t i = 0; i < k; ++i)
    perm.push_back(3 + i);
  SmallVector<OpFoldResult> tDims;
  for (int64_t p : perm)
    tDims.push_back(xgDims[p]);
  Type element = cast<RankedTensorType>(x.getType()).getElementType();
  Value t = linalg::TransposeOp::create(b, loc, xg,
                                        emptyTensor(b, loc, tDims, element), perm)
                ->getResult(0);
  // Batch and positions make one column dimension (collapse_shape infers
  // its size, static when they are).
  SmallVector<ReassociationIndices> cGroups = {{0}, {1}, {}};
  for (int64_t i = 0; i <= k; ++i)
    cGroups[2].push_back(2 + i);
  return tensor::CollapseShapeOp::create(b, loc, t, cGroups);
}

struct ConvTransposeLowering : OpConversionPattern<ConvTransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvTransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    MLIRContext *ctx = b.getContext();
    Value x = adaptor.getInput(), w = adaptor.getWeight();
    auto wType = cast<RankedTensorType>(w.getType());
    Type element = wType.getElementType();
    ElementKind kind = kindOf(element);
    int64_t k = wType.getRank() - 2, group = op.getGroup();
    int64_t c = wType.getDimSize(0), mg = wType.getDimSize(1), cg = c / group;
    ArrayRef<int64_t> kernel = wType.getShape().drop_front(2);
    ArrayRef<int64_t> strides = op.getStrides(), dil = op.getDilations(),
                      pads = op.getPads(), outPad = op.getOutputPadding();
    SmallVector<OpFoldResult> xDims = getDims(b, loc, x);
    SmallVector<Value> inSizes;
    for (int64_t i = 0; i < k; ++i)
      inSizes.push_back(indexValue(b, loc, xDims[2 + i]));

    // The product: cols [G, Mg, K..., P].
    Value xc = inputColumns(b, loc, x, group, k);
    OpFoldResult columns = getDims(b, loc, xc)[2];
    SmallVector<OpFoldResult> wgDims = {b.getIndexAttr(group), b.getIndexAttr(cg),
                                        b.getIndexAttr(mg)};
    for (int64_t s : kernel)
      wgDims.push_back(b.getIndexAttr(s));
    SmallVector<ReassociationIndices> wGroups = {{0, 1}, {2}};
    for (int64_t i = 0; i < k; ++i)
      wGroups.push_back({3 + i});
    Value wg = reshapeTo(b, loc, w, wgDims, wGroups);
    SmallVector<OpFoldResult> colDims = {b.getIndexAttr(group), b.getIndexAttr(mg)};
    for (int64_t s : kernel)
      colDims.push_back(b.getIndexAttr(s));
    colDims.push_back(columns);
    Value zero = scalarConstant(b, loc, element, 0);
    // Loops: g, m, k_1..k_k, p | c.
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    int64_t loops = 4 + k;
    SmallVector<AffineExpr> wExprs = {d(0), d(3 + k), d(1)};
    SmallVector<AffineExpr> colExprs = {d(0), d(1)};
    for (int64_t i = 0; i < k; ++i) {
      wExprs.push_back(d(2 + i));
      colExprs.push_back(d(2 + i));
    }
    colExprs.push_back(d(2 + k));
    SmallVector<AffineExpr> xExprs = {d(0), d(3 + k), d(2 + k)};
    SmallVector<utils::IteratorType> iters(3 + k, utils::IteratorType::parallel);
    iters.push_back(utils::IteratorType::reduction);
    Value cols =
        linalg::GenericOp::create(
            b, loc, TypeRange{typeForDims(colDims, element)}, ValueRange{wg, xc},
            ValueRange{filledTensor(b, loc, colDims, zero)},
            ArrayRef<AffineMap>{AffineMap::get(loops, 0, wExprs, ctx),
                                AffineMap::get(loops, 0, xExprs, ctx),
                                AffineMap::get(loops, 0, colExprs, ctx)},
            iters,
            [&](OpBuilder &gb, Location gl, ValueRange args) {
              Value p = mulScalars(gb, gl, kind, args[0], args[1]);
              linalg::YieldOp::create(gb, gl, addScalars(gb, gl, kind, args[2], p));
            })
            .getResult(0);

    // The gather: out [N, G, Mg, O...], starting from the bias.
    SmallVector<OpFoldResult> outDims = {xDims[0], b.getIndexAttr(group),
                                         b.getIndexAttr(mg)};
    for (int64_t i = 0; i < k; ++i) {
      int64_t extra = outPad[i] + (kernel[i] - 1) * dil[i] + 1 - pads[i] - pads[i + k];
      std::optional<int64_t> in = getConstantIntValue(xDims[2 + i]);
      outDims.push_back(
          in ? OpFoldResult(b.getIndexAttr(strides[i] * (*in - 1) + extra))
             : OpFoldResult(arith::AddIOp::create(
                                b, loc,
                                arith::MulIOp::create(
                                    b, loc, cIndex(b, loc, strides[i]),
                                    arith::SubIOp::create(b, loc, inSizes[i],
                                                          cIndex(b, loc, 1))),
                                cIndex(b, loc, extra))
                                .getResult()));
    }
    Value init = filledTensor(b, loc, outDims, zero);
    if (Value bias = adaptor.getBias()) {
      // [M] -> [G, Mg, 1, ..., 1], broadcast over batch and space.
      SmallVector<OpFoldResult> biasDims = {b.getIndexAttr(group),
                                            b.getIndexAttr(mg)};
      SmallVector<ReassociationIndices> groups = {{0, 1}};
      for (int64_t i = 0; i < k; ++i) {
        biasDims.push_back(b.getIndexAttr(1));
        groups.back().push_back(2 + i);
      }
      init = broadcastTo(b, loc, reshapeTo(b, loc, bias, biasDims, groups),
                         outDims);
    }
    SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(3 + k, ctx)};
    SmallVector<utils::IteratorType> outIters(3 + k, utils::IteratorType::parallel);
    Value out =
        linalg::GenericOp::create(
            b, loc, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
            maps, outIters,
            [&](OpBuilder &gb, Location gl, ValueRange args) {
              SmallVector<Value> o;
              for (int64_t i = 0; i < 3 + k; ++i)
                o.push_back(linalg::IndexOp::create(gb, gl, i));
              // Column of batch n: n * prod(I) + sum q_i * (inner sizes).
              Value base = o[0];
              for (Value s : inSizes)
                base = arith::MulIOp::create(gb, gl, base, s);
              Value acc = gatherTaps(gb, gl, cols, o, base, inSizes, kernel,
                                     strides, dil, pads, kind, args[0]);
              linalg::YieldOp::create(gb, gl, acc);
            })
            .getResult(0);
    SmallVector<OpFoldResult> finalDims = {xDims[0], b.getIndexAttr(group * mg)};
    finalDims.append(outDims.begin() + 3, outDims.end());
    SmallVector<ReassociationIndices> oGroups = {{0}, {1, 2}};
    for (int64_t i = 0; i < k; ++i)
      oGroups.push_back({3 + i});
    out = reshapeTo(b, loc, out, finalDims, oGroups);
    rewriter.replaceOp(op, castTo(b, loc, out, toSignless(op.getType())));
    return success();
  }

  /// `acc` plus every cols[g, m, k..., column] whose tap k lands on output
  /// position o[3..]: one scf.for per spatial dimension, from the first tap
  /// with (o + pad - k) a multiple of the stride, in steps of the stride
  /// (dilation 1), else over every tap with that test. Positions outside
  /// the input are skipped by a select on a clamped read.
  static Value gatherTaps(OpBuilder &b, Location loc, Value cols,
                          ArrayRef<Value> o, Value base, ArrayRef<Value> inSizes,
                          ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                          ArrayRef<int64_t> dil, ArrayRef<int64_t> pads,
                          ElementKind kind, Value acc) {
    int64_t k = kernel.size();
    Type element = acc.getType();
    // Dimension i of the nest, with the taps chosen so far and the column
    // offset (in units of the inner sizes) and validity they give.
    std::function<Value(OpBuilder &, Location, int64_t, SmallVector<Value>, Value,
                        Value, Value)>
        nest = [&](OpBuilder &nb, Location nl, int64_t i, SmallVector<Value> taps,
                   Value column, Value valid, Value sum) -> Value {
      if (i == k) {
        SmallVector<Value> at = {o[1], o[2]};
        at.append(taps);
        at.push_back(column);
        Value v = tensor::ExtractOp::create(nb, nl, cols, at);
        v = arith::SelectOp::create(nb, nl, valid, v,
                                    scalarConstant(nb, nl, element, 0));
        return addScalars(nb, nl, kind, sum, v);
      }
      Value s = cIndex(nb, nl, strides[i]);
      Value t = arith::AddIOp::create(nb, nl, o[3 + i], cIndex(nb, nl, pads[i]));
      Value first = cIndex(nb, nl, 0), step = cIndex(nb, nl, 1);
      if (dil[i] == 1) {
        // t - floor(t / s) * s: the first tap with (t - tap) % s == 0.
        first = arith::SubIOp::create(
            nb, nl, t,
            arith::MulIOp::create(nb, nl, arith::FloorDivSIOp::create(nb, nl, t, s), s));
        step = s;
      }
      auto loop = scf::ForOp::create(
          nb, nl, first, cIndex(nb, nl, kernel[i]), step, ValueRange{sum},
          [&](OpBuilder &lb, Location ll, Value tap, ValueRange iter) {
            Value u = arith::SubIOp::create(
                lb, ll, t, arith::MulIOp::create(lb, ll, tap, cIndex(lb, ll, dil[i])));
            Value q = arith::FloorDivSIOp::create(lb, ll, u, s);
            Value ok = arith::AndIOp::create(
                lb, ll,
                arith::CmpIOp::create(lb, ll, arith::CmpIPredicate::eq,
                                      arith::MulIOp::create(lb, ll, q, s), u),
                arith::AndIOp::create(
                    lb, ll,
                    arith::CmpIOp::create(lb, ll, arith::CmpIPredicate::sge, q,
                                          cIndex(lb, ll, 0)),
                    arith::CmpIOp::create(lb, ll, arith::CmpIPredicate::slt, q,
                                          inSizes[i])));
            Value clamped = arith::MinSIOp::create(
                lb, ll, arith::MaxSIOp::create(lb, ll, q, cIndex(lb, ll, 0)),
                arith::SubIOp::create(lb, ll, inSizes[i], cIndex(lb, ll, 1)));
            // Row-major over the input positions.
            Value inner = cIndex(lb, ll, 1);
            for (int64_t j = i + 1; j < k; ++j)
              inner = arith::MulIOp::create(lb, ll, inner, inSizes[j]);
            Value next = arith::AddIOp::create(
                lb, ll, column, arith::MulIOp::create(lb, ll, clamped, inner));
            SmallVector<Value> chosen = taps;
            chosen.push_back(tap);
            Value r = nest(lb, ll, i + 1, chosen, next,
                           arith::AndIOp::create(lb, ll, valid, ok), iter[0]);
            scf::YieldOp::create(lb, ll, r);
          });
      return loop.getResult(0);
    };
    return nest(b, loc, 0, {}, base, arith::ConstantIntOp::create(b, loc, 1, 1), acc);
  }
};

} // namespace

void populateConvTransposeLowering(TypeConverter &converter,
                                   RewritePatternSet &patterns) {
  patterns.add<ConvTransposeLowering>(converter, patterns.getContext());
}

} // namespace kiln::lowering
