#!/usr/bin/python3
"""Regenerates the ONNX backend node tests (model.onnx + test data) from
Debian's python3-onnx into OUT_DIR/node. Run once per build directory."""
import sys

import numpy as np

# onnx 1.12 with numpy >= 1.24 needs the removed aliases back.
np.float = float
np.int = int
np.bool = bool
np.object = object

from onnx.backend.test import cmd_tools  # noqa: E402

if __name__ == "__main__":
    out_dir = sys.argv[1]
    sys.argv = [sys.argv[0], "generate-data", "-o", out_dir]
    cmd_tools.main()
