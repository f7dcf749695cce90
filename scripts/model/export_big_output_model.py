"""Writes a real ONNX model whose output is large: a semantic-looking stand-in ([1,3,H,W] -> a
1x1 Conv to [1,C,H,W] float32 logits), with the H and W dims symbolic ('h', 'w', as the input's)
or fixed at 512, or ('unknown') output dims named apart from the input's. A 512x512 tile gives C*1 MiB of output: C=2048 is 2 GiB, over the default
output cap. Used by the output-cap unit test. Usage: export_big_output_model.py <out.onnx> <C> <symbolic|static|unknown>
Run with Debian's /usr/bin/python3 (onnx)."""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out, channels, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
h, w = ('h', 'w') if mode in ('symbolic', 'unknown') else (512, 512)
# 'unknown': the output's spatial dims get names of their own, so its size is only known after a run.
oh, ow = ('oh', 'ow') if mode == 'unknown' else (h, w)
f = TensorProto.FLOAT
weight = np.full((channels, 3, 1, 1), 0.01, dtype=np.float32)
graph = helper.make_graph(
    [helper.make_node('Conv', ['input', 'weight'], ['logits'])],
    'big-output',
    [helper.make_tensor_value_info('input', f, [1, 3, h, w])],
    [helper.make_tensor_value_info('logits', f, [1, channels, oh, ow])],
    [numpy_helper.from_array(weight, 'weight')],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)])
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, out)
