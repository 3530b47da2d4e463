"""GraphDef / FunctionDef builders for executor tests (hand-made graphs, no TensorFlow)."""

from __future__ import annotations

import numpy as np

from savedmodel import dtypes, protos, tensors
from savedmodel.executor import Session
from savedmodel.graph import FuncAttr, Graph

F32 = np.dtype(np.float32)
I32 = np.dtype(np.int32)
I64 = np.dtype(np.int64)
OBJ = np.dtype(object)


def _enum(dt: np.dtype) -> int:
    return dtypes.info_from_numpy(dt).enum


# -- graph building helpers ---------------------------------------------------------------------


class Shape(tuple):
    """Marks a tuple as a shape attr (None = unknown dim)."""


class DT(int):
    """A DataType enum value given directly (for resource/variant, which numpy cannot name)."""


RESOURCE = DT(protos.DT_RESOURCE)
VARIANT = DT(protos.DT_VARIANT)


def attr_value(value) -> object:
    av = protos.AttrValue()
    if isinstance(value, bool):
        av.b = value
    elif isinstance(value, DT):
        av.type = int(value)
    elif isinstance(value, int):
        av.i = value
    elif isinstance(value, float):
        av.f = value
    elif isinstance(value, str):
        av.s = value.encode()
    elif isinstance(value, np.dtype):
        av.type = _enum(value)
    elif isinstance(value, Shape):
        tensors.shape_to_proto(tuple(value), av.shape)
    elif isinstance(value, np.ndarray):
        av.tensor.CopyFrom(tensors.make_tensor_proto(value))
    elif isinstance(value, FuncAttr):
        av.func.name = value.name
        for k, v in value.attrs.items():
            av.func.attr[k].CopyFrom(attr_value(v))
    elif isinstance(value, list):
        av.list.SetInParent()
        for v in value:
            if isinstance(v, DT):
                av.list.type.append(int(v))
            elif isinstance(v, np.dtype):
                av.list.type.append(_enum(v))
            elif isinstance(v, FuncAttr):
                av.list.func.add().CopyFrom(attr_value(v).func)
            elif isinstance(v, Shape):
                tensors.shape_to_proto(tuple(v), av.list.shape.add())
            else:
                raise TypeError(v)
    elif isinstance(value, tuple) and value[0] == "$":
        av.placeholder = value[1]
    else:
        raise TypeError(value)
    return av


def node(name: str, op: str, *inputs: str, **attrs) -> object:
    nd = protos.NodeDef(name=name, op=op, input=list(inputs))
    for k, v in attrs.items():
        nd.attr[k].CopyFrom(attr_value(v))
    return nd


def const(name: str, value, dtype=None) -> object:
    arr = np.asarray(value, dtype=dtype)
    if arr.dtype.kind in "SU":
        arr = arr.astype(object)
    return node(name, "Const", value=arr, dtype=arr.dtype)


def placeholder(name: str, dtype: np.dtype = F32, shape=None) -> object:
    attrs = {"dtype": dtype}
    if shape is not None:
        attrs["shape"] = Shape(shape)
    return node(name, "Placeholder", **attrs)


def _set_arg_type(arg, dt) -> None:
    if isinstance(dt, str):
        arg.type_attr = dt[1:]
    else:
        arg.type = int(dt) if isinstance(dt, DT) else _enum(dt)


def function(name, inputs, outputs, nodes, ret, control_ret=None, attrs=None) -> object:
    """FunctionDef; inputs/outputs are [(arg name, dtype or "$T")]."""
    fd = protos.FunctionDef()
    sig = fd.signature
    sig.name = name
    for arg_name, dt in inputs:
        arg = sig.input_arg.add(name=arg_name)
        _set_arg_type(arg, dt)
    for arg_name, dt in outputs:
        arg = sig.output_arg.add(name=arg_name)
        _set_arg_type(arg, dt)
    for attr_name in attrs or ():
        sig.attr.add(name=attr_name, type="type")
    fd.node_def.extend(nodes)
    fd.ret.update(ret)
    for k, v in (control_ret or {}).items():
        fd.control_ret[k] = v
        sig.control_output.append(k)
    return fd


def make_graph(nodes, functions=()) -> Graph:
    gd = protos.GraphDef()
    gd.node.extend(nodes)
    gd.library.function.extend(functions)
    return Graph.from_graph_def(gd)


def session(nodes, functions=()) -> Session:
    return Session(make_graph(nodes, functions))
