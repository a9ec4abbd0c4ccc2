//===- KilnRecurrentOps.td - RNN, GRU and LSTM over a sequence -*- tablegen -*-===//
#ifndef KILN_RECURRENT_OPS_TD
#define KILN_RECURRENT_OPS_TD

include "dialects/kiln/KilnBase.td"

def Kiln_RecurrentOp : Kiln_Op<"recurrent", [Pure, AttrSizedOperandSegments,
                                             Kiln_InferTypes]> {
  let summary = "a recurrent layer (ONNX RNN, GRU or LSTM) over a sequence";
  let description = [{
    `cell` is "rnn", "gru" or "lstm"; operands and attributes are ONNX's,
    with the layout normalised to [sequence, batch, ...] by the importer and
    one activation name per activation slot and direction. Results: all
    hidden states [S, D, B, H], the last hidden state [D, B, H] and the last
    cell state [D, B, H] (zeros for cells without one).
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$w,
                       Kiln_FloatTensor:$r, Optional<Kiln_FloatTensor>:$bias,
                       Optional<Kiln_IndexTensor>:$sequence_lens,
                       Optional<Kiln_FloatTensor>:$initial_h,
                       Optional<Kiln_FloatTensor>:$initial_c,
                       Optional<Kiln_FloatTensor>:$peepholes,
                       StrAttr:$cell, I64Attr:$hidden_size,
                       DefaultValuedAttr<StrAttr, "\"forward\"">:$direction,
                       StrArrayAttr:$activations,
                       F32ArrayAttr:$activation_alpha,
                       F32ArrayAttr:$activation_beta,
                       OptionalAttr<F32Attr>:$clip,
                       DefaultValuedAttr<BoolAttr, "false">:$input_forget,
                       DefaultValuedAttr<BoolAttr, "false">:$linear_before_reset);
  let results = (outs Kiln_FloatTensor:$y, Kiln_FloatTensor:$y_h,
                      Kiln_FloatTensor:$y_c);
  let assemblyFormat = [{
    $input `,` $w `,` $r (`bias` `(` $bias^ `:` type($bias) `)`)?
    (`lengths` `(` $sequence_lens^ `:` type($sequence_lens) `)`)?
    (`h0` `(` $initial_h^ `:` type($initial_h) `)`)?
    (`c0` `(` $initial_c^ `:` type($initial_c) `)`)?
    (`peepholes` `(` $peepholes^ `:` type($peepholes) `)`)? attr-dict `:`
    type($input) `,` type($w) `,` type($r) `->` type($y) `,` type($y_h) `,` type($y_c)
  }];
}

#endif // KILN_RECURRENT_OPS_TD
