//===- CostModel.cpp - which CPU path runs a kernel, and how fast ---------===//
#include "backends/cpu/CostModel.h"
#include "backends/cpu/LibraryEpilogue.h"
#include "backends/cpu/PackedGemm.h"
#include "backends/cpu/SelectIntegerProducts.h"
#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/OpClasses.h"

#include "mlir/IR/BuiltinTypes.h"

#include <algorithm>

using namespace mlir;

namespace kiln::cpu {

static double bytesOf(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t || !t.hasStaticShape())
    return 0;
  return double(t.getNumElements()) *
         std::max<unsigned>(8, t.getElementTypeBitWidth()) / 8;
}

KernelEstimate CpuCostModel::estimate(Operation *op, CpuPath path,
                                      bool winograd) const {
  KernelEstimate e{path};
  e.flops = double(estimateFlops(op));
  bool library = path == CpuPath::Library;
  // The library reads an integer product's factors as 8-bit values.
  bool int8 = library && integerLibraryCanRun(op);
  // Gathers and slices read of their data operand only what they return
  // (BERT's word embedding: 128 rows of a 94 MB table).
  bool readsPart = isa<GatherOp, GatherElementsOp, GatherNDOp, SliceOp>(op);
  for (Value v : op->getOperands()) {
    double bytes = bytesOf(v.getType()) / (int8 ? 4 : 1);
    if (readsPart && v == op->getOperand(0))
      bytes = std::min(bytes, double(bytesOf(op->getResult(0).getType())));
    e.bytes += bytes;
  }
  for (Value v : op->getResults())
    e.bytes += bytesOf(v.getType());
  int matvecThreads = library ? 0 : matrixVectorThreads(op, threads);
  // The share of the machine's bandwidth the kernel's threads draw on.
  double share = 1;
  double gflops = threads * libraryGflopsPerThread;
  if (!library) {
    if (matvecThreads) {
      gflops = matvecThreads * matvecGflopsPerThread;
      share = double(matvecThreads) / threads;
    } else {
      gflops = threads * (packedGemmApplies(op) ? packedGemmGflopsPerThread
                                                : codegenGflopsPerThread);
    }
  }
  if (int8)
    gflops *= libraryInt8Speedup;
  double computeMs = e.flops / (gflops * 1e6);
  if (library && winograd)
    computeMs /= winogradSpeedup;
  double memoryMs =
      e.bytes / ((e.bytes <= cacheBytes ? cacheBandwidthGBs : bandwidthGBs) *
                 share * 1e6);
  e.milliseconds = (library ? libraryCallUs : codegenCallUs) / 1e3 +
                   std::max(computeMs, memoryMs);
  return e;
}

KernelEstimate CpuCostModel::choose(Operation *op, bool canRun) const {
  KernelEstimate codegen = estimate(op, CpuPath::Codegen);
  if (!canRun)
    return codegen;
  KernelEstimate library = estimate(op, CpuPath::Library);
  // oneDNN's int8 kernels (VNNI, AMX) against generated 32-bit loops:
  // 128x768x768 in 0.09 ms against 5.3.
  if (integerLibraryCanRun(op))
    return library;
  // A one-row product in the axpy form, large enough for column blocks,
  // with a constant matrix: oneDNN reads the matrix repacked once for its
  // matrix-vector kernel, which beats the generated column blocks on the
  // same bytes although the roofline cannot tell them apart (4096x4096 at
  // 2 threads: 1.62 against 2.0 ms; 1024x1024: 0.09 against 0.12). With a
  // matrix given at run time oneDNN reads the plain layout and the blocks
  // win (4096x4096: 2.0 against 4.4 ms).
  if (constantAxpyMatrix(op))
    return library;
  // A product or convolution with a size known only at run time: its
  // generated code would be plain loops (the packed GEMM takes static
  // shapes), several times slower than oneDNN at any size worth a call
  // (generated against oneDNN: the BERT-like encoder with dynamic batch and
  // sequence at 1x128, 531 against 119 ms; ResNet-18 with a dynamic batch
  // at batch 1, 357 against 19.5). Its estimates have no bytes or FLOPs to
  // compare.
  auto dynamic = [](Type t) {
    auto ranked = dyn_cast<RankedTensorType>(t);
    return ranked && !ranked.hasStaticShape();
  };
  if (isa<MatMulOp, GemmOp, ConvOp>(op) &&
      (llvm::any_of(op->getOperandTypes(), dynamic) ||
       llvm::any_of(op->getResultTypes(), dynamic)))
    return library;
  return library.milliseconds < codegen.milliseconds ? library : codegen;
}

