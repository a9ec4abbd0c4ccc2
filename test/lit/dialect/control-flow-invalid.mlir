// kiln.if and kiln.loop reject yields, block arguments and results that
// disagree.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

func.func @if_rank(%c: tensor<i1>, %a: tensor<2xf32>, %b: tensor<2x1xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{else branch yields #0: 'tensor<2x1xf32>' is not compatible with 'tensor<2xf32>'}}
  %r = kiln.if %c : tensor<i1> -> (tensor<2xf32>) {
    kiln.yield %a : tensor<2xf32>
  } else {
    kiln.yield %b : tensor<2x1xf32>
  }
  return %r : tensor<2xf32>
}

// -----

func.func @if_count(%c: tensor<i1>, %a: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{then branch yields: 2 values for 1}}
  %r = kiln.if %c : tensor<i1> -> (tensor<2xf32>) {
    kiln.yield %a, %a : tensor<2xf32>, tensor<2xf32>
  } else {
    kiln.yield %a : tensor<2xf32>
  }
  return %r : tensor<2xf32>
}

// -----

func.func @if_cond(%c: tensor<1xi1>, %a: tensor<2xf32>) {
  // expected-error @+1 {{operand #0 must be 0D tensor of 1-bit signless integer values}}
  %r = kiln.if %c : tensor<1xi1> -> (tensor<2xf32>) {
    kiln.yield %a : tensor<2xf32>
  } else {
    kiln.yield %a : tensor<2xf32>
  }
  return
}

// -----

func.func @loop_args(%y: tensor<1xf32>) {
  // expected-error @+1 {{body takes 2 arguments; expected the iteration number, the condition and 1 loop-carried values}}
  %r = kiln.loop inits(%y : tensor<1xf32>) -> (tensor<1xf32>) {
  ^bb0(%i: tensor<si64>, %ci: tensor<i1>):
    kiln.yield %ci, %y : tensor<i1>, tensor<1xf32>
  }
  return
}

// -----

func.func @loop_iter_type(%y: tensor<1xf32>) {
  // expected-error @+1 {{body arguments 0 and 1 must be 'tensor<si64>' and 'tensor<i1>'}}
  %r = kiln.loop inits(%y : tensor<1xf32>) -> (tensor<1xf32>) {
  ^bb0(%i: tensor<si32>, %ci: tensor<i1>, %v: tensor<1xf32>):
    kiln.yield %ci, %v : tensor<i1>, tensor<1xf32>
  }
  return
}

// -----

func.func @loop_carried(%y: tensor<1xf32>, %z: tensor<2xf32>) {
  // expected-error @+1 {{body yields loop-carried value #0: 'tensor<2xf32>' is not compatible with 'tensor<1xf32>'}}
  %r = kiln.loop inits(%y : tensor<1xf32>) -> (tensor<1xf32>) {
  ^bb0(%i: tensor<si64>, %ci: tensor<i1>, %v: tensor<1xf32>):
    kiln.yield %ci, %z : tensor<i1>, tensor<2xf32>
  }
  return
}

// -----

func.func @loop_yield_count(%y: tensor<1xf32>) {
  // expected-error @+1 {{body yields 1 values; expected the condition and 1 more}}
  %r = kiln.loop inits(%y : tensor<1xf32>) -> (tensor<1xf32>) {
  ^bb0(%i: tensor<si64>, %ci: tensor<i1>, %v: tensor<1xf32>):
    kiln.yield %ci : tensor<i1>
  }
  return
}

// -----

func.func @loop_scan(%y: tensor<1xf32>) {
  // expected-error @+1 {{scan output #0 of type 'tensor<?x2xf32>' does not stack elements of type 'tensor<1xf32>'}}
  %r:2 = kiln.loop inits(%y : tensor<1xf32>) -> (tensor<1xf32>, tensor<?x2xf32>) {
  ^bb0(%i: tensor<si64>, %ci: tensor<i1>, %v: tensor<1xf32>):
    kiln.yield %ci, %v, %v : tensor<i1>, tensor<1xf32>, tensor<1xf32>
  }
  return
}

// -----

func.func @loop_cond_type(%y: tensor<1xf32>, %f: tensor<f32>) {
  // expected-error @+1 {{body must yield the condition as 'tensor<i1>'}}
  %r = kiln.loop inits(%y : tensor<1xf32>) -> (tensor<1xf32>) {
  ^bb0(%i: tensor<si64>, %ci: tensor<i1>, %v: tensor<1xf32>):
    kiln.yield %f, %v : tensor<f32>, tensor<1xf32>
  }
  return
}

// -----

func.func @yield_parent(%y: tensor<1xf32>) {
  // expected-error @+1 {{expects parent op to be one of 'kiln.fused, kiln.if, kiln.loop'}}
  kiln.yield %y : tensor<1xf32>
}
