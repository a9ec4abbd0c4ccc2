//===- EmulateLaunches.cpp - gpu.launch as host loops (testing) -----------===//
//
// Lets the code that kiln-cuda-map-to-gpu produces run on the CPU, so that
// the mapping (linearised iteration spaces, bounds guards, grouped
// sequential work, device checks) is checked numerically against the node
// tests and models on machines without a GPU:
//
//   gpu.launch blocks(%bx,%by,%bz) in (%gx,%gy,%gz)
//              threads(%tx,%ty,%tz) in (%sx,%sy,%sz) { body }
//   ->
//   scf.for %bz, %by, %bx, %tz, %ty, %tx { body }
//
// and each device-check store `kiln_cuda_check_flag[0] = i + 1` back into
// `cf.assert false, <message i>`. The host copies of the CPU fallback
// (gpu.alloc host_shared, gpu.memcpy, gpu.dealloc) become separate host
// buffers and real copies, so that a copy the mapping forgot shows as a
// wrong result.
//
//===----------------------------------------------------------------------===//
#include "backends/cuda/Passes.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/IR/IRMapping.h"

namespace kiln {
#define GEN_PASS_DEF_EMULATELAUNCHES
#include "backends/cuda/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln::cuda {
namespace {

struct EmulateLaunchesPass
    : kiln::impl::EmulateLaunchesBase<EmulateLaunchesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::LaunchOp> launches;
    module.walk([&](gpu::LaunchOp op) { launches.push_back(op); });
    for (gpu::LaunchOp launch : launches) {
      if (!launch.getAsyncDependencies().empty() ||
          launch.getDynamicSharedMemorySize() ||
          !launch.getWorkgroupAttributions().empty() ||
          !launch.getPrivateAttributions().empty()) {
        launch.emitError("cannot emulate async launches or launches with "
                         "memory attributions");
        return signalPassFailure();
      }
      OpBuilder b(launch);
      Location loc = launch.getLoc();
      Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
      Value c1 = arith::ConstantIndexOp::create(b, loc, 1);
      gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
      gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
      IRMapping map;
      gpu::KernelDim3 gridArgs = launch.getGridSize();
      gpu::KernelDim3 blockArgs = launch.getBlockSize();
      map.map(gridArgs.x, grid.x);
      map.map(gridArgs.y, grid.y);
      map.map(gridArgs.z, grid.z);
      map.map(blockArgs.x, block.x);
      map.map(blockArgs.y, block.y);
      map.map(blockArgs.z, block.z);
      gpu::KernelDim3 bids = launch.getBlockIds();
      gpu::KernelDim3 tids = launch.getThreadIds();
      // Outermost first: blocks z, y, x, then threads z, y, x.
      std::pair<Value, Value> loops[] = {
          {bids.z, grid.z},  {bids.y, grid.y},  {bids.x, grid.x},
          {tids.z, block.z}, {tids.y, block.y}, {tids.x, block.x}};
      for (auto [iv, bound] : loops) {
        auto loop = scf::ForOp::create(b, loc, c0, bound, c1);
        map.map(iv, loop.getInductionVar());
        b.setInsertionPointToStart(loop.getBody());
      }
      for (Operation &op : launch.getBody().front().without_terminator())
        b.clone(op, map);
      launch.erase();
    }

    // Device checks back to assertions.
    auto checks = module->getAttrOfType<ArrayAttr>("kiln_cuda.checks");
    SmallVector<memref::StoreOp> stores;
    module.walk([&](memref::StoreOp store) {
      auto g = store.getMemref().getDefiningOp<memref::GetGlobalOp>();
      if (g && g.getName() == "kiln_cuda_check_flag")
        stores.push_back(store);
    });
    for (memref::StoreOp store : stores) {
      auto id = getConstantIntValue(store.getValue());
      if (!checks || !id || *id < 1 || *id > int64_t(checks.size())) {
        store.emitError("device check without a message");
        return signalPassFailure();
      }
      OpBuilder b(store);
      Value no = arith::ConstantIntOp::create(b, store.getLoc(), 0, 1);
      cf::AssertOp::create(b, store.getLoc(), no,
                           cast<StringAttr>(checks[*id - 1]).getValue());
      store.erase();
    }
    lowerHostCopies(module);
    module->removeAttr(gpu::GPUDialect::getContainerModuleAttrName());
  }

  /// Host buffers and the copies between them and device buffers, as the
  /// CPU runs them: allocations and copies of memory.
  static void lowerHostCopies(ModuleOp module) {
    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (isa<gpu::AllocOp, gpu::MemcpyOp, gpu::DeallocOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      OpBuilder b(op);
      if (auto alloc = dyn_cast<gpu::AllocOp>(op)) {
        Value m = memref::AllocOp::create(b, op->getLoc(), alloc.getType(),
                                          alloc.getDynamicSizes());
        alloc.getMemref().replaceAllUsesWith(m);
      } else if (auto copy = dyn_cast<gpu::MemcpyOp>(op)) {
        memref::CopyOp::create(b, op->getLoc(), copy.getSrc(), copy.getDst());
      } else {
        memref::DeallocOp::create(b, op->getLoc(),
                                  cast<gpu::DeallocOp>(op).getMemref());
      }
      op->erase();
    }
  }
};

} // namespace
} // namespace kiln::cuda
