"""The generic op builder: any op of the OpDef table from keyword arguments, TF's way.

`apply_op("AddV2", x=a, y=2.0, name="add")` does what TensorFlow's generated wrappers do:

* inputs are converted in OpDef order; a Python/numpy value becomes a Const named after the
  argument inside the op's name scope (`add/y`), with the dtype already inferred for its type attr
  from an earlier input, else the attr's default type (tried first), else TF's default;
* type attrs and list lengths are inferred from the inputs and checked against the OpDef's allowed
  types; other attrs come from the keywords, their defaults filled in;
* in graph mode the op is added to the inputs' graph (or the default graph) and its outputs are
  returned: a Tensor, a list for a list argument, a namedtuple for several arguments, the
  Operation when there are no outputs;
* executing eagerly (no graph in scope), the op runs at once through the kernel registry and the
  same structure comes back with numpy arrays (None for no outputs).
"""

from __future__ import annotations

import collections
from contextlib import nullcontext
from functools import cache
from typing import Any

from savedmodel import dtypes
from savedmodel.framework import constant_op, context, op_defs
from savedmodel.framework.attr_values import to_attr_value
from savedmodel.framework.graph import Graph, get_default_graph
from savedmodel.framework.operation import Operation, Tensor
from savedmodel.graph.op_def_table import ArgDef, OpDef


@cache
def default_attr_proto(op_type: str, attr_name: str) -> Any:
    proto = op_defs._base_protos()[op_type]
    for attr in proto.attr:
        if attr.name == attr_name:
            return attr.default_value
    raise KeyError(attr_name)


def _arg_count(arg: ArgDef, attrs: dict[str, Any]) -> int:
    if arg.number_attr:
        return attrs[arg.number_attr].i
    if arg.type_list_attr:
        return len(attrs[arg.type_list_attr].list.type)
    return 1


def output_types(op_def: OpDef, attrs: dict[str, Any]) -> list[dtypes.DType]:
    """Output dtypes of an op from its AttrValue protos (ref outputs as ref dtypes)."""
    result: list[dtypes.DType] = []
    for arg in op_def.outputs:
        if arg.type_list_attr:
            types = list(attrs[arg.type_list_attr].list.type)
        else:
            enum = arg.type or attrs[arg.type_attr].type
            types = [enum] * _arg_count(arg, attrs)
        for t in types:
            result.append(dtypes.DType(dtypes.ref_enum(t) if arg.is_ref else t))
    return result


def _dtype_of(value: Any) -> dtypes.DType:
    if isinstance(value, Tensor):
        return value.dtype
    return constant_op.eager_dtype(value)


