"""Writes a real ONNX model that never answers in practice: a semantic-looking U-Net stand-in
([1,3,H,W] -> [1,1,H,W]) whose output waits on a Loop of 2**62 iterations (each adds 1 to a
scalar). onnxruntime runs it honestly; only the client's timeout stops it. Used by the
hanging-model unit test and the 'hostile' bench. Usage: export_hanging_model.py <out.onnx>
Run with Debian's /usr/bin/python3 (onnx)."""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
f = TensorProto.FLOAT
body = helper.make_graph(
    [helper.make_node('Add', ['acc_in', 'one'], ['acc_out']), helper.make_node('Identity', ['cond_in'], ['cond_out'])],
    'spin',
    [helper.make_tensor_value_info('i', TensorProto.INT64, []), helper.make_tensor_value_info('cond_in', TensorProto.BOOL, []), helper.make_tensor_value_info('acc_in', f, [])],
    [helper.make_tensor_value_info('cond_out', TensorProto.BOOL, []), helper.make_tensor_value_info('acc_out', f, [])],
    [numpy_helper.from_array(np.array(1.0, dtype=np.float32), 'one')],
)
nodes = [
    helper.make_node('Loop', ['trips', 'cond', 'zero'], ['acc'], body=body),
    helper.make_node('ReduceMean', ['input'], ['mean'], axes=[1], keepdims=1),
    helper.make_node('Mul', ['acc', 'zerof'], ['nothing']),
    helper.make_node('Add', ['mean', 'nothing'], ['logits']),
]
graph = helper.make_graph(
    nodes, 'hanging',
    [helper.make_tensor_value_info('input', f, [1, 3, 'h', 'w'])],
    [helper.make_tensor_value_info('logits', f, [1, 1, 'h', 'w'])],
    [numpy_helper.from_array(np.array(2 ** 62, dtype=np.int64), 'trips'), numpy_helper.from_array(np.array(True), 'cond'),
     numpy_helper.from_array(np.array(0.0, dtype=np.float32), 'zero'), numpy_helper.from_array(np.array(0.0, dtype=np.float32), 'zerof')],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)])
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, out)