namespace {

/// A product's shape as its loops see it: rows x cols x depth per batch
/// index, and whether the right operand is one shared 2-D matrix read along
/// its depth (Gemm with transB: each output is a dot product over
/// contiguous memory).
struct ProductShape {
  int64_t rows = 0, cols = 0, depth = 0;
  bool sharedRhs = false, rhsAlongDepth = false;
};

std::optional<ProductShape> productShape(Operation *op) {
  if (auto ct = dyn_cast<ConvTransposeOp>(op)) {
    // Lowered as one product per group (LowerConvTranspose.cpp): rows are
    // the weights' M/group x K..., columns batch x input positions, depth
    // the group's input channels.
    auto in = dyn_cast<RankedTensorType>(ct.getInput().getType());
    auto w = dyn_cast<RankedTensorType>(ct.getWeight().getType());
    if (!in || !w || !in.hasStaticShape() || !w.hasStaticShape() ||
        !in.getElementType().isF32() || !w.getElementType().isF32())
      return std::nullopt;
    ProductShape p;
    p.depth = w.getDimSize(0) / ct.getGroup();
    p.rows = w.getNumElements() / w.getDimSize(0);
    p.cols = in.getNumElements() / in.getDimSize(1);
    return p;
  }
  if (!isa<MatMulOp, GemmOp>(op))
    return std::nullopt;
  auto lhs = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
  auto rhs = dyn_cast<RankedTensorType>(op->getOperand(1).getType());
  auto out = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!lhs || !rhs || !out || !lhs.hasStaticShape() || !rhs.hasStaticShape() ||
      !out.hasStaticShape() || out.getRank() < 2 ||
      !lhs.getElementType().isF32() || !rhs.getElementType().isF32() ||
      !out.getElementType().isF32())
    return std::nullopt;
  ProductShape p;
  ArrayRef<int64_t> shape = out.getShape();
  p.cols = shape.back();
  p.rows = shape[shape.size() - 2];
  p.sharedRhs = rhs.getRank() == 2;
  // A 2-D right operand shares one panel: every leading dimension of the
  // output is a row of the product.
  if (p.sharedRhs)
    for (int64_t d : shape.drop_back(2))
      p.rows *= d;
  if (auto gemm = dyn_cast<GemmOp>(op)) {
    p.depth = gemm.getTransA() ? lhs.getDimSize(0) : lhs.getDimSize(1);
    p.rhsAlongDepth = gemm.getTransB();
  } else {
    p.depth = lhs.getShape().back();
  }
  return p;
}

} // namespace

bool packedGemmApplies(Operation *op) {
  std::optional<ProductShape> p = productShape(op);
  return p && kPackedGemm.applies(p->rows, p->cols, p->depth);
}

int matrixVectorThreads(Operation *op, int threads) {
  std::optional<ProductShape> p = productShape(op);
  if (!p || !p->sharedRhs || p->rows >= kPackedGemm.mr ||
      kPackedGemm.applies(p->rows, p->cols, p->depth))
    return 0;
  // The outermost parallel loop runs over rows; with one row, a product
  // read along its depth keeps the columns in that loop (dot products),
  // while the other form has its reduction outside the columns (axpy, see
  // kiln-order-loops), which splits them into blocks for the threads where
  // axpyColumnBlock allows, and runs on one thread otherwise.
  if (p->rows > 1)
    return int(std::min<int64_t>(threads, p->rows));
  return p->rhsAlongDepth || axpyColumnBlock(p->cols, p->depth) ? threads : 1;
}

bool constantAxpyMatrix(Operation *op) {
  std::optional<ProductShape> p = productShape(op);
  if (!p || p->rows != 1 || !p->sharedRhs || p->rhsAlongDepth ||
      !axpyColumnBlock(p->cols, p->depth))
    return false;
  return outsideKernel(op->getOperand(1)).getDefiningOp<ConstantOp>() !=
         nullptr;
}

Value outsideKernel(Value v) {
  if (auto arg = dyn_cast_or_null<BlockArgument>(v))
    if (auto fused = dyn_cast_or_null<FusedOp>(arg.getOwner()->getParentOp()))
      return fused.getInputs()[arg.getArgNumber()];
  return v;
}

int64_t axpyColumnBlock(int64_t cols, int64_t depth) {
  if (cols <= 0 || depth <= 0 || cols * depth < (int64_t(1) << 18))
    return 0;
  // Large blocks stream long runs of each matrix row (short ones touch a
  // new page every few hundred bytes): 4096 columns by 4096 at 2 threads,
  // 2.5-2.7 ms in blocks of 256, 1.9-2.1 in blocks of 1024 or 2048. At
  // least 4 blocks where the columns allow, for more than 2 threads.
  for (int64_t least : {4, 2})
    for (int64_t block : {2048, 1024, 512, 256, 128, 64})
      if (cols % block == 0 && cols / block >= least)
        return block;
  return 0;
}

bool CpuCostModel::winogradApplies(Operation *op, bool constantWeights,
                                   bool binaryEpilogue) const {
  auto conv = dyn_cast<ConvOp>(op);
  if (!winograd || !conv || !constantWeights || binaryEpilogue ||
      conv.getGroup() != 1)
    return false;
  // With sizes known only at run time the pixels are counted then
  // (kiln_lib.conv2d's winograd_min_pixels).
  auto out = dyn_cast<RankedTensorType>(conv.getType());
  if (!out || !out.getElementType().isF32() || out.getRank() != 4 ||
      (out.hasStaticShape() &&
       out.getNumElements() / out.getDimSize(conv.getChannelsLast() ? 3 : 1) <
           winogradMinPixels))
    return false;
  auto w = dyn_cast<RankedTensorType>(conv.getWeight().getType());
  if (!w || !w.hasStaticShape() || w.getRank() != 4 || w.getDimSize(2) != 3 ||
      w.getDimSize(3) != 3 || w.getDimSize(0) % 16 != 0 ||
      w.getDimSize(1) % 16 != 0 || w.getDimSize(0) < winogradMinOutputChannels)
    return false;
  auto ones = [](ArrayRef<int64_t> v) {
    return llvm::all_of(v, [](int64_t x) { return x == 1; });
  };
  return ones(conv.getStrides()) && ones(conv.getDilations());
}

const char *pathName(CpuPath path) {
  return path == CpuPath::Library ? "onednn" : "codegen";
}

} // namespace kiln::cpu
