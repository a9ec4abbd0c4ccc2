//===- RecognizePatterns.cpp - fold exporters' decompositions back --------===//
//
// Exporters write LayerNorm, GELU, SiLU, HardSwish, Softmax and multi-head
// attention as chains of primitive ONNX nodes. Each pattern here matches
// one such chain (every intermediate used only inside it, so nothing is
// computed twice) and replaces it with the one kiln op that means the
// same, which later stages lower as one kernel.
//
//===----------------------------------------------------------------------===//
#include "dialects/kiln/ConstantUtils.h"
#include "dialects/kiln/KilnDialect.h"
#include "passes/Passes.h"
#include "passes/simplify/Rule.h"
#include "passes/simplify/RuleUtils.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace kiln {
#define GEN_PASS_DEF_RECOGNIZEPATTERNS
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using kiln::simplify::addRule;
using kiln::simplify::splatValue;

namespace kiln {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// True if the constant `v` is a splat within a relative 1e-5 of x.
bool isNear(Value v, double x) {
  std::optional<double> s = splatValue(v);
  return s && std::fabs(*s - x) <= 1e-5 * std::fabs(x);
}

/// `v`'s defining op of type OpTy if `v` has no other user.
template <typename OpTy> OpTy soleDef(Value v) {
  return v && v.hasOneUse() ? v.getDefiningOp<OpTy>() : OpTy();
}

/// Calls fn(a, b) with both operand orders of a commutative binary op.
template <typename OpTy, typename F> bool eitherOrder(OpTy op, F fn) {
  return fn(op.getLhs(), op.getRhs()) || fn(op.getRhs(), op.getLhs());
}

/// The factors of a product tree rooted at `root`, looking through
/// interior multiplications used only by the tree.
void productFactors(Value v, bool isRoot, SmallVectorImpl<Value> &out) {
  auto mul = v.getDefiningOp<MulOp>();
  if (mul && (isRoot || v.hasOneUse())) {
    productFactors(mul.getLhs(), false, out);
    productFactors(mul.getRhs(), false, out);
    return;
  }
  out.push_back(v);
}

/// Axes [axis, rank) reduced with keepdims, as LayerNorm and Softmax do.
template <typename ReduceTy>
std::optional<int64_t> trailingReduction(ReduceTy r) {
  if (!r || r.getDynamicAxes() || !r.getKeepdims())
    return std::nullopt;
  ArrayRef<int64_t> axes = r.getAxes();
  int64_t rank = typeOf(r.getInput()).getRank();
  if (axes.empty())
    return std::nullopt;
  for (auto [i, a] : llvm::enumerate(axes))
    if (a != rank - int64_t(axes.size()) + int64_t(i))
      return std::nullopt;
  return axes.front();
}

//===----------------------------------------------------------------------===//
// LayerNorm: (x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps) [* g] [+ b]
//===----------------------------------------------------------------------===//

void addLayerNorm(RewritePatternSet &p) {
  addRule<DivOp>(p, "layer-norm", [](DivOp div, PatternRewriter &r) {
    auto sub = div.getLhs().getDefiningOp<SubOp>();
    auto sqrt = soleDef<SqrtOp>(div.getRhs());
    if (!sub || !sqrt || !isa<FloatType>(typeOf(div).getElementType()))
      return failure();
    Value x = sub.getLhs();
    auto mean = sub.getRhs().getDefiningOp<ReduceMeanOp>();
    if (!mean || mean.getInput() != x || typeOf(sub) != typeOf(x) ||
        typeOf(div) != typeOf(x))
      return failure();
    std::optional<int64_t> axis = trailingReduction(mean);
    auto addEps = soleDef<AddOp>(sqrt.getInput());
    if (!axis || !addEps)
      return failure();
    Value var, eps;
    if (!eitherOrder(addEps, [&](Value a, Value b) {
          var = a, eps = b;
          return bool(splatValue(b));
        }))
      return failure();
    auto varMean = soleDef<ReduceMeanOp>(var);
    if (!varMean || trailingReduction(varMean) != axis)
      return failure();
    // The squared deviation: d * d or pow(d, 2), of this very subtraction.
    Value sq = varMean.getInput();
    bool squares = false;
    if (auto m = soleDef<MulOp>(sq))
      squares = m.getLhs() == sub.getResult() && m.getRhs() == sub.getResult();
    else if (auto pw = soleDef<PowOp>(sq))
      squares = pw.getLhs() == sub.getResult() && simplify::isSplatOf(pw.getRhs(), 2.0);
    // The deviation feeds the square and the division only.
    Operation *square = sq.getDefiningOp();
    if (!squares || !mean->hasOneUse() ||
        !llvm::all_of(sub->getUsers(), [&](Operation *u) {
          return u == square || u == div.getOperation();
        }))
      return failure();
    double epsilon = *splatValue(eps);
    if (epsilon < 0)
      return failure();
    r.replaceOpWithNewOp<LayerNormOp>(div, typeOf(x), x, Value(), Value(),
                                      r.getI64IntegerAttr(*axis),
                                      r.getF32FloatAttr(float(epsilon)));
    return success();
  });
  // layer_norm(x) * g -> layer_norm(x, g): the scale joins the op when it
  // broadcasts over the normalised dimensions only.
  auto fitsNormalised = [](LayerNormOp ln, Value c) {
    auto t = typeOf(c), x = typeOf(ln);
    int64_t n = x.getRank() - ln.getAxis();
    if (t.getRank() > n)
      return false;
    for (int64_t i = 0; i < t.getRank(); ++i) {
      int64_t d = t.getDimSize(t.getRank() - 1 - i), xd = x.getDimSize(x.getRank() - 1 - i);
      if (d != 1 && d != xd)
        return false;
    }
    return t.getElementType() == x.getElementType();
  };
  addRule<MulOp>(p, "layer-norm-scale", [=](MulOp op, PatternRewriter &r) {
    LayerNormOp ln;
    Value g;
    if (!eitherOrder(op, [&](Value a, Value b) {
          ln = soleDef<LayerNormOp>(a);
          g = b;
          return ln && !ln.getScale() && !ln.getBias() && fitsNormalised(ln, b) &&
                 typeOf(op) == typeOf(ln);
        }))
      return failure();
    r.replaceOpWithNewOp<LayerNormOp>(op, typeOf(ln), ln.getInput(), g, Value(),
                                      ln.getAxisAttr(), ln.getEpsilonAttr());
    return success();
  });
  addRule<AddOp>(p, "layer-norm-bias", [=](AddOp op, PatternRewriter &r) {
    LayerNormOp ln;
    Value b;
    if (!eitherOrder(op, [&](Value x, Value c) {
          ln = soleDef<LayerNormOp>(x);
          b = c;
          return ln && !ln.getBias() && fitsNormalised(ln, c) &&
                 typeOf(op) == typeOf(ln);
        }))
      return failure();
    Value scale = ln.getScale();
    if (!scale) // A bias alone: the scale is 1.
      scale = simplify::scalarConstant(r, op.getLoc(), typeOf(ln).getElementType(), 1.0);
    r.replaceOpWithNewOp<LayerNormOp>(op, typeOf(ln), ln.getInput(), scale, b,
                                      ln.getAxisAttr(), ln.getEpsilonAttr());
    return success();
  });
}

//===----------------------------------------------------------------------===//
// GELU, SiLU, HardSwish
//===----------------------------------------------------------------------===//

/// x^3 written as pow(x, 3), x * (x * x) or (x * x) * x.
bool isCube(Value v, Value x) {
  if (auto p = soleDef<PowOp>(v))
    return p.getLhs() == x && simplify::isSplatOf(p.getRhs(), 3.0);
  auto m = soleDef<MulOp>(v);
  if (!m)
    return false;
  return eitherOrder(m, [&](Value a, Value b) {
    auto sq = soleDef<MulOp>(b);
    return a == x && sq && sq.getLhs() == x && sq.getRhs() == x;
  });
}

/// `u` is x / sqrt(2) or x * (1 / sqrt(2)); returns x.
Value erfArgument(Value u) {
  if (auto d = soleDef<DivOp>(u))
    return isNear(d.getRhs(), std::sqrt(2.0)) ? d.getLhs() : Value();
  if (auto m = soleDef<MulOp>(u)) {
    Value x;
    eitherOrder(m, [&](Value a, Value c) {
      if (isNear(c, 1.0 / std::sqrt(2.0)))
        x = a;
      return bool(x);
    });
    return x;
  }
  return nullptr;
}

/// `u` is sqrt(2/pi) * (x + 0.044715 x^3); returns x.
Value tanhArgument(Value u) {
  auto m = soleDef<MulOp>(u);
  if (!m)
    return nullptr;
  Value x;
  eitherOrder(m, [&](Value inner, Value c) {
    auto add = soleDef<AddOp>(inner);
    if (!add || !isNear(c, std::sqrt(2.0 / M_PI)))
      return false;
    return eitherOrder(add, [&](Value a, Value t) {
      auto cubic = soleDef<MulOp>(t);
      if (!cubic)
        return false;
      return eitherOrder(cubic, [&](Value cube, Value k) {
        if (isNear(k, 0.044715) && isCube(cube, a))
          x = a;
        return bool(x);
      });
    });
  });
  return x;
}

void addActivations(RewritePatternSet &p) {
  // 0.5 * x * (1 + erf(x / sqrt(2))) -> gelu(x); the tanh form likewise.
  addRule<MulOp>(p, "gelu", [](MulOp root, PatternRewriter &r) {
    if (!isa<FloatType>(typeOf(root).getElementType()))
      return failure();
    SmallVector<Value> factors;
    productFactors(root.getResult(), true, factors);
    if (factors.size() != 3)
      return failure();
    for (Value half : factors) {
      if (!isNear(half, 0.5))
        continue;
      for (Value onePlus : factors) {
        auto add = soleDef<AddOp>(onePlus);
        if (!add)
          continue;
        Value x;
        bool tanh = false;
        eitherOrder(add, [&](Value f, Value one) {
          if (!simplify::isSplatOf(one, 1.0))
            return false;
          if (auto erf = soleDef<ErfOp>(f))
            x = erfArgument(erf.getInput());
          else if (auto th = soleDef<TanhOp>(f))
            tanh = bool(x = tanhArgument(th.getInput()));
          return bool(x);
        });
        if (!x || typeOf(x) != typeOf(root) ||
            !llvm::is_contained(factors, x))
          continue;
        r.replaceOpWithNewOp<GeluOp>(root, x, r.getBoolAttr(tanh));
        return success();
      }
    }
    return failure();
  });
  // x * sigmoid(x) -> silu(x).
  addRule<MulOp>(p, "silu", [](MulOp op, PatternRewriter &r) {
    Value x;
    if (!eitherOrder(op, [&](Value a, Value b) {
          auto s = soleDef<SigmoidOp>(b);
          x = a;
          return s && s.getInput() == a && typeOf(a) == typeOf(op);
        }))
      return failure();
    r.replaceOpWithNewOp<SiluOp>(op, x);
    return success();
  });
  // x * hard_sigmoid(x; 1/6, 1/2) -> hard_swish(x).
  addRule<MulOp>(p, "hard-swish", [](MulOp op, PatternRewriter &r) {
    Value x;
    if (!eitherOrder(op, [&](Value a, Value b) {
          auto hs = soleDef<HardSigmoidOp>(b);
          x = a;
          return hs && hs.getInput() == a && typeOf(a) == typeOf(op) &&
                 std::fabs(hs.getAlpha().convertToDouble() - 1.0 / 6) < 1e-6 &&
                 std::fabs(hs.getBeta().convertToDouble() - 0.5) < 1e-6;
        }))
      return failure();
    r.replaceOpWithNewOp<HardSwishOp>(op, x);
    return success();
  });
  // x * clip(x + 3, 0, 6) / 6 (or * 1/6) -> hard_swish(x).
  auto relu6Form = [](Value m) -> Value {
    auto mul = soleDef<MulOp>(m);
    if (!mul)
      return nullptr;
    Value x;
    eitherOrder(mul, [&](Value a, Value c) {
      auto clip = soleDef<ClipOp>(c);
      auto lo = clip ? dyn_cast_or_null<FloatAttr>(clip.getMinAttr()) : FloatAttr();
      auto hi = clip ? dyn_cast_or_null<FloatAttr>(clip.getMaxAttr()) : FloatAttr();
      if (!lo || !hi || lo.getValueAsDouble() != 0 || hi.getValueAsDouble() != 6)
        return false;
      auto add = soleDef<AddOp>(clip.getInput());
      if (add && eitherOrder(add, [&](Value y, Value three) {
            return y == a && isNear(three, 3.0);
          }))
        x = a;
      return bool(x);
    });
    return x;
  };
  addRule<DivOp>(p, "hard-swish-relu6", [=](DivOp op, PatternRewriter &r) {
    Value x = isNear(op.getRhs(), 6.0) ? relu6Form(op.getLhs()) : Value();
    if (!x || typeOf(x) != typeOf(op))
      return failure();
    r.replaceOpWithNewOp<HardSwishOp>(op, x);
    return success();
  });
  addRule<MulOp>(p, "hard-swish-relu6-mul", [=](MulOp op, PatternRewriter &r) {
    Value x;
    if (!eitherOrder(op, [&](Value m, Value c) {
          x = isNear(c, 1.0 / 6) ? relu6Form(m) : Value();
          return x && typeOf(x) == typeOf(op);
        }))
      return failure();
    r.replaceOpWithNewOp<HardSwishOp>(op, x);
    return success();
  });
}

//===----------------------------------------------------------------------===//
// Softmax: exp(x - max(x)) / sum(exp(x - max(x))), or without the max.
//===----------------------------------------------------------------------===//

void addSoftmax(RewritePatternSet &p) {
  addRule<DivOp>(p, "softmax", [](DivOp div, PatternRewriter &r) {
    auto exp = div.getLhs().getDefiningOp<ExpOp>();
    auto sum = soleDef<ReduceSumOp>(div.getRhs());
    if (!exp || !sum || sum.getInput() != exp.getResult() ||
        !llvm::hasNItems(exp->getUses(), 2) || typeOf(div) != typeOf(exp))
      return failure();
    std::optional<int64_t> axis = trailingReduction(sum);
    if (!axis || sum.getAxes().size() != 1)
      return failure();
    Value x = exp.getInput();
    // The usual stabilising shift by the maximum along the same axis.
    if (auto sub = soleDef<SubOp>(x)) {
      auto max = sub.getRhs().getDefiningOp<ReduceMaxOp>();
      if (max && max.getInput() == sub.getLhs() && trailingReduction(max) == axis &&
          max.getAxes().size() == 1 && max->hasOneUse())
        x = sub.getLhs();
    }
    if (typeOf(x) != typeOf(div))
      return failure();
    r.replaceOpWithNewOp<SoftmaxOp>(div, x, r.getI64IntegerAttr(*axis));
    return success();
  });
}

//===----------------------------------------------------------------------===//
// Multi-head attention
//===----------------------------------------------------------------------===//

/// `v` = transpose(reshape(x [B, S, H*D] -> [B, S, H, D]), perm): returns x
/// and sets heads; nullptr unless the reshape provably keeps B and S.
Value splitHeads(Value v, ArrayRef<int64_t> perm, int64_t &heads) {
  auto t = soleDef<TransposeOp>(v);
  if (!t || t.getPerm() != perm)
    return nullptr;
  auto rs = soleDef<ReshapeOp>(t.getInput());
  if (!rs)
    return nullptr;
  auto in = typeOf(rs.getInput()), out = typeOf(rs);
  if (in.getRank() != 3 || out.getRank() != 4 || out.isDynamicDim(2) ||
      out.isDynamicDim(3) || in.isDynamicDim(2) ||
      in.getDimSize(2) != out.getDimSize(2) * out.getDimSize(3))
    return nullptr;
  // Batch and sequence are kept: equal static sizes, or a target that
  // copies them (0).
  auto target = getConstantIntValues(rs.getShape());
  for (int d = 0; d < 2; ++d) {
    bool same = !in.isDynamicDim(d) && in.getDimSize(d) == out.getDimSize(d);
    bool copied = target && !rs.getAllowZero() && (*target)[d] == 0;
    if (!same && !copied)
      return nullptr;
  }
  heads = out.getDimSize(2);
  return rs.getInput();
}

void addAttention(RewritePatternSet &p) {
  // reshape(transpose(softmax(q k^T * s [+ mask]) v, [0, 2, 1, 3])) with
  // q, k, v split into heads -> attention(q, k, v, mask).
  addRule<ReshapeOp>(p, "attention", [](ReshapeOp out, PatternRewriter &r) {
    auto back = soleDef<TransposeOp>(out.getInput());
    if (!back || back.getPerm() != ArrayRef<int64_t>{0, 2, 1, 3})
      return failure();
    auto pv = soleDef<MatMulOp>(back.getInput());
    if (!pv)
      return failure();
    auto sm = soleDef<SoftmaxOp>(pv.getLhs());
    if (!sm || sm.getAxis() != 3)
      return failure();
    // Scores: matmul(q, k^T), then a scale (mul or div by a constant) and
    // an optional additive mask, in either order.
    Value s = sm.getInput(), mask;
    double scale = 1.0;
    MatMulOp qk;
    for (int step = 0; step < 3 && !qk; ++step) {
      if ((qk = soleDef<MatMulOp>(s)))
        break;
      if (auto m = soleDef<MulOp>(s)) {
        bool ok = eitherOrder(m, [&](Value a, Value c) {
          std::optional<double> k = splatValue(c);
          if (!k || typeOf(a) != typeOf(m))
            return false;
          scale *= *k;
          s = a;
          return true;
        });
        if (!ok)
          return failure();
      } else if (auto d = soleDef<DivOp>(s)) {
        std::optional<double> k = splatValue(d.getRhs());
        if (!k || *k == 0 || typeOf(d.getLhs()) != typeOf(d))
          return failure();
        scale /= *k;
        s = d.getLhs();
      } else if (auto a = soleDef<AddOp>(s); a && !mask) {
        // The mask is the operand that is not the scores chain.
        bool ok = eitherOrder(a, [&](Value scores, Value m) {
          if (typeOf(scores) != typeOf(a) || !(scores.getDefiningOp<MatMulOp>() ||
                                                scores.getDefiningOp<MulOp>() ||
                                                scores.getDefiningOp<DivOp>()))
            return false;
          s = scores;
          mask = m;
          return true;
        });
        if (!ok)
          return failure();
      } else {
        return failure();
      }
    }
    if (!qk)
      return failure();
    int64_t hq = 0, hk = 0, hv = 0;
    Value q = splitHeads(qk.getLhs(), {0, 2, 1, 3}, hq);
    Value k = splitHeads(qk.getRhs(), {0, 2, 3, 1}, hk);
    Value v = splitHeads(pv.getRhs(), {0, 2, 1, 3}, hv);
    if (!q || !k || !v || hq != hk || hq != hv)
      return failure();
    auto outType = typeOf(out);
    if (outType.getRank() != 3)
      return failure();
    if (mask && (typeOf(mask).getRank() > 4 ||
                 typeOf(mask).getElementType() != typeOf(q).getElementType()))
      return failure();
    auto att = AttentionOp::create(r, out.getLoc(), q, k, v, mask,
                                   r.getI64IntegerAttr(hq),
                                   r.getF32FloatAttr(float(scale)));
    if (att.getType().getShape() != outType.getShape() &&
        !areCompatibleTensorTypes(TypeRange{att.getType()}, TypeRange{outType})) {
      r.eraseOp(att);
      return failure();
    }
    simplify::replaceKeepingType(r, out, att);
    return success();
  });
}

struct RecognizePatternsPass : impl::RecognizePatternsBase<RecognizePatternsPass> {
  LogicalResult initialize(MLIRContext *ctx) override {
    RewritePatternSet set(ctx);
    addLayerNorm(set);
    addActivations(set);
    addSoftmax(set);
    addAttention(set);
    patterns = FrozenRewritePatternSet(std::move(set));
    return success();
  }
  void runOnOperation() override {
    (void)applyPatternsGreedily(getOperation(), patterns);
  }
  FrozenRewritePatternSet patterns;
};

} // namespace
} // namespace kiln
