//===- LowerRecurrent.cpp - RNN, GRU and LSTM as a loop over time ---------===//
//
// kiln.recurrent becomes, per direction, an scf.for over the sequence whose
// iteration arguments are the hidden state, the cell state and the output.
// The input's products with the gate weights are one contraction over all
// steps before the loop; each step multiplies the hidden state by the
// recurrent weights, then computes the cell's equations in one elementwise
// pass over [batch, hidden]. Batch entries past their sequence
// length keep their state and write zeros.
//
//===----------------------------------------------------------------------===//
#include "backends/linalg/LoopBuilders.h"
#include "backends/linalg/LoweringUtils.h"
#include "backends/linalg/Patterns.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace kiln::lowering {
namespace {

/// A [M, K] x B [N, K] -> [M, N].
Value matmulTransposedB(OpBuilder &b, Location loc, Value a, Value m) {
  MLIRContext *ctx = b.getContext();
  Type t = cast<RankedTensorType>(a.getType()).getElementType();
  Value init = filledTensor(b, loc, {getDims(b, loc, a)[0], getDims(b, loc, m)[0]},
                            scalarConstant(b, loc, t, 0));
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{a, m}, ValueRange{init},
             ArrayRef<AffineMap>{AffineMap::get(3, 0, {d(0), d(2)}, ctx),
                                 AffineMap::get(3, 0, {d(1), d(2)}, ctx),
                                 AffineMap::get(3, 0, {d(0), d(1)}, ctx)},
             {utils::IteratorType::parallel, utils::IteratorType::parallel,
              utils::IteratorType::reduction},
             [](OpBuilder &gb, Location gl, ValueRange args) {
               Value p = arith::MulFOp::create(gb, gl, args[0], args[1]);
               linalg::YieldOp::create(gb, gl,
                                       arith::AddFOp::create(gb, gl, args[2], p).getResult());
             })
      .getResult(0);
}

/// Element `index` of a rank-3 tensor's leading dimension, as rank 2.
Value row(OpBuilder &b, Location loc, Value t, Value index) {
  SmallVector<OpFoldResult> dims = getDims(b, loc, t);
  Value slice = tensor::ExtractSliceOp::create(
      b, loc, t, ArrayRef<OpFoldResult>{index, b.getIndexAttr(0), b.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(1), dims[1], dims[2]},
      ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1), b.getIndexAttr(1)});
  return reshapeTo(b, loc, slice, {dims[1], dims[2]},
                   ArrayRef<ReassociationIndices>{{0, 1}, {2}});
}

/// An activation by its ONNX name.
Value activate(OpBuilder &b, Location loc, StringRef name, double alpha,
               double beta, Value x) {
  Type t = x.getType();
  auto c = [&](double v) { return scalarConstant(b, loc, t, v); };
  auto mul = [&](Value p, Value q) { return arith::MulFOp::create(b, loc, p, q).getResult(); };
  auto add = [&](Value p, Value q) { return arith::AddFOp::create(b, loc, p, q).getResult(); };
  auto exp = [&](Value v) { return math::ExpOp::create(b, loc, v).getResult(); };
  std::string n = name.lower();
  if (n == "sigmoid")
    return arith::DivFOp::create(b, loc, c(1), add(c(1), exp(arith::NegFOp::create(b, loc, x))));
  if (n == "tanh")
    return math::TanhOp::create(b, loc, x);
  if (n == "relu")
    return arith::MaximumFOp::create(b, loc, x, c(0));
  if (n == "affine")
    return add(mul(c(alpha), x), c(beta));
  if (n == "leakyrelu") {
    Value neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, c(0));
    return arith::SelectOp::create(b, loc, neg, mul(c(alpha), x), x);
  }
  if (n == "thresholdedrelu") {
    Value above = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, c(alpha));
    return arith::SelectOp::create(b, loc, above, x, c(0));
  }
  if (n == "scaledtanh")
    return mul(c(alpha), math::TanhOp::create(b, loc, mul(c(beta), x)));
  if (n == "hardsigmoid")
    return arith::MinimumFOp::create(
        b, loc, arith::MaximumFOp::create(b, loc, add(mul(c(alpha), x), c(beta)), c(0)),
        c(1));
  if (n == "elu") {
    Value neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, c(0));
    return arith::SelectOp::create(
        b, loc, neg, mul(c(alpha), arith::SubFOp::create(b, loc, exp(x), c(1))), x);
  }
  if (n == "softsign")
    return arith::DivFOp::create(b, loc, x, add(c(1), math::AbsFOp::create(b, loc, x)));
  // softplus
  return math::LogOp::create(b, loc, add(exp(x), c(1)));
}

