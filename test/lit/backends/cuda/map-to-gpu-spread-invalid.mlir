// A negative multiprocessor count is one clear error.
// RUN: kiln-opt %s --kiln-cuda-map-to-gpu='multiprocessors=-1' -verify-diagnostics

// expected-error @below {{multiprocessors must not be negative}}
module {
  func.func @f() {
    return
  }
}