def _is_list(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def graph_from_inputs(values: Any) -> Graph | None:
    """The graph the op goes to: that of a graph-tensor input, else the default one.

    A function being built (a FuncGraph) always takes the op: inputs from other graphs are
    captured when they are converted (TF's _get_graph_from_inputs).
    """
    stack = context.graph_stack()
    if stack and stack[-1].building_function:
        return stack[-1]
    found: Graph | None = None
    stack = list(values)
    while stack:
        v = stack.pop()
        if isinstance(v, (list, tuple)):
            stack.extend(v)
            continue
        g = None
        if isinstance(v, (Tensor, Operation)):
            g = v.graph
        elif hasattr(v, "_graph_element_graph"):
            g = v._graph_element_graph()
        if g is not None:
            if found is not None and g is not found:
                raise ValueError(f"{v!r} must be from the same graph as other inputs.")
            found = g
    if found is not None:
        return found
    if context.executing_eagerly():
        return None
    return get_default_graph()


class _Inputs:
    """Accumulates converted inputs and inferred attrs (TF's _ExtractInputsAndAttrs)."""

    def __init__(self, op_type: str, op_def: OpDef) -> None:
        self.op_type = op_type
        self.op_def = op_def
        self.values: list[Any] = []
        self.types: list[dtypes.DType] = []
        self.attrs: dict[str, Any] = {}  # inferred: DType, list[DType] or int
        self.inferred_from: dict[str, str] = {}
        self.defaults = {
            n: dtypes.DType(default_attr_proto(op_type, n).type)
            for n, a in op_def.attrs.items()
            if a.type == "type" and a.has_default
        }
        self.allowed = op_defs.allowed_types(op_type)

    def check_allowed(self, attr: str, dtype: dtypes.DType, param: str) -> None:
        allowed = self.allowed.get(attr)
        if allowed is not None and dtype.as_datatype_enum not in allowed:
            names = ", ".join(dtypes.DType(t).name for t in sorted(allowed))
            raise TypeError(
                f"Value passed to parameter '{param}' has DataType {dtype.name} not in list of"
                f" allowed values: {names}"
            )

    def add(self, arg: ArgDef, value: Any) -> None:
        if arg.number_attr or arg.type_list_attr:
            self._add_list(arg, value)
        else:
            self._add_single(arg, value)

    def _add_list(self, arg: ArgDef, values: Any) -> None:
        if not _is_list(values):
            raise TypeError(
                f"Expected list for '{arg.name}' argument to '{self.op_type}' Op, not {values!r}."
            )
        dtype = default = None
        if arg.type:
            dtype = dtypes.DType(arg.type)
        elif arg.number_attr:
            if arg.type_attr in self.attrs:
                dtype = self.attrs[arg.type_attr]
            else:
                dtype = next((v.dtype for v in values if isinstance(v, Tensor)), None)
            if dtype is None:
                default = self.defaults.get(arg.type_attr)
        try:
            converted = constant_op.convert_n_to_tensor(
                values, dtype=dtype.base_dtype if dtype is not None and not arg.is_ref else dtype,
                name=arg.name, preferred_dtype=default, as_ref=arg.is_ref,
            )  # fmt: skip
        except (TypeError, ValueError) as e:
            raise TypeError(
                f"Tensors in list passed to '{arg.name}' of '{self.op_type}' Op could not be"
                f" converted: {e}"
            ) from None
        types = [_dtype_of(v) for v in converted]
        base = [t.base_dtype for t in types]
        if arg.number_attr:
            if len(set(base)) > 1:
                raise TypeError(
                    f"All tensors passed to '{arg.name}' of '{self.op_type}' Op must have the"
                    f" same type. Got {base} instead."
                )
            if arg.number_attr in self.attrs:
                if len(converted) != self.attrs[arg.number_attr]:
                    raise ValueError(
                        f"List argument '{arg.name}' to '{self.op_type}' Op with length"
                        f" {len(converted)} must match length {self.attrs[arg.number_attr]} of"
                        f" argument '{self.inferred_from[arg.number_attr]}'."
                    )
            else:
                spec = self.op_def.attrs[arg.number_attr]
                self.attrs[arg.number_attr] = len(converted)
                self.inferred_from[arg.number_attr] = arg.name
                minimum = _minimum(self.op_type, arg.number_attr)
                if spec is not None and minimum is not None and len(converted) < minimum:
                    raise ValueError(
                        f"List argument '{arg.name}' to '{self.op_type}' Op with length"
                        f" {len(converted)} shorter than minimum length {minimum}."
                    )
            if not arg.type and arg.type_attr not in self.attrs:
                if base:
                    self.check_allowed(arg.type_attr, base[0], arg.name)
                    self.attrs[arg.type_attr] = base[0]
                    self.inferred_from[arg.type_attr] = arg.name
                elif arg.type_attr not in self.defaults:
                    raise TypeError(
                        "Don't know how to infer type variable from empty input list passed to"
                        f" input '{arg.name}' of '{self.op_type}' Op."
                    )
        elif arg.type_list_attr:
            if arg.type_list_attr in self.attrs:
                if self.attrs[arg.type_list_attr] != base:
                    raise TypeError(
                        f"Input '{arg.name}' of '{self.op_type}' Op has type list of"
                        f" {[t.name for t in base]} that does not match type list"
                        f" {[t.name for t in self.attrs[arg.type_list_attr]]} of argument"
                        f" '{self.inferred_from[arg.type_list_attr]}'."
                    )
            else:
                for t in base:
                    self.check_allowed(arg.type_list_attr, t, arg.name)
                self.attrs[arg.type_list_attr] = base
                self.inferred_from[arg.type_list_attr] = arg.name
        self._append(arg, converted, types)

    def _add_single(self, arg: ArgDef, value: Any) -> None:
        dtype = default = None
        allowed = None
        if arg.type:
            dtype = dtypes.DType(arg.type)
        elif arg.type_attr in self.attrs:
            dtype = self.attrs[arg.type_attr]
        elif arg.type_attr in self.defaults:
            default = self.defaults[arg.type_attr]
            allowed = self.allowed.get(arg.type_attr)
        try:
            if dtype is None and allowed:
                # NOTE: TF first converts with no hint and keeps the result if its type is
                # allowed; otherwise it converts again preferring the attr's default type.
                inferred = None
                try:
                    inferred = constant_op.convert_to_tensor(
                        value, name=arg.name, as_ref=arg.is_ref
                    )
                except TypeError:
                    pass
                if inferred is not None and _dtype_of(inferred).as_datatype_enum in allowed:
                    converted = inferred
                else:
                    converted = constant_op.convert_to_tensor(
                        value, name=arg.name, as_ref=arg.is_ref, preferred_dtype=default
                    )
            else:
                converted = constant_op.convert_to_tensor(
                    value, dtype=dtype, name=arg.name, as_ref=arg.is_ref, preferred_dtype=default
                )
        except TypeError as e:
            if dtype is None:
                raise
            raise TypeError(
                f"Expected {dtype.name} passed to parameter '{arg.name}' of op"
                f" '{self.op_type}', got {value!r} of type '{type(value).__name__}' instead."
                f" Error: {e}"
            ) from None
        except ValueError as e:
            if arg.type:
                raise TypeError(
                    f"Input '{arg.name}' of '{self.op_type}' Op has a type that does not match"
                    f" expected type of {dtypes.DType(arg.type).name}: {e}"
                ) from None
            if dtype is not None:
                raise TypeError(
                    f"Input '{arg.name}' of '{self.op_type}' Op has type"
                    f" {_probe_name(value, arg)} that does not match type {dtype.name} of"
                    f" argument '{self.inferred_from.get(arg.type_attr, '?')}'."
                ) from None
            raise
        t = _dtype_of(converted)
        if arg.type_attr and not arg.type:
            if arg.type_attr in self.attrs:
                if self.attrs[arg.type_attr] != t.base_dtype:
                    raise TypeError(
                        f"Input '{arg.name}' of '{self.op_type}' Op has type {t.base_dtype.name}"
                        f" that does not match type {self.attrs[arg.type_attr].name} of argument"
                        f" '{self.inferred_from[arg.type_attr]}'."
                    )
            else:
                self.check_allowed(arg.type_attr, t.base_dtype, arg.name)
                self.attrs[arg.type_attr] = t.base_dtype
                self.inferred_from[arg.type_attr] = arg.name
        self._append(arg, [converted], [t])

    def _append(self, arg: ArgDef, values: list[Any], types: list[dtypes.DType]) -> None:
        if arg.is_ref:
            if not all(t.is_ref_dtype for t in types):
                raise TypeError(
                    f"'{self.op_type}' Op requires that input '{arg.name}' be a mutable tensor"
                    " (e.g.: a tf.Variable)"
                )
            self.types.extend(types)
        else:
            self.types.extend(t.base_dtype for t in types)
        self.values.extend(values)


def _probe(value: Any, arg: ArgDef) -> dtypes.DType | None:
    """The dtype `value` would get with no hint, without adding anything to a graph."""
    if isinstance(value, Tensor):
        return value.dtype.base_dtype
    if constant_op._converter_for(value) is not None:
        return None
    if isinstance(value, (list, tuple)) and constant_op._contains_tensor(value):
        return None
    try:
        return constant_op.eager_dtype(constant_op.to_numpy(value))
    except (TypeError, ValueError):
        return None


def _probe_name(value: Any, arg: ArgDef) -> str:
    dt = _probe(value, arg)
    return dt.name if dt is not None else "<unknown>"


@cache
def _minimum(op_type: str, attr_name: str) -> int | None:
    for attr in op_defs._base_protos()[op_type].attr:
        if attr.name == attr_name and attr.has_minimum:
            return attr.minimum
    return None


def _attr_protos(op_type: str, op_def: OpDef, inputs: _Inputs, keywords: dict) -> dict:
    protos_by_name: dict[str, Any] = {}
    for name, spec in op_def.attrs.items():
        if name in inputs.attrs:
            if name in keywords or name + "_" in keywords:
                raise TypeError(
                    f"Should not specify value for inferred attr '{name}' for {op_type}."
                )
            value = inputs.attrs[name]
        elif name in keywords:
            value = keywords.pop(name)
        elif name + "_" in keywords:
            value = keywords.pop(name + "_")
        elif name in inputs.defaults:
            value = inputs.defaults[name]
        elif spec.has_default:
            continue
        else:
            raise TypeError(f"No argument found for attr {name} for {op_type}")
        if value is None and spec.has_default and spec.type != "shape":
            continue
        proto = to_attr_value(value, spec.type, name)
        if spec.type == "type" and name in inputs.allowed and name not in inputs.attrs:
            inputs.check_allowed(name, dtypes.DType(proto.type), name)
        protos_by_name[name] = proto
    return protos_by_name


@cache
def _namedtuple(op_type: str, fields: tuple[str, ...]) -> type:
    return collections.namedtuple(op_type, fields)  # type: ignore[misc]


def structure(op_type: str, op_def: OpDef, attrs: dict[str, Any], flat: list[Any]) -> Any:
    """Outputs grouped like TensorFlow's op wrappers return them."""
    groups: list[Any] = []
    pos = 0
    for arg in op_def.outputs:
        n = _arg_count(arg, attrs)
        if arg.number_attr or arg.type_list_attr:
            groups.append(list(flat[pos : pos + n]))
        else:
            groups.append(flat[pos])
        pos += n
    if not groups:
        return None
    if len(groups) == 1:
        return groups[0]
    return _namedtuple(op_type, tuple(a.name for a in op_def.outputs))(*groups)


def apply_op(op_type: str, name: str | None = None, **keywords: Any) -> Any:
    """Add (or, executing eagerly, run) one `op_type` op; see the module docstring."""
    op_def = op_defs.get(op_type)
    graph = graph_from_inputs(keywords.values())
    if graph is None:
        from savedmodel.framework import eager

        return eager.run_op(op_type, op_def, keywords)
    with graph.as_default(), graph.name_scope(name if name else op_type) as scope:
        inputs, attrs = prepare(op_type, op_def, keywords)
        ref_inputs = [v for a, v in zip(op_def.inputs, inputs.values, strict=False) if a.is_ref]
        # NOTE: TF colocates an op with its reference-typed inputs (`_class: loc:@var`).
        colocation = graph.colocate_with(ref_inputs[0].op) if ref_inputs else nullcontext()
        with colocation:
            op = graph.create_op(op_type, inputs.values, attrs=attrs, name=scope,
                                 input_types=inputs.types, op_def=op_def)  # fmt: skip
    if not op.outputs:
        return op
    return structure(op_type, op_def, op._attrs, op.outputs)


def prepare(op_type: str, op_def: OpDef, keywords: dict[str, Any]) -> tuple[_Inputs, dict]:
    """Convert inputs and build the attr protos (the op itself is not created)."""
    keywords = dict(keywords)
    inputs = _Inputs(op_type, op_def)
    for arg in op_def.inputs:
        if arg.name in keywords:
            value = keywords.pop(arg.name)
        elif arg.name + "_" in keywords:
            value = keywords.pop(arg.name + "_")
        else:
            raise TypeError(f"No argument for input {arg.name} found in {op_type}")
        inputs.add(arg, value)
    attrs = _attr_protos(op_type, op_def, inputs, keywords)
    if keywords:
        raise TypeError(
            f"{op_type} got unexpected keyword arguments: {', '.join(sorted(keywords))}."
        )
    return inputs, attrs