struct RecurrentLowering : OpConversionPattern<RecurrentOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RecurrentOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    StringRef cell = op.getCell();
    int64_t gates = cell == "lstm" ? 4 : cell == "gru" ? 3 : 1;
    int64_t slots = cell == "lstm" ? 3 : cell == "gru" ? 2 : 1;
    int64_t h = op.getHiddenSize();
    StringRef direction = op.getDirection();
    int64_t dirs = direction == "bidirectional" ? 2 : 1;
    Value x = adaptor.getInput();
    Type t = cast<RankedTensorType>(x.getType()).getElementType();
    Value seq = dimValue(b, loc, x, 0), batch = dimValue(b, loc, x, 1);
    OpFoldResult batchDim = getDims(b, loc, x)[1];
    OpFoldResult hDim = b.getIndexAttr(h);
    Value zeroF = scalarConstant(b, loc, t, 0);
    std::optional<double> clip;
    if (auto c = op.getClipAttr())
      clip = c.getValueAsDouble();
    bool inputForget = op.getInputForget();
    bool linearBeforeReset = op.getLinearBeforeReset();
    auto names = op.getActivations();
    auto alphas = op.getActivationAlpha(), betas = op.getActivationBeta();

    Value y = filledTensor(b, loc, {getDims(b, loc, x)[0], b.getIndexAttr(dirs),
                                    batchDim, hDim},
                           zeroF);
    Value yh = filledTensor(b, loc, {b.getIndexAttr(dirs), batchDim, hDim}, zeroF);
    Value yc = yh;
    for (int64_t d = 0; d < dirs; ++d) {
      bool reverse = direction == "reverse" || d == 1;
      Value dIdx = cIndex(b, loc, d);
      Value wd = row(b, loc, adaptor.getW(), dIdx);
      Value rd = row(b, loc, adaptor.getR(), dIdx);
      auto act = [&](OpBuilder &ab, Location al, int64_t slot, Value v) {
        int64_t i = d * slots + slot;
        Value in = v;
        if (clip)
          in = arith::MinimumFOp::create(
              ab, al,
              arith::MaximumFOp::create(ab, al, in, scalarConstant(ab, al, t, -*clip)),
              scalarConstant(ab, al, t, *clip));
        return activate(ab, al, cast<StringAttr>(names[i]).getValue(),
                        cast<FloatAttr>(alphas[i]).getValueAsDouble(),
                        cast<FloatAttr>(betas[i]).getValueAsDouble(), in);
      };
      // Biases [G*H] of the input and recurrent products.
      Value wb, rb;
      if (Value bias = adaptor.getBias()) {
        Value bd = tensor::ExtractSliceOp::create(
            b, loc, bias, ArrayRef<OpFoldResult>{dIdx, b.getIndexAttr(0)},
            ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(2 * gates * h)},
            ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
        auto half = [&](int64_t start) {
          Value s = tensor::ExtractSliceOp::create(
              b, loc, bd, ArrayRef<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(start)},
              ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(gates * h)},
              ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
          return reshapeTo(b, loc, s, {b.getIndexAttr(gates * h)});
        };
        wb = half(0);
        rb = half(gates * h);
      }
      RankedTensorType stateType = typeForDims({batchDim, hDim}, t);
      Value h0 = adaptor.getInitialH()
                     ? castTo(b, loc, row(b, loc, adaptor.getInitialH(), dIdx), stateType)
                     : filledTensor(b, loc, {batchDim, hDim}, zeroF);
      Value c0 = adaptor.getInitialC()
                     ? castTo(b, loc, row(b, loc, adaptor.getInitialC(), dIdx), stateType)
                     : filledTensor(b, loc, {batchDim, hDim}, zeroF);
      Value peep;
      if (Value p = adaptor.getPeepholes()) {
        Value pd = tensor::ExtractSliceOp::create(
            b, loc, p, ArrayRef<OpFoldResult>{dIdx, b.getIndexAttr(0)},
            ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(3 * h)},
            ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
        peep = reshapeTo(b, loc, pd, {b.getIndexAttr(3 * h)});
      }
      Value lens = adaptor.getSequenceLens();
      auto lengthOf = [&](OpBuilder &lb, Location ll, Value bi) -> Value {
        if (!lens)
          return seq;
        Value l = tensor::ExtractOp::create(lb, ll, lens, ValueRange{bi});
        return arith::IndexCastOp::create(lb, ll, lb.getIndexType(), l);
      };
      auto timeOf = [&](OpBuilder &tb, Location tl, Value step, Value bi) -> Value {
        if (!reverse)
          return step;
        Value len = lengthOf(tb, tl, bi);
        return arith::SubIOp::create(
            tb, tl, arith::SubIOp::create(tb, tl, len, cIndex(tb, tl, 1)), step);
      };
      // The input products of every step at once, one product of all
      // [S * B] input rows (the GEMM kernel's size) instead of S products
      // of B rows, each repacking W: [S, B, G*H].
      SmallVector<OpFoldResult> xDims = getDims(b, loc, x);
      Value xRows = tensor::CollapseShapeOp::create(
          b, loc, x, ArrayRef<ReassociationIndices>{{0, 1}, {2}});
      Value gxAll = reshapeTo(b, loc, matmulTransposedB(b, loc, xRows, wd),
                              {xDims[0], xDims[1], b.getIndexAttr(gates * h)},
                              ArrayRef<ReassociationIndices>{{0, 1}, {2}});
      auto loop = scf::ForOp::create(
          b, loc, cIndex(b, loc, 0), seq, cIndex(b, loc, 1), ValueRange{h0, c0, y},
          [&](OpBuilder &lb, Location ll, Value step, ValueRange state) {
            Value hPrev = state[0], cPrev = state[1], yAcc = state[2];
            // This step's input products: gxAll[time(b), b, :].
            Value gx = generateTensor(
                lb, ll, {batchDim, lb.getIndexAttr(gates * h)}, t,
                [&](OpBuilder &gb, Location gl, ValueRange i) {
                  Value tb = timeOf(gb, gl, step, i[0]);
                  Value last = arith::SubIOp::create(gb, gl, seq, cIndex(gb, gl, 1));
                  tb = arith::MinSIOp::create(
                      gb, gl, arith::MaxSIOp::create(gb, gl, tb, cIndex(gb, gl, 0)), last);
                  return tensor::ExtractOp::create(gb, gl, gxAll, ValueRange{tb, i[0], i[1]})
                      .getResult();
                });
            Value gh = matmulTransposedB(lb, ll, hPrev, rd);
            // Gate g's pre-activation parts at (b, j).
            auto part = [&](OpBuilder &gb, Location gl, Value m, Value bias,
                            ValueRange i, int64_t g) -> Value {
              Value col = arith::AddIOp::create(gb, gl, i[1], cIndex(gb, gl, g * h));
              Value v = tensor::ExtractOp::create(gb, gl, m, ValueRange{i[0], col});
              if (bias)
                v = arith::AddFOp::create(
                    gb, gl, v, tensor::ExtractOp::create(gb, gl, bias, ValueRange{col}));
              return v;
            };
            auto add = [&](OpBuilder &gb, Location gl, Value p, Value q) {
              return arith::AddFOp::create(gb, gl, p, q).getResult();
            };
            auto mul = [&](OpBuilder &gb, Location gl, Value p, Value q) {
              return arith::MulFOp::create(gb, gl, p, q).getResult();
            };
            auto at = [&](OpBuilder &gb, Location gl, Value m, ValueRange i) {
              return tensor::ExtractOp::create(gb, gl, m, i).getResult();
            };
            // Entries past their length keep their state.
            auto settle = [&](OpBuilder &gb, Location gl, ValueRange i, Value fresh,
                              Value old) -> Value {
              if (!lens)
                return fresh;
              Value active = arith::CmpIOp::create(gb, gl, arith::CmpIPredicate::slt,
                                                   step, lengthOf(gb, gl, i[0]));
              return arith::SelectOp::create(gb, gl, active, fresh,
                                             at(gb, gl, old, i));
            };
            Value hNew, cNew = cPrev;
            if (cell == "rnn") {
              hNew = generateTensor(lb, ll, {batchDim, hDim}, t,
                                    [&](OpBuilder &gb, Location gl, ValueRange i) {
                                      Value pre = add(gb, gl, part(gb, gl, gx, wb, i, 0),
                                                      part(gb, gl, gh, rb, i, 0));
                                      return settle(gb, gl, i, act(gb, gl, 0, pre), hPrev);
                                    });
            } else if (cell == "gru") {
              Value z = generateTensor(lb, ll, {batchDim, hDim}, t,
                                       [&](OpBuilder &gb, Location gl, ValueRange i) {
                                         return act(gb, gl, 0,
                                                    add(gb, gl, part(gb, gl, gx, wb, i, 0),
                                                        part(gb, gl, gh, rb, i, 0)));
                                       });
              Value r = generateTensor(lb, ll, {batchDim, hDim}, t,
                                       [&](OpBuilder &gb, Location gl, ValueRange i) {
                                         return act(gb, gl, 0,
                                                    add(gb, gl, part(gb, gl, gx, wb, i, 1),
                                                        part(gb, gl, gh, rb, i, 1)));
                                       });
              Value rh; // (r * h) R_h^T when the reset comes before the product
              if (!linearBeforeReset) {
                Value rTimesH = generateTensor(
                    lb, ll, {batchDim, hDim}, t, [&](OpBuilder &gb, Location gl, ValueRange i) {
                      return mul(gb, gl, at(gb, gl, r, i), at(gb, gl, hPrev, i));
                    });
                Value rows = tensor::ExtractSliceOp::create(
                    lb, ll, rd,
                    ArrayRef<OpFoldResult>{lb.getIndexAttr(2 * h), lb.getIndexAttr(0)},
                    ArrayRef<OpFoldResult>{hDim, hDim},
                    ArrayRef<OpFoldResult>{lb.getIndexAttr(1), lb.getIndexAttr(1)});
                rh = matmulTransposedB(lb, ll, rTimesH, rows);
              }
              hNew = generateTensor(
                  lb, ll, {batchDim, hDim}, t, [&](OpBuilder &gb, Location gl, ValueRange i) {
                    Value xh = part(gb, gl, gx, wb, i, 2);
                    Value recurrent;
                    if (linearBeforeReset) {
                      recurrent = mul(gb, gl, at(gb, gl, r, i), part(gb, gl, gh, rb, i, 2));
                    } else {
                      recurrent = at(gb, gl, rh, i);
                      if (rb)
                        recurrent = add(gb, gl, recurrent,
                                        tensor::ExtractOp::create(
                                            gb, gl, rb,
                                            ValueRange{arith::AddIOp::create(
                                                gb, gl, i[1], cIndex(gb, gl, 2 * h))}));
                    }
                    Value hh = act(gb, gl, 1, add(gb, gl, xh, recurrent));
                    Value zz = at(gb, gl, z, i);
                    Value one = scalarConstant(gb, gl, t, 1);
                    Value v = add(gb, gl,
                                  mul(gb, gl, arith::SubFOp::create(gb, gl, one, zz), hh),
                                  mul(gb, gl, zz, at(gb, gl, hPrev, i)));
                    return settle(gb, gl, i, v, hPrev);
                  });
            } else {
              // LSTM gates in ONNX order i, o, f, c; peepholes i, o, f.
              auto peephole = [&](OpBuilder &gb, Location gl, ValueRange i, int64_t k,
                                  Value state) -> Value {
                if (!peep)
                  return scalarConstant(gb, gl, t, 0);
                Value col = arith::AddIOp::create(gb, gl, i[1], cIndex(gb, gl, k * h));
                return mul(gb, gl, tensor::ExtractOp::create(gb, gl, peep, ValueRange{col}),
                           state);
              };
              auto pre = [&](OpBuilder &gb, Location gl, ValueRange i, int64_t g) {
                return add(gb, gl, part(gb, gl, gx, wb, i, g), part(gb, gl, gh, rb, i, g));
              };
              cNew = generateTensor(
                  lb, ll, {batchDim, hDim}, t, [&](OpBuilder &gb, Location gl, ValueRange i) {
                    Value c = at(gb, gl, cPrev, i);
                    Value ig = act(gb, gl, 0, add(gb, gl, pre(gb, gl, i, 0),
                                                  peephole(gb, gl, i, 0, c)));
                    Value fg = inputForget
                                   ? (Value)arith::SubFOp::create(
                                         gb, gl, scalarConstant(gb, gl, t, 1), ig)
                                   : act(gb, gl, 0, add(gb, gl, pre(gb, gl, i, 2),
                                                        peephole(gb, gl, i, 2, c)));
                    Value cand = act(gb, gl, 1, pre(gb, gl, i, 3));
                    return settle(gb, gl, i,
                                  add(gb, gl, mul(gb, gl, fg, c), mul(gb, gl, ig, cand)),
                                  cPrev);
                  });
              hNew = generateTensor(
                  lb, ll, {batchDim, hDim}, t, [&](OpBuilder &gb, Location gl, ValueRange i) {
                    Value c = at(gb, gl, cNew, i);
                    Value og = act(gb, gl, 0, add(gb, gl, pre(gb, gl, i, 1),
                                                  peephole(gb, gl, i, 1, c)));
                    return settle(gb, gl, i, mul(gb, gl, og, act(gb, gl, 2, c)), hPrev);
                  });
            }
            Value hNext = castTo(lb, ll, hNew, hPrev.getType());
            Value cNext = castTo(lb, ll, cNew, cPrev.getType());
            // Write each active row of the new state at its time step.
            auto rows = scf::ForOp::create(
                lb, ll, cIndex(lb, ll, 0), batch, cIndex(lb, ll, 1), ValueRange{yAcc},
                [&](OpBuilder &rb2, Location rl, Value bi, ValueRange acc) {
                  Value active = arith::CmpIOp::create(rb2, rl, arith::CmpIPredicate::slt,
                                                       step, lengthOf(rb2, rl, bi));
                  auto ifOp = scf::IfOp::create(
                      rb2, rl, active,
                      [&](OpBuilder &tb, Location tl) {
                        Value rowVal = tensor::ExtractSliceOp::create(
                            tb, tl, hNext, ArrayRef<OpFoldResult>{bi, tb.getIndexAttr(0)},
                            ArrayRef<OpFoldResult>{tb.getIndexAttr(1), hDim},
                            ArrayRef<OpFoldResult>{tb.getIndexAttr(1), tb.getIndexAttr(1)});
                        Value tIdx = timeOf(tb, tl, step, bi);
                        Value written = tensor::InsertSliceOp::create(
                            tb, tl, rowVal, acc[0],
                            ArrayRef<OpFoldResult>{tIdx, tb.getIndexAttr(d), bi,
                                                   tb.getIndexAttr(0)},
                            ArrayRef<OpFoldResult>{tb.getIndexAttr(1), tb.getIndexAttr(1),
                                                   tb.getIndexAttr(1), hDim},
                            ArrayRef<OpFoldResult>{tb.getIndexAttr(1), tb.getIndexAttr(1),
                                                   tb.getIndexAttr(1), tb.getIndexAttr(1)});
                        scf::YieldOp::create(tb, tl, written);
                      },
                      [&](OpBuilder &eb, Location el) {
                        scf::YieldOp::create(eb, el, acc[0]);
                      });
                  scf::YieldOp::create(rb2, rl, ifOp.getResult(0));
                });
            scf::YieldOp::create(
                lb, ll, ValueRange{hNext, cNext,
                                   castTo(lb, ll, rows.getResult(0), yAcc.getType())});
          });
      Value hLast = loop.getResult(0), cLast = loop.getResult(1);
      y = loop.getResult(2);
      auto place = [&](Value into, Value state) {
        state = castTo(b, loc, state, typeForDims({batchDim, hDim}, t));
        return tensor::InsertSliceOp::create(
                   b, loc, state, into,
                   ArrayRef<OpFoldResult>{b.getIndexAttr(d), b.getIndexAttr(0),
                                          b.getIndexAttr(0)},
                   ArrayRef<OpFoldResult>{b.getIndexAttr(1), batchDim, hDim},
                   ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1),
                                          b.getIndexAttr(1)})
            .getResult();
      };
      yh = place(yh, hLast);
      yc = place(yc, cLast);
    }
    rewriter.replaceOp(op, {castTo(b, loc, y, op.getY().getType()),
                            castTo(b, loc, yh, op.getYH().getType()),
                            castTo(b, loc, yc, op.getYC().getType())});
    return success();
  }
};

} // namespace

void populateRecurrentLowering(TypeConverter &converter,
                               RewritePatternSet &patterns) {
  patterns.add<RecurrentLowering>(converter, patterns.getContext());
}

} // namespace kiln::lowering
