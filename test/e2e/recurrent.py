#!/usr/bin/env python3
"""LSTM and GRU layers exported from PyTorch, against PyTorch's outputs, at
the sizes of real sequence models (hidden 256, 50 steps, batch 8), where
the input's products with the gate weights are one GEMM before the loop
over time and the recurrent weights' panels are packed once, outside it
(the ONNX node tests are too small for either). Forward, bidirectional,
two layers, and a batch of 1.

  recurrent.py --kiln-run BIN [--target cpu|cuda-emulate]
"""
import os
import sys
import tempfile
import warnings

import torch

from kiln_run import arg_parser, run_model, Tally, within


class Layer(torch.nn.Module):
    def __init__(self, kind, size, hidden, **kw):
        super().__init__()
        self.rnn = getattr(torch.nn, kind)(size, hidden, **kw)

    def forward(self, x):
        return self.rnn(x)[0]


def cases():
    # (name, kind, input size, hidden, steps, batch, options)
    yield ("lstm_256", "LSTM", 256, 256, 50, 8, {})
    yield ("lstm_bidirectional", "LSTM", 128, 192, 30, 4, {"bidirectional": True})
    yield ("lstm_two_layers", "LSTM", 80, 128, 20, 3, {"num_layers": 2})
    yield ("gru_256", "GRU", 256, 256, 50, 8, {})
    yield ("gru_bidirectional_batch1", "GRU", 64, 160, 40, 1, {"bidirectional": True})


def main():
    ap = arg_parser(__doc__)
    args = ap.parse_args()
    torch.manual_seed(0)
    warnings.filterwarnings("ignore")  # the exporter's, about batch sizes
    tally = Tally()
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "model.onnx")
        for name, kind, size, hidden, steps, batch, kw in cases():
            layer = Layer(kind, size, hidden, **kw).eval()
            x = torch.randn(steps, batch, size)
            with torch.no_grad():
                want = layer(x).double().numpy()
                torch.onnx.export(layer, (x,), path, input_names=["x"],
                                  output_names=["y"], opset_version=14)
            got, err = run_model(args.kiln_run, args.target, work, path, {"x": x.numpy()})
            if err is None:
                # Hidden states are in (-1, 1); float32 products of 256
                # terms and 50 steps of recurrence.
                err = within(got[0], want, 2e-5)
            tally.add(name, err)
    return tally.exit_code()


if __name__ == "__main__":
    sys.exit(main())
