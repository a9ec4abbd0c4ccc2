// Launches must all target the one kernel module the runtime loads.
// RUN: kiln-opt %s --kiln-cuda-host-to-llvm --verify-diagnostics

module attributes {gpu.container_module} {
  gpu.module @kiln_kernels {
    gpu.func @k0() kernel {
      gpu.return
    }
  }
  gpu.module @other {
    gpu.func @k1() kernel {
      gpu.return
    }
  }
  func.func @f() {
    %c1 = arith.constant 1 : index
    gpu.launch_func @kiln_kernels::@k0 blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    // expected-error @+1 {{kernels must all be in one module}}
    gpu.launch_func @other::@k1 blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    return
  }
}
