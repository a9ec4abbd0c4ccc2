//===- OneDnnCalls.cpp - CPU library calls through oneDNN -----------------===//
//
// kiln_cpu_conv2d and kiln_cpu_matmul (cpu/CpuAbi.h). Each call site's
// descriptor is the key of a plan made on its first call: the oneDNN
// primitive with the epilogue as post-ops, and for constant weights their
// copy in the primitive's preferred layout (made once per weight buffer).
// Later calls only point the plan's memory objects (one set per thread)
// at the buffers and execute. Post-ops that oneDNN
// cannot fuse for a problem run as separate in-place primitives after it,
// so every epilogue the compiler emits is computed.
//
// oneDNN runs on the process's OpenMP runtime (GNU OpenMP in Debian), the
// same one that runs Kiln's own parallel loops.
//
//===----------------------------------------------------------------------===//
#include "lib/runtime/cpu/CpuAbi.h"
#include "lib/runtime/cpu/CpuLibraries.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace kiln::cpu {
namespace {

namespace abi = kiln::cpu_abi;
using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

dnnl::engine &cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

/// Primitives take their scratch memory from the caller (user scratchpad
/// mode): with oneDNN's default, primitives share one library-managed
/// scratchpad, and runs of one session on several threads at once would
/// race on it. Each thread keeps one growing buffer.
dnnl::primitive_attr userScratchpad() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

/// What a run keeps in its thread's buffers (threadBuffer), each its own.
enum ThreadBufferSlot : int {
  kScratchpad,    ///< a primitive's scratch memory
  kBlockedSrc,    ///< Winograd's input in oneDNN's blocked layout
  kBlockedDst,    ///< Winograd's output in oneDNN's blocked layout
  kAliasedAddend, ///< an addend that shares the output's memory
  kWeights,       ///< weights given at run time, in the primitive's layout
  kThreadBufferSlots
};

/// A buffer of this thread for `slot`, at least `bytes` long, 64-aligned;
/// it only grows, so steady-state runs allocate nothing.
void *threadBuffer(ThreadBufferSlot slot, size_t bytes) {
  thread_local std::unique_ptr<char[]> buffers[kThreadBufferSlots];
  thread_local size_t capacity[kThreadBufferSlots] = {};
  if (bytes > capacity[slot]) {
    buffers[slot].reset(new char[bytes + 64]);
    capacity[slot] = bytes;
  }
  return reinterpret_cast<void *>(
      (reinterpret_cast<uintptr_t>(buffers[slot].get()) + 63) & ~uintptr_t(63));
}

/// This thread's stream (a CPU stream runs each primitive on the calling
/// thread; making one per call cost ~0.1 us).
dnnl::stream &threadStream() {
  thread_local dnnl::stream s(cpuEngine());
  return s;
}

/// What a plan's primitives are, for Args: the main one, and the reorders
/// and separate epilogue steps around it.
enum Role : int { kMain, kToWeights, kToBlocked, kFromBlocked, kSeparate };

/// The arguments of one primitive of a plan on this thread. Its memory
/// objects are made on the first call and afterwards only pointed at the
/// call's buffers: making a dnnl::memory costs ~0.4 us, and a convolution
/// with a bias, its scratchpad and a residual needs six; without them
/// SqueezeNet and MobileNetV2 run 4-10% faster here. Plans live as long
/// as the process, so (plan, role) names one primitive for good, and each
/// slot's layout never changes.
class Args {
public:
  static Args &of(const void *plan, int role) {
    thread_local std::map<std::pair<const void *, int>, Args> all;
    return all[{plan, role}];
  }
  /// Binds `arg` to `data`, laid out as `desc`.
  Args &bind(int arg, const memory::desc &desc, void *data) {
    auto it = memories_.find(arg);
    if (it == memories_.end())
      memories_.emplace(arg, memory(desc, cpuEngine(), data));
    else if (it->second.get_data_handle() != data)
      it->second.set_data_handle(data);
    return *this;
  }
  /// Executes `p` with these arguments and this thread's scratch buffer
  /// for `scratch`.
  void execute(const dnnl::primitive &p, const memory::desc &scratch) {
    if (size_t bytes = scratch.get_size())
      bind(DNNL_ARG_SCRATCHPAD, scratch, threadBuffer(kScratchpad, bytes));
    p.execute(threadStream(), memories_);
  }

private:
  std::unordered_map<int, memory> memories_;
};

double fromBits(int64_t bits) {
  double x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

/// memcpy on the run's OpenMP threads: a residual as large as a ResNet
/// stage's output (3.2 MB at batch 1) would otherwise leave every thread
/// but one waiting.
void parallelCopy(void *to, const void *from, size_t bytes) {
  constexpr size_t kChunk = size_t(1) << 16;
  int64_t chunks = int64_t((bytes + kChunk - 1) / kChunk);
#pragma omp parallel for schedule(static) if (chunks > 4)
  for (int64_t i = 0; i < chunks; ++i) {
    size_t at = size_t(i) * kChunk;
    std::memcpy(static_cast<char *>(to) + at,
                static_cast<const char *>(from) + at,
                std::min(kChunk, bytes - at));
  }
}

/// One epilogue step as oneDNN sees it.
struct Step {
  int64_t kind;
  float alpha, beta;
  memory::desc operand; ///< binary steps: the operand's logical desc
};

dnnl::algorithm eltwiseAlgorithm(int64_t kind) {
  using a = dnnl::algorithm;
  switch (kind) {
  case abi::kRelu: case abi::kLeakyRelu: return a::eltwise_relu;
  case abi::kElu: return a::eltwise_elu;
  case abi::kGeluErf: return a::eltwise_gelu_erf;
  case abi::kGeluTanh: return a::eltwise_gelu_tanh;
  case abi::kSigmoid: return a::eltwise_logistic;
  case abi::kTanh: return a::eltwise_tanh;
  case abi::kClip: return a::eltwise_clip;
  case abi::kSwish: return a::eltwise_swish;
  case abi::kHardSwish: return a::eltwise_hardswish;
  case abi::kAbs: return a::eltwise_abs;
  case abi::kExp: return a::eltwise_exp;
  case abi::kSqrt: return a::eltwise_sqrt;
  case abi::kLinear: return a::eltwise_linear;
  }
  throw std::runtime_error("unknown post-op " + std::to_string(kind));
}

dnnl::algorithm binaryAlgorithm(int64_t kind) {
  using a = dnnl::algorithm;
  switch (kind) {
  case abi::kAdd: return a::binary_add;
  case abi::kSub: return a::binary_sub;
  case abi::kMul: return a::binary_mul;
  case abi::kDiv: return a::binary_div;
  case abi::kMax: return a::binary_max;
  case abi::kMin: return a::binary_min;
  }
  throw std::runtime_error("unknown binary post-op " + std::to_string(kind));
}

/// Reads the epilogue at d[at]; `operandDesc` turns a binary operand's
/// stored dimensions into its logical memory desc.
template <typename DescFn>
std::vector<Step> readEpilogue(const int64_t *d, size_t at, size_t rank,
                               DescFn operandDesc) {
  std::vector<Step> steps(d[at++]);
  for (Step &s : steps) {
    s.kind = d[at];
    s.alpha = float(fromBits(d[at + 1]));
    s.beta = float(fromBits(d[at + 2]));
    at += 3;
    if (s.kind >= abi::kFirstBinary) {
      s.operand = operandDesc(memory::dims(d + at, d + at + rank));
      at += rank;
    }
  }
  return steps;
}

/// oneDNN's eltwise (alpha, beta) for a step.
std::pair<float, float> eltwiseArgs(const Step &s) {
  if (s.kind == abi::kRelu)
    return {0.f, 0.f};
  if (s.kind == abi::kSwish && s.alpha == 0.f)
    return {1.f, 0.f};
  return {s.alpha, s.beta};
}

/// The post-ops for `steps`; with `sumFirst`, the first (an add of a tensor
/// laid out as the output) is oneDNN's `sum` instead (Epilogue::sumFirst).
dnnl::post_ops postOpsOf(const std::vector<Step> &steps, bool sumFirst = false) {
  dnnl::post_ops ops;
  for (const Step &s : steps) {
    if (sumFirst && &s == &steps.front()) {
      ops.append_sum(1.f);
    } else if (s.kind >= abi::kFirstBinary) {
      ops.append_binary(binaryAlgorithm(s.kind), s.operand);
    } else {
      auto [alpha, beta] = eltwiseArgs(s);
      ops.append_eltwise(1.f, eltwiseAlgorithm(s.kind), alpha, beta);
    }
  }
  return ops;
}

/// A primitive with its epilogue: fused post-ops where oneDNN takes them,
/// otherwise in-place primitives on the output after it.
struct Epilogue {
  std::vector<Step> steps;
  bool fused = true;
  /// The first step adds a tensor laid out exactly as the output (a
  /// residual connection): it is copied into the output and the primitive
  /// accumulates onto it (oneDNN's `sum` post-op). oneDNN 2.6 runs
  /// convolutions with a `sum` on its fastest kernels (brgconv) but falls
  /// back to older ones for a `binary_add` (ResNet-50's residual 1x1
  /// convolutions: ~55 GFLOP/s instead of ~100 on one core).
  bool sumFirst = false;

  /// Whether the first step can be a `sum` for output `dst`.
  static bool canSumFirst(const std::vector<Step> &steps,
                          const memory::desc &dst) {
    return !steps.empty() && steps.front().kind == abi::kAdd &&
           steps.front().operand == dst;
  }
  std::vector<dnnl::primitive> separate; ///< one per step when not fused
  std::vector<memory::desc> separateScratch;

  /// Makes `separate` for output `dst`.
  void makeSeparate(const memory::desc &dst) {
    fused = false;
    sumFirst = false;
    for (const Step &s : steps) {
      if (s.kind >= abi::kFirstBinary) {
        dnnl::binary::desc bd(binaryAlgorithm(s.kind), dst, s.operand, dst);
        dnnl::binary::primitive_desc pd(bd, userScratchpad(), cpuEngine());
        separate.push_back(dnnl::binary(pd));
        separateScratch.push_back(pd.scratchpad_desc());
      } else {
        auto [alpha, beta] = eltwiseArgs(s);
        dnnl::eltwise_forward::desc ed(dnnl::prop_kind::forward_inference,
                                       eltwiseAlgorithm(s.kind), dst, alpha,
                                       beta);
        dnnl::eltwise_forward::primitive_desc pd(ed, userScratchpad(),
                                                 cpuEngine());
        separate.push_back(dnnl::eltwise_forward(pd));
        separateScratch.push_back(pd.scratchpad_desc());
      }
    }
  }

  /// Binds the fused binary operands in `args`.
  void bindFused(Args &args, void *const *operands) const {
    size_t next = 0;
    for (size_t i = 0; i < steps.size(); ++i) {
      if (steps[i].kind < abi::kFirstBinary)
        continue;
      void *operand = operands[next++];
      if (i == 0 && sumFirst)
        continue; // already in the output
      args.bind(DNNL_ARG_ATTR_MULTIPLE_POST_OP(int(i)) | DNNL_ARG_SRC_1,
                steps[i].operand, operand);
    }
  }

  /// Runs the separate steps of `plan` on its output `out` (laid out as
  /// `dst`) in place.
  void runSeparate(const void *plan, const memory::desc &dst, void *out,
                   void *const *operands) const {
    size_t next = 0;
    for (size_t i = 0; i < separate.size(); ++i) {
      Args &args = Args::of(plan, kSeparate + int(i));
      if (steps[i].kind >= abi::kFirstBinary)
        args.bind(DNNL_ARG_SRC_0, dst, out)
            .bind(DNNL_ARG_SRC_1, steps[i].operand, operands[next++]);
      else
        args.bind(DNNL_ARG_SRC, dst, out);
      args.bind(DNNL_ARG_DST, dst, out).execute(separate[i], separateScratch[i]);
    }
  }

  /// Executes `plan`'s `primitive` (with `args` bound but for the epilogue,
  /// and its `scratch`) and the epilogue: fused (its operands bound) or
  /// separately on the output `out`, laid out as `dst`.
  void run(const void *plan, const dnnl::primitive &primitive, Args &args,
           const memory::desc &scratch, const memory::desc &dst, void *out,
           void *const *operands) const {
    // The memory plan may give a residual that dies here the output's
    // memory (in place for the `sum`). Where oneDNN refused the fused form,
    // the primitive would overwrite it before the add reads it: the add
    // then reads a copy.
    std::vector<void *> saved;
    if (!(fused && sumFirst) && binaryCount() > 0 && operands[0] == out) {
      size_t bytes = dst.get_size();
      void *copy = threadBuffer(kAliasedAddend, bytes);
      parallelCopy(copy, out, bytes);
      saved.assign(operands, operands + binaryCount());
      saved[0] = copy;
      operands = saved.data();
    }
    if (fused)
      bindFused(args, operands);
    if (fused && sumFirst && operands[0] != out)
      parallelCopy(out, operands[0], dst.get_size());
    args.execute(primitive, scratch);
    if (!fused)
      runSeparate(plan, dst, out, operands);
    threadStream().wait();
  }

  size_t binaryCount() const {
    size_t n = 0;
    for (const Step &s : steps)
      n += s.kind >= abi::kFirstBinary;
    return n;
  }
};

/// Constant weights in the primitive's layout, one copy per weight buffer
/// (two sessions of one artifact have two buffers).
struct PackedWeights {
  std::mutex mutex;
  std::unordered_map<const void *, memory> packed;

  /// The packed copy of `user` as `want`, made on first use.
  memory get(const memory::desc &userDesc, const memory::desc &want,
             void *data) {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = packed.find(data);
    if (it != packed.end())
      return it->second;
    memory out(want, cpuEngine());
    dnnl::reorder::primitive_desc pd(cpuEngine(), userDesc, cpuEngine(), want,
                                     userScratchpad());
    // Once per weight buffer: its own Args, not kept.
    Args()
        .bind(DNNL_ARG_FROM, userDesc, data)
        .bind(DNNL_ARG_TO, want, out.get_data_handle())
        .execute(dnnl::reorder(pd), pd.scratchpad_desc());
    threadStream().wait();
    return packed.emplace(data, out).first->second;
  }
};

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

struct ConvPlan {
  dnnl::convolution_forward primitive;
  memory::desc scratch;
  memory::desc src, userWeights, weights, bias, dst;
  bool hasBias = false, constantWeights = false;
  /// An integer convolution (u8 x s8 -> s32), with its input's zero point
  /// given at run time when `zeroPoint`.
  bool integer = false, zeroPoint = false;
  /// Requantized (an 8-bit output): scales (one, or one per output
  /// channel) and the output's zero point.
  std::vector<float> outputScales;
  int32_t outputZeroPoint = 0;
  memory::desc zeroPointDesc{{1}, dt::s32, tag::x};
  memory::dims strides, dilations, padsBegin, padsEnd; ///< as oneDNN counts
  Epilogue epilogue;
  PackedWeights packed;
  /// Weights given at run time go into the primitive's layout on each call:
  /// in their own (plain) layout oneDNN 2.6 has only its reference
  /// convolution, hundreds of times slower than the reorder.
  dnnl::reorder toWeights;
  memory::desc toWeightsScratch;
  /// Winograd and integer convolutions run in oneDNN's blocked layouts:
  /// the input is reordered into them and the output out of them, through
  /// this thread's buffers.
  bool blocked = false;
  memory::desc blockedSrc, blockedDst;
  dnnl::reorder toBlocked, fromBlocked;
  memory::desc toBlockedScratch, fromBlockedScratch;
};

/// `plan`'s convolution computed by `algorithm` on `src`, `weights` and
/// `dst` (the plan's own layouts, or `any` for oneDNN to choose).
dnnl::convolution_forward::desc convDesc(const ConvPlan &plan,
                                         dnnl::algorithm algorithm,
                                         const memory::desc &src,
                                         const memory::desc &weights,
                                         const memory::desc &dst) {
  auto kind = dnnl::prop_kind::forward_inference;
  return plan.hasBias
             ? dnnl::convolution_forward::desc(
                   kind, algorithm, src, weights, plan.bias, dst, plan.strides,
                   plan.dilations, plan.padsBegin, plan.padsEnd)
             : dnnl::convolution_forward::desc(
                   kind, algorithm, src, weights, dst, plan.strides,
                   plan.dilations, plan.padsBegin, plan.padsEnd);
}

/// Makes `plan` reorder weights given at run time into the primitive's
/// layout on each call, where it differs from theirs.
void reorderRuntimeWeights(ConvPlan &plan) {
  if (plan.constantWeights || plan.weights == plan.userWeights)
    return;
  dnnl::reorder::primitive_desc rd(cpuEngine(), plan.userWeights, cpuEngine(),
                                   plan.weights, userScratchpad());
  plan.toWeights = dnnl::reorder(rd);
  plan.toWeightsScratch = rd.scratchpad_desc();
}

/// Makes `plan` reorder the input into `pd`'s layout and the output out of
/// it, where those differ from the plan's own.
void reorderAround(ConvPlan &plan,
                   const dnnl::convolution_forward::primitive_desc &pd) {
  plan.blockedSrc = pd.src_desc();
  plan.blockedDst = pd.dst_desc();
  if (plan.blockedSrc == plan.src && plan.blockedDst == plan.dst)
    return;
  dnnl::reorder::primitive_desc in(cpuEngine(), plan.src, cpuEngine(),
                                   plan.blockedSrc, userScratchpad());
  dnnl::reorder::primitive_desc out(cpuEngine(), plan.blockedDst, cpuEngine(),
                                    plan.dst, userScratchpad());
  plan.toBlocked = dnnl::reorder(in);
  plan.fromBlocked = dnnl::reorder(out);
  plan.toBlockedScratch = in.scratchpad_desc();
  plan.fromBlockedScratch = out.scratchpad_desc();
  plan.blocked = true;
}

/// Makes `plan` run Winograd F(2x2, 3x3) on oneDNN's blocked layouts with
/// `attr`'s post-ops; false where this oneDNN has no such kernel for the
/// shape (the caller then builds the direct convolution).
bool makeWinograd(ConvPlan &plan, const dnnl::primitive_attr &attr) {
  memory::desc src(plan.src.dims(), dt::f32, tag::any),
      dst(plan.dst.dims(), dt::f32, tag::any),
      weights(plan.userWeights.dims(), dt::f32, tag::any);
  try {
    dnnl::convolution_forward::primitive_desc pd(
        convDesc(plan, dnnl::algorithm::convolution_winograd, src, weights,
                 dst),
        attr, cpuEngine());
    plan.primitive = dnnl::convolution_forward(pd);
    plan.scratch = pd.scratchpad_desc();
    plan.weights = pd.weights_desc();
    reorderAround(plan, pd);
    return true;
  } catch (const dnnl::error &) {
    return false;
  }
}

/// Makes `plan` an integer convolution. In plain NCHW oneDNN 2.6 has only
/// its reference int8 kernel (3.6 s for 64 -> 64 channels, 3x3 on 56x56,
/// against 0.09-0.17 ms in its own layouts here): the input and output are
/// reordered.
void makeInteger(ConvPlan &plan, const memory::desc &weightsAny) {
  memory::desc src(plan.src.dims(), dt::u8, tag::any),
      dst(plan.dst.dims(), plan.dst.data_type(), tag::any);
  dnnl::primitive_attr attr = userScratchpad();
  if (plan.zeroPoint)
    attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
  // Requantized: scales per output channel (mask: dimension 1), the
  // output's zero point, the epilogue (relu) fused.
  if (!plan.outputScales.empty())
    attr.set_output_scales(plan.outputScales.size() > 1 ? 1 << 1 : 0,
                           plan.outputScales);
  if (plan.outputZeroPoint != 0)
    attr.set_zero_points(DNNL_ARG_DST, 0, {plan.outputZeroPoint});
  attr.set_post_ops(postOpsOf(plan.epilogue.steps));
  dnnl::convolution_forward::primitive_desc pd(
      convDesc(plan, dnnl::algorithm::convolution_direct, src, weightsAny, dst),
      attr, cpuEngine());
  plan.primitive = dnnl::convolution_forward(pd);
  plan.scratch = pd.scratchpad_desc();
  plan.weights = pd.weights_desc();
  reorderAround(plan, pd);
  reorderRuntimeWeights(plan);
}

/// Whether oneDNN answered with its reference implementation: plain C++
/// loops, one to two orders of magnitude slower than its JIT kernels.
bool isReference(const dnnl::primitive_desc_base &pd) {
  return std::string(pd.impl_info_str()).rfind("ref", 0) == 0;
}

/// The primitive with the epilogue fused as post-ops when oneDNN has a
/// real kernel for that, else without it and the epilogue run after it as
/// separate primitives (`epilogue.makeSeparate`). oneDNN 2.6 either
/// rejects a post-op or, for some broadcasts of a binary operand, quietly
/// falls back to its reference kernel: a batched product whose addend
/// broadcasts over the batch (Swin's attention bias, 1x3x49x49 onto
/// 64x3x49x49) took 140 ms there against 1 ms for the product alone.
template <typename PD, typename Make>
PD withEpilogue(Make make, const dnnl::primitive_attr &fusedAttr,
                const dnnl::primitive_attr &plainAttr, Epilogue &epilogue,
                const memory::desc &dst) {
  std::optional<PD> fused;
  try {
    fused = make(fusedAttr);
  } catch (const dnnl::error &) {
  }
  if (fused && (epilogue.steps.empty() || !isReference(*fused)))
    return *fused;
  PD plain = make(plainAttr);
  if (fused && isReference(plain))
    return *fused; // no better without the epilogue
  epilogue.makeSeparate(dst);
  return plain;
}

std::unique_ptr<ConvPlan> makeConvPlan(const int64_t *d) {
  auto plan = std::make_unique<ConvPlan>();
  bool last = d[abi::kConvChannelsLast];
  tag act = last ? tag::nhwc : tag::nchw;
  int64_t n = d[abi::kConvN], c = d[abi::kConvC], k = d[abi::kConvK];
  int64_t g = d[abi::kConvGroups];
  int64_t integer = d[abi::kConvInteger];
  plan->integer = integer != abi::kConvFloat;
  plan->zeroPoint = d[abi::kConvHasZeroPoint];
  dt srcType = plan->integer ? dt::u8 : dt::f32,
     weightType = plan->integer ? dt::s8 : dt::f32,
     dstType = integer == abi::kConvToU8   ? dt::u8
               : integer == abi::kConvToS8 ? dt::s8
               : integer == abi::kConvToS32 ? dt::s32
                                            : dt::f32;
  // Requantized: the output scales are the descriptor's last entries.
  for (int64_t i = d[abi::kConvLength] - d[abi::kConvScales];
       i < d[abi::kConvLength]; ++i) {
    uint32_t bits = uint32_t(d[i]);
    float scale;
    std::memcpy(&scale, &bits, sizeof scale);
    plan->outputScales.push_back(scale);
  }
  plan->outputZeroPoint = int32_t(d[abi::kConvOutputZeroPoint]);
  plan->src = memory::desc({n, c, d[abi::kConvH], d[abi::kConvW]}, srcType, act);
  plan->dst = memory::desc({n, k, d[abi::kConvP], d[abi::kConvQ]}, dstType, act);
  memory::dims rs = {d[abi::kConvR], d[abi::kConvS]};
  plan->userWeights =
      g == 1 ? memory::desc({k, c, rs[0], rs[1]}, weightType, tag::oihw)
             : memory::desc({g, k / g, c / g, rs[0], rs[1]}, weightType,
                            tag::goihw);
  plan->hasBias = d[abi::kConvHasBias];
  plan->constantWeights = d[abi::kConvConstantWeights];
  plan->bias = memory::desc({k}, dt::f32, tag::x);
  plan->strides = {d[abi::kConvStrideH], d[abi::kConvStrideW]};
  plan->dilations = {d[abi::kConvDilationH] - 1, d[abi::kConvDilationW] - 1};
  plan->padsBegin = {d[abi::kConvPadTop], d[abi::kConvPadLeft]};
  plan->padsEnd = {d[abi::kConvPadBottom], d[abi::kConvPadRight]};
  plan->epilogue.steps = readEpilogue(
      d, abi::kConvEpilogue, 4, [&](memory::dims stored) {
        // Stored in the output's layout; oneDNN wants NCHW dimensions.
        memory::dims logical =
            last ? memory::dims{stored[0], stored[3], stored[1], stored[2]}
                 : stored;
        return memory::desc(logical, dt::f32, act);
      });
  // The weights take the layout the primitive prefers: constant ones are
  // reordered once (PackedWeights), others on each call.
  memory::desc weightsAny(plan->userWeights.dims(), weightType, tag::any);
  if (plan->integer) {
    makeInteger(*plan, weightsAny);
    return plan;
  }
  dnnl::convolution_forward::desc cd =
      convDesc(*plan, dnnl::algorithm::convolution_direct, plan->src, weightsAny,
               plan->dst);
  dnnl::primitive_attr attr = userScratchpad();
  // The compiler asks for Winograd only with a constant filter and unary
  // epilogue steps (kiln_lib.conv2d's verifier); they are fused. With sizes
  // known only at run time it leaves too small an output to direct.
  int64_t pixels = d[abi::kConvN] * d[abi::kConvP] * d[abi::kConvQ];
  if (d[abi::kConvAlgorithm] == abi::kConvWinograd &&
      pixels >= d[abi::kConvWinogradMinPixels] && plan->constantWeights &&
      plan->epilogue.binaryCount() == 0) {
    dnnl::primitive_attr fused = userScratchpad(); // not a copy: a handle
    fused.set_post_ops(postOpsOf(plan->epilogue.steps));
    if (makeWinograd(*plan, fused))
      return plan;
  }
  plan->epilogue.sumFirst = Epilogue::canSumFirst(plan->epilogue.steps, plan->dst);
  attr.set_post_ops(postOpsOf(plan->epilogue.steps, plan->epilogue.sumFirst));
  auto pd = withEpilogue<dnnl::convolution_forward::primitive_desc>(
      [&](const dnnl::primitive_attr &a) {
        return dnnl::convolution_forward::primitive_desc(cd, a, cpuEngine());
      },
      attr, userScratchpad(), plan->epilogue, plan->dst);
  plan->scratch = pd.scratchpad_desc();
  plan->weights = pd.weights_desc();
  plan->primitive = dnnl::convolution_forward(pd);
  reorderRuntimeWeights(*plan);
  return plan;
}

void runConv(ConvPlan &plan, void **buffers) {
  void *x = buffers[0], *w = buffers[1], *b = buffers[2], *zp = buffers[3];
  void *const *post = buffers + 4;
  void *y = buffers[4 + plan.epilogue.binaryCount()];
  void *weights = w;
  if (plan.weights != plan.userWeights) {
    if (plan.constantWeights) {
      weights = plan.packed.get(plan.userWeights, plan.weights, w)
                    .get_data_handle();
    } else {
      weights = threadBuffer(kWeights, plan.weights.get_size());
      Args::of(&plan, kToWeights)
          .bind(DNNL_ARG_FROM, plan.userWeights, w)
          .bind(DNNL_ARG_TO, plan.weights, weights)
          .execute(plan.toWeights, plan.toWeightsScratch);
    }
  }
  Args &args = Args::of(&plan, kMain);
  args.bind(DNNL_ARG_WEIGHTS, plan.weights, weights);
  if (plan.hasBias)
    args.bind(DNNL_ARG_BIAS, plan.bias, b);
  if (plan.zeroPoint)
    args.bind(DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC, plan.zeroPointDesc, zp);
  if (plan.blocked) {
    void *src = threadBuffer(kBlockedSrc, plan.blockedSrc.get_size());
    void *dst = threadBuffer(kBlockedDst, plan.blockedDst.get_size());
    Args::of(&plan, kToBlocked)
        .bind(DNNL_ARG_FROM, plan.src, x)
        .bind(DNNL_ARG_TO, plan.blockedSrc, src)
        .execute(plan.toBlocked, plan.toBlockedScratch);
    args.bind(DNNL_ARG_SRC, plan.blockedSrc, src)
        .bind(DNNL_ARG_DST, plan.blockedDst, dst)
        .execute(plan.primitive, plan.scratch);
    Args::of(&plan, kFromBlocked)
        .bind(DNNL_ARG_FROM, plan.blockedDst, dst)
        .bind(DNNL_ARG_TO, plan.dst, y)
        .execute(plan.fromBlocked, plan.fromBlockedScratch);
    threadStream().wait();
    return;
  }
  args.bind(DNNL_ARG_SRC, plan.src, x).bind(DNNL_ARG_DST, plan.dst, y);
  plan.epilogue.run(&plan, plan.primitive, args, plan.scratch, plan.dst, y,
                    post);
}

//===----------------------------------------------------------------------===//
// Matrix product
//===----------------------------------------------------------------------===//

struct MatmulPlan {
  dnnl::matmul primitive;
  memory::desc scratch;
  memory::desc lhs, userRhs, rhs, dst;
  bool constantWeights = false;
  Epilogue epilogue;
  PackedWeights packed;
};

/// Row-major strides of `dims`.
memory::dims rowMajor(const memory::dims &dims) {
  memory::dims strides(dims.size());
  int64_t s = 1;
  for (size_t i = dims.size(); i-- > 0;) {
    strides[i] = s;
    s *= dims[i];
  }
  return strides;
}

/// The logical desc of a stored row-major operand, transposed in its last
/// two dimensions when `trans`.
memory::desc operandDesc(memory::dims stored, bool trans, dt type) {
  memory::dims strides = rowMajor(stored);
  size_t r = stored.size();
  if (trans) {
    std::swap(stored[r - 1], stored[r - 2]);
    std::swap(strides[r - 1], strides[r - 2]);
  }
  return memory::desc(stored, type, strides);
}

/// Folds the leading dimensions into the rows when only the lhs has them
/// (one large product instead of a batch of small ones): the rhs is shared,
/// the lhs not transposed, and each binary operand either has all of them or
/// none.
bool foldBatchIntoRows(const memory::dims &rhs, bool transA,
                       const std::vector<memory::dims> &operands,
                       const memory::dims &out) {
  size_t r = out.size();
  if (r <= 2 || transA)
    return false;
  for (size_t i = 0; i + 2 < r; ++i)
    if (rhs[i] != 1)
      return false;
  for (const memory::dims &o : operands) {
    bool all = true, none = true;
    for (size_t i = 0; i + 1 < r; ++i) {
      all = all && o[i] == out[i];
      none = none && o[i] == 1;
    }
    if (!all && !none)
      return false;
  }
  return true;
}

memory::dims foldRows(const memory::dims &d) {
  int64_t rows = 1;
  for (size_t i = 0; i + 1 < d.size(); ++i)
    rows *= d[i];
  return {rows, d.back()};
}

std::unique_ptr<MatmulPlan> makeMatmulPlan(const int64_t *d) {
  auto plan = std::make_unique<MatmulPlan>();
  size_t r = d[abi::kMmRank];
  const int64_t *dims = d + abi::kMmDims;
  memory::dims a(dims, dims + r), b(dims + r, dims + 2 * r),
      out(dims + 2 * r, dims + 3 * r);
  bool transA = d[abi::kMmTransA], transB = d[abi::kMmTransB];
  plan->constantWeights = d[abi::kMmConstantWeights];
  std::vector<memory::dims> operandDims;
  std::vector<Step> steps =
      readEpilogue(d, abi::kMmDims + 3 * r, r, [&](memory::dims stored) {
        operandDims.push_back(stored);
        return memory::desc(stored, dt::f32, rowMajor(stored));
      });
  if (foldBatchIntoRows(b, transA, operandDims, out)) {
    a = foldRows(a);
    out = foldRows(out);
    b = memory::dims(b.end() - 2, b.end());
    size_t next = 0;
    for (Step &s : steps)
      if (s.kind >= abi::kFirstBinary) {
        memory::dims o = foldRows(operandDims[next++]);
        s.operand = memory::desc(o, dt::f32, rowMajor(o));
      }
  }
  plan->epilogue.steps = std::move(steps);
  // An integer product: u8 x s8 -> s32 (VNNI or AMX kernels here).
  bool integer = d[abi::kMmInteger];
  dt rhsType = integer ? dt::s8 : dt::f32;
  plan->lhs = operandDesc(a, transA, integer ? dt::u8 : dt::f32);
  plan->userRhs = operandDesc(b, transB, rhsType);
  plan->dst = memory::desc(out, integer ? dt::s32 : dt::f32, rowMajor(out));
  memory::desc rhsAny(plan->userRhs.dims(), rhsType, tag::any);
  dnnl::matmul::desc md(plan->lhs,
                        plan->constantWeights ? rhsAny : plan->userRhs,
                        plan->dst);
  // Two attribute objects: a copied dnnl::primitive_attr is a handle to
  // the same attributes, so post-ops set on a copy would be set on both.
  float alpha = float(fromBits(d[abi::kMmAlphaBits]));
  auto makeAttr = [&] {
    dnnl::primitive_attr a = userScratchpad();
    if (alpha != 1.f)
      a.set_output_scales(0, {alpha});
    return a;
  };
  dnnl::primitive_attr attr = makeAttr(), fusedAttr = makeAttr();
  fusedAttr.set_post_ops(postOpsOf(plan->epilogue.steps));
  auto pd = withEpilogue<dnnl::matmul::primitive_desc>(
      [&](const dnnl::primitive_attr &a) {
        return dnnl::matmul::primitive_desc(md, a, cpuEngine());
      },
      fusedAttr, attr, plan->epilogue, plan->dst);
  plan->scratch = pd.scratchpad_desc();
  plan->rhs = pd.weights_desc();
  plan->primitive = dnnl::matmul(pd);
  return plan;
}

void runMatmul(MatmulPlan &plan, void **buffers) {
  void *const *post = buffers + 2;
  void *c = buffers[2 + plan.epilogue.binaryCount()];
  void *rhs = plan.rhs == plan.userRhs
                  ? buffers[1]
                  : plan.packed.get(plan.userRhs, plan.rhs, buffers[1])
                        .get_data_handle();
  Args &args = Args::of(&plan, kMain);
  args.bind(DNNL_ARG_SRC, plan.lhs, buffers[0])
      .bind(DNNL_ARG_WEIGHTS, plan.rhs, rhs)
      .bind(DNNL_ARG_DST, plan.dst, c);
  plan.epilogue.run(&plan, plan.primitive, args, plan.scratch, plan.dst, c,
                    post);
}

//===----------------------------------------------------------------------===//
// Plans by descriptor, and the entry points
//===----------------------------------------------------------------------===//

/// A descriptor's contents, compared with a stored key without copying it.
struct DescriptorView {
  const int64_t *begin, *end;
};

/// Orders stored keys and views of descriptors alike (lexicographically),
/// so that a lookup by contents allocates nothing.
struct DescriptorLess {
  using is_transparent = void;
  static DescriptorView view(const std::vector<int64_t> &v) {
    return {v.data(), v.data() + v.size()};
  }
  static DescriptorView view(DescriptorView v) { return v; }
  template <typename A, typename B> bool operator()(const A &a, const B &b) const {
    DescriptorView x = view(a), y = view(b);
    return std::lexicographical_compare(x.begin, x.end, y.begin, y.end);
  }
};

/// Plans by descriptor contents. A call site's descriptor keeps its
/// address, so each call first looks the address up and checks that the
/// contents still match: an artifact loaded after another was unloaded may
/// reuse an address for a different op, and descriptors with sizes known
/// at run time live on the stack, where two functions' may share one. A
/// mismatch looks the contents up (no copy); only a new plan allocates.
template <typename Plan> struct PlanCache {
  using Plans =
      std::map<std::vector<int64_t>, std::unique_ptr<Plan>, DescriptorLess>;
  std::mutex mutex;
  Plans plans;
  std::unordered_map<const int64_t *, typename Plans::iterator> byAddress;

  template <typename Make> Plan &get(const int64_t *desc, Make make) {
    std::lock_guard<std::mutex> lock(mutex);
    DescriptorView contents{desc, desc + desc[0]};
    auto seen = byAddress.find(desc);
    if (seen != byAddress.end() &&
        std::equal(seen->second->first.begin(), seen->second->first.end(),
                   contents.begin, contents.end))
      return *seen->second->second;
    auto it = plans.find(contents);
    if (it == plans.end())
      it = plans.emplace(std::vector<int64_t>(contents.begin, contents.end),
                         make(desc)).first;
    if (seen != byAddress.end())
      seen->second = it;
    else
      byAddress.emplace(desc, it);
    return *it->second;
  }
};

thread_local std::string failure;

/// Runs `body`; a oneDNN or other error ends the run with its message
/// (after every local of `body` is gone, as failRun does not return).
template <typename Body> void guarded(const char *what, Body body) {
  try {
    body();
    return;
  } catch (const dnnl::error &e) {
    failure = std::string(what) + ": oneDNN: " + e.what();
  } catch (const std::exception &e) {
    failure = std::string(what) + ": " + e.what();
  }
  failRun(failure.c_str());
}

void conv2d(void *, const int64_t *desc, void **buffers) {
  static PlanCache<ConvPlan> cache;
  guarded("convolution", [&] {
    runConv(cache.get(desc, makeConvPlan), buffers);
  });
}

/// oneDNN 2.6 divides by zero making a matmul with an empty dimension
/// (SIGFPE), and sizes given at run time may be 0: an empty output has
/// nothing to compute, and a contraction over 0 elements (every output
/// element epilogue(0)) is computed as one over 1 element of zeros.
/// Returns the descriptor to run (`local` when changed, with `buffers[0]`
/// and `buffers[1]` then pointing into `zeros`), or null when there is
/// nothing to do.
const int64_t *withoutEmptyDimensions(const int64_t *d, std::vector<int64_t> &local,
                                      std::vector<float> &zeros, void **buffers) {
  int64_t rank = d[abi::kMmRank];
  const int64_t *lhs = d + abi::kMmDims, *out = lhs + 2 * rank;
  for (int64_t i = 0; i < rank; ++i)
    if (out[i] == 0)
      return nullptr;
  int64_t depthAt = d[abi::kMmTransA] ? rank - 2 : rank - 1;
  if (lhs[depthAt] != 0)
    return d;
  local.assign(d, d + d[0]);
  int64_t *l = local.data() + abi::kMmDims, *r = l + rank;
  l[depthAt] = 1;
  r[d[abi::kMmTransB] ? rank - 1 : rank - 2] = 1;
  int64_t lhsCount = 1, rhsCount = 1;
  for (int64_t i = 0; i < rank; ++i) {
    lhsCount *= l[i];
    rhsCount *= r[i];
  }
  // One float per element is room for every element type (f32, u8, s8), and
  // zero bytes read as 0 in each.
  zeros.assign(size_t(lhsCount + rhsCount), 0.f);
  buffers[0] = zeros.data();
  buffers[1] = zeros.data() + lhsCount;
  return local.data();
}

void matmul(void *, const int64_t *desc, void **buffers) {
  static PlanCache<MatmulPlan> cache;
  std::vector<int64_t> local;
  std::vector<float> zeros;
  desc = withoutEmptyDimensions(desc, local, zeros, buffers);
  if (!desc)
    return;
  guarded("matrix product", [&] {
    runMatmul(cache.get(desc, makeMatmulPlan), buffers);
  });
}

} // namespace

void fillLibraryTable(void **table) {
  table[abi::kSlotConv2d] = reinterpret_cast<void *>(&conv2d);
  table[abi::kSlotMatmul] = reinterpret_cast<void *>(&matmul);
}

} // namespace kiln::cpu
