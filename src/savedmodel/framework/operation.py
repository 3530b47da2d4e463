"""Graph nodes while building: `Operation` and its symbolic outputs, `Tensor`.

An Operation keeps its attrs as `AttrValue` protos (what its NodeDef holds, TensorFlow's defaults
included) and its inputs as Tensors. `Tensor` carries a dtype and a static shape; its Python
operators (+, *, [], ...) are installed by `savedmodel.framework.tensor_operators`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from savedmodel import dtypes, protos
from savedmodel.errors import InvalidArgumentError
from savedmodel.framework.attr_values import from_attr_value
from savedmodel.framework.tensor_shape import TensorShape, as_shape
from savedmodel.graph import attrs as attr_codec
from savedmodel.graph.ir import Node

if TYPE_CHECKING:
    from savedmodel.framework.graph import Graph
    from savedmodel.graph.op_def_table import OpDef


class OperatorNotAllowedInGraphError(TypeError):
    """A symbolic tensor was used as a Python bool or iterated (TF's error of the same name)."""


class Tensor:
    """A symbolic output of an Operation: `op:value_index`, with a dtype and a static shape."""

    __slots__ = (
        "_op",
        "_value_index",
        "_dtype",
        "_shape",
        "_consumers",
        "_handle_data",
        "__weakref__",
    )
    # NOTE: in a TF1-style graph, `==` is identity and tensors are hashable (TF2 only makes `==`
    # elementwise when executing eagerly outside functions).
    __array_priority__ = 100

    def __init__(self, op: Operation, value_index: int, dtype: dtypes.DType) -> None:
        self._op = op
        self._value_index = value_index
        self._dtype = dtype
        self._shape = TensorShape(None)
        self._consumers: list[Operation] = []
        self._handle_data: Any = None

    @property
    def op(self) -> Operation:
        return self._op

    @property
    def graph(self) -> Graph:
        return self._op.graph

    @property
    def value_index(self) -> int:
        return self._value_index

    @property
    def dtype(self) -> dtypes.DType:
        return self._dtype

    @property
    def name(self) -> str:
        return f"{self._op.name}:{self._value_index}"

    @property
    def device(self) -> str:
        return self._op.device

    @property
    def shape(self) -> TensorShape:
        return self._shape

    def get_shape(self) -> TensorShape:
        return self._shape

    def set_shape(self, shape: Any) -> None:
        """Merge `shape` into the static shape (ValueError if they are incompatible)."""
        self._shape = self._shape.merge_with(as_shape(shape))

    @property
    def ndim(self) -> int | None:
        return self._shape.rank

    def consumers(self) -> list[Operation]:
        return list(self._consumers)

    def eval(self, feed_dict: Any = None, session: Any = None) -> Any:
        from savedmodel.framework.session_registry import default_session_for

        return default_session_for(self.graph, session).run(self, feed_dict)

    def _as_node_def_input(self) -> str:
        return self._op.name if self._value_index == 0 else self.name

    def _as_tf_output(self) -> tuple[str, int]:
        return (self._op.name, self._value_index)

    def __repr__(self) -> str:
        return f"<tf.Tensor '{self.name}' shape={self._shape} dtype={self._dtype.name}>"

    def __str__(self) -> str:
        return f'Tensor("{self.name}", shape={self._shape}, dtype={self._dtype.name})'

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    def __bool__(self) -> bool:
        raise OperatorNotAllowedInGraphError(
            "Using a symbolic `tf.Tensor` as a Python `bool` is not allowed in Graph mode."
        )

    def __iter__(self) -> Any:
        raise OperatorNotAllowedInGraphError(
            "Iterating over a symbolic `tf.Tensor` is not allowed in Graph mode."
        )

    def __len__(self) -> int:
        raise TypeError(
            f"len is not well defined for a symbolic Tensor ({self.name}). Please call `x.shape`"
            " rather than `len(x)` for shape information."
        )

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        raise NotImplementedError(
            f"Cannot convert a symbolic tf.Tensor ({self.name}) to a numpy array."
        )


class Operation:
    """A node of a Graph being built."""

    __slots__ = (
        "_graph", "_name", "_type", "_inputs", "_input_types", "_control_inputs", "_attrs",
        "_outputs", "_device", "_op_def", "_id", "_ir", "_control_outputs", "_full_type",
        "__weakref__",
    )  # fmt: skip

    def __init__(
        self,
        graph: Graph,
        name: str,
        op_type: str,
        inputs: list[Tensor],
        input_types: list[dtypes.DType],
        control_inputs: list[Operation],
        attrs: dict[str, Any],
        output_types: list[dtypes.DType],
        op_def: OpDef | None,
        op_id: int,
        device: str = "",
    ) -> None:
        self._graph = graph
        self._name = name
        self._type = op_type
        self._inputs = list(inputs)
        self._input_types = list(input_types)
        self._control_inputs: list[Operation] = []
        self._attrs = attrs
        self._device = device
        self._op_def = op_def
        self._id = op_id
        self._ir: Node | None = None
        self._control_outputs: list[Operation] = []
        self._full_type: Any = None  # NodeDef.experimental_type, when TF infers one
        self._outputs = [Tensor(self, i, dt) for i, dt in enumerate(output_types)]
        for t in self._inputs:
            t._consumers.append(self)
        for c in control_inputs:
            self._add_control_input(c)

    # -- identity ----------------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self._name

    @property
    def type(self) -> str:
        return self._type

    @property
    def graph(self) -> Graph:
        return self._graph

    @property
    def device(self) -> str:
        return self._device

    @property
    def op_def(self) -> OpDef | None:
        return self._op_def

    @property
    def inputs(self) -> tuple[Tensor, ...]:
        return tuple(self._inputs)

    @property
    def outputs(self) -> list[Tensor]:
        return list(self._outputs)

    @property
    def control_inputs(self) -> list[Operation]:
        return list(self._control_inputs)

    @property
    def _control_outputs_list(self) -> list[Operation]:
        return list(self._control_outputs)

    @property
    def input_types(self) -> list[dtypes.DType]:
        return list(self._input_types)

    @property
    def num_outputs(self) -> int:
        return len(self._outputs)

    def output(self, index: int) -> Tensor:
        return self._outputs[index]

    def values(self) -> tuple[Tensor, ...]:
        return tuple(self._outputs)

    # -- attrs -------------------------------------------------------------------------------------

    def get_attr(self, name: str) -> Any:
        try:
            value = self._attrs[name]
        except KeyError:
            raise ValueError(f"Operation '{self._name}' has no attr named '{name}'.") from None
        return from_attr_value(value)

    def _get_attr_proto(self, name: str) -> Any:
        return self._attrs.get(name)

    def _set_attr(self, name: str, value: Any) -> None:
        self._attrs[name] = value
        self._ir = None

    def _clear_attr(self, name: str) -> None:
        self._attrs.pop(name, None)
        self._ir = None

    @property
    def node_def(self) -> Any:
        nd = protos.NodeDef(name=self._name, op=self._type, device=self._device)
        nd.input.extend(t._as_node_def_input() for t in self._inputs)
        nd.input.extend("^" + c.name for c in sorted(self._control_inputs, key=_op_name))
        for key, value in self._attrs.items():
            nd.attr[key].CopyFrom(value)
        if self._full_type is not None:
            nd.experimental_type.CopyFrom(self._full_type)
        return nd

    # -- mutation (used by control dependencies and graph editing) --------------------------------

    def _add_control_input(self, op: Operation) -> None:
        if not isinstance(op, Operation):
            raise TypeError(f"op must be an Operation: {op!r}")
        if op not in self._control_inputs:
            self._control_inputs.append(op)
            op._control_outputs.append(self)
            self._ir = None

    def _add_control_inputs(self, ops: Any) -> None:
        for op in ops:
            self._add_control_input(op)

    def _remove_all_control_inputs(self) -> None:
        for op in self._control_inputs:
            op._control_outputs.remove(self)
        self._control_inputs = []
        self._ir = None

    def _update_input(self, index: int, tensor: Tensor) -> None:
        old = self._inputs[index]
        old._consumers.remove(self)
        self._inputs[index] = tensor
        tensor._consumers.append(self)
        self._ir = None
        self._graph._bump_version()

    def _set_device(self, device: str) -> None:
        self._device = device

    # -- execution ---------------------------------------------------------------------------------

    def run(self, feed_dict: Any = None, session: Any = None) -> None:
        from savedmodel.framework.session_registry import default_session_for

        default_session_for(self.graph, session).run(self, feed_dict)

    def _ir_node(self) -> Node:
        """This op as an executor IR node (attrs decoded once, until they change)."""
        node = self._ir
        if node is None:
            node = Node(
                self._name,
                self._type,
                inputs=[t._as_tf_output() for t in self._inputs],
                control_inputs=[c.name for c in self._control_inputs],
                attrs={k: attr_codec.decode(self._attrs[k]) for k in sorted(self._attrs)},
            )
            self._ir = node
        return node

    def __repr__(self) -> str:
        return f"<tf.Operation '{self._name}' type={self._type}>"

    def __str__(self) -> str:
        return str(self.node_def)


def _op_name(op: Operation) -> str:
    return op.name


def check_tensor(value: Any, what: str) -> Tensor:
    if not isinstance(value, Tensor):
        raise InvalidArgumentError(f"{what} must be a Tensor, got {type(value).__name__}")
    return value
