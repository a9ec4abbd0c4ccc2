//===- KilnSignalOps.td - spectral ops (DFT, STFT, mel filters) -*- tablegen -*-===//
//
// Complex numbers are ONNX's: a trailing dimension of 2 holding the real and
// imaginary parts (1 for a real signal).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_SIGNAL_OPS_TD
#define KILN_SIGNAL_OPS_TD

include "dialects/kiln/KilnBase.td"

def Kiln_DftOp : Kiln_Op<"dft", [Pure, Kiln_InferTypes]> {
  let summary = "discrete Fourier transform along one axis";
  let description = [{
    `input` is [..., N, ..., C] with C = 1 (real) or 2 (complex) and the
    signal along `axis` (not the last dimension). The transform has
    `length` points (N when absent): a shorter signal is zero-padded, a
    longer one truncated. `inverse` uses exp(+2 pi i k n / L) and scales by
    1 / L; `onesided` keeps the first floor(L / 2) + 1 frequencies. The
    result is complex ([..., K, ..., 2]).
  }];
  let arguments = (ins Kiln_FloatTensor:$input, I64Attr:$axis,
                       OptionalAttr<I64Attr>:$length,
                       DefaultValuedAttr<BoolAttr, "false">:$inverse,
                       DefaultValuedAttr<BoolAttr, "false">:$onesided);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Kiln_StftOp : Kiln_Op<"stft", [Pure, Kiln_InferTypes]> {
  let summary = "short-time Fourier transform of [B, S, C] signals";
  let description = [{
    Frames of `window`'s length L start every `frame_step` (a scalar, maybe
    known only at run time) samples; each frame, multiplied by the window,
    gets an L-point DFT. The result is [B, (S - L) / step + 1, K, 2] with
    K = floor(L / 2) + 1 when `onesided`, else L. The importer makes the
    rectangular window when ONNX gives only a frame length.
  }];
  let arguments = (ins Kiln_FloatTensor:$signal, Kiln_IndexTensor:$frame_step,
                       Kiln_FloatTensor:$window,
                       DefaultValuedAttr<BoolAttr, "true">:$onesided);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $signal `,` $frame_step `,` $window attr-dict `:`
    functional-type(operands, results)
  }];
}

def Kiln_MelWeightMatrixOp : Kiln_Op<"mel_weight_matrix",
                                     [Pure, Kiln_InferTypes]> {
  let summary = "triangular mel filter bank [dft_length / 2 + 1, num_mel_bins]";
  let description = [{
    ONNX MelWeightMatrix: num_mel_bins + 2 points evenly spaced on the mel
    scale between the edge frequencies are mapped to DFT bins
    (floor((dft_length + 1) * hz / sample_rate)); filter i rises from bin
    point i to point i + 1 and falls to point i + 2. Scalar operands, which
    may be known only at run time; the result element type is
    `output_type`.
  }];
  let arguments = (ins Kiln_IndexTensor:$num_mel_bins,
                       Kiln_IndexTensor:$dft_length,
                       Kiln_IndexTensor:$sample_rate,
                       Kiln_FloatTensor:$lower_edge_hertz,
                       Kiln_FloatTensor:$upper_edge_hertz,
                       TypeAttr:$output_type);
  let results = (outs Kiln_NumericTensor:$output);
  let assemblyFormat = [{
    $num_mel_bins `,` $dft_length `,` $sample_rate `,` $lower_edge_hertz `,`
    $upper_edge_hertz attr-dict `:` functional-type(operands, results)
  }];
}

#endif // KILN_SIGNAL_OPS_TD
