"""`Graph`: the mutable graph TF1 code and function tracing build, and the default-graph stack.

Naming follows TensorFlow exactly: `unique_name("add")` gives add, add_1, add_2... (case-
insensitively), name scopes prefix names ("a/b/add"), a scope name ending in "/" is reused as is,
and an explicit `name=` is still made unique. Ops created inside `control_dependencies(...)` get
those control inputs (unless a data input already comes from inside the same block), and every op
gets its OpDef's default attrs, as TensorFlow's C++ graph adds them.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from typing import Any

from savedmodel import dtypes, protos
from savedmodel.framework import context, graph_elements, versions
from savedmodel.framework.operation import Operation, Tensor
from savedmodel.graph import Graph as IRGraph
from savedmodel.graph import Library
from savedmodel.graph.op_def_table import OpDef

# NOTE: TensorFlow's node-name rules (core/framework/node_def_util.cc).
VALID_OP_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$")
VALID_SCOPE_NAME = re.compile(r"^[A-Za-z0-9_.\\/>-]*$")


def name_from_scope_name(name: str) -> str:
    return name[:-1] if name and name[-1] == "/" else name


class _ControlDependencies:
    """One `control_dependencies(...)` block: its control inputs and the ops created inside."""

    def __init__(self, graph: Graph, control_inputs: list[Operation] | None) -> None:
        self._graph = graph
        self.control_inputs = control_inputs or []
        self._new_stack = control_inputs is None
        self._seen: set[int] = set()
        self._old_stack: list[_ControlDependencies] | None = None

    def __enter__(self) -> None:
        if self._new_stack:
            self._old_stack = self._graph._control_stack
            self._graph._control_stack = []
        self._graph._control_stack.append(self)

    def __exit__(self, *exc: object) -> None:
        self._graph._control_stack.pop()
        if self._new_stack:
            self._graph._control_stack = self._old_stack  # type: ignore[assignment]

    def add_op(self, op: Operation) -> None:
        self._seen.add(id(op))

    def op_in_group(self, op: Operation) -> bool:
        return id(op) in self._seen


_OPERATORS_INSTALLED = False


def _install_tensor_operators() -> None:
    # Tensors get their Python operators (x + y, x[1:]...) from a module that needs the graph
    # builders itself: imported when the first graph is made, never by code that only loads.
    global _OPERATORS_INSTALLED
    from savedmodel.framework import tensor_operators  # noqa: F401

    _OPERATORS_INSTALLED = True


class Graph:
    """A TensorFlow graph under construction (`tf.Graph`)."""

    def __init__(self) -> None:
        if not _OPERATORS_INSTALLED:
            _install_tensor_operators()
        self._ops: list[Operation] = []
        self._by_name: dict[str, Operation] = {}
        self._names_in_use: dict[str, int] = {}
        self._name_stack = ""
        self._control_stack: list[_ControlDependencies] = []
        self._collections: dict[str, list[Any]] = {}
        self._device_stack: list[str | None] = []
        self._colocation_stack: list[Operation | None] = []
        self._attr_scope: dict[str, Any] = {}
        self._finalized = False
        self._version = 0
        self._ir_cache: tuple[int, IRGraph] | None = None
        self._functions: dict[str, Any] = {}  # FunctionDef protos of the library, by name
        self._unfeedable: set[Tensor] = set()
        self._unfetchable: set[Any] = set()
        self.seed: int | None = None
        self.building_function = False
        self._graph_def_versions = protos.VersionDef(producer=versions.GRAPH_DEF_VERSION)

    # -- default graph ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def as_default(self) -> Iterator[Graph]:
        stack = context.graph_stack()
        stack.append(self)
        try:
            yield self
        finally:
            if stack and stack[-1] is self:
                stack.pop()
            elif self in stack:
                stack.remove(self)

    # -- structure --------------------------------------------------------------------------------

    @property
    def version(self) -> int:
        return self._version

    def _bump_version(self) -> None:
        self._version += 1

    @property
    def graph_def_versions(self) -> Any:
        return self._graph_def_versions

    @property
    def finalized(self) -> bool:
        return self._finalized

    def finalize(self) -> None:
        self._finalized = True

    def _unsafe_unfinalize(self) -> None:
        self._finalized = False

    def _check_not_finalized(self) -> None:
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")

    def get_operations(self) -> list[Operation]:
        return list(self._ops)

    def get_operation_by_name(self, name: str) -> Operation:
        if not isinstance(name, str):
            raise TypeError(f"Operation names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=False, allow_operation=True)

    def _get_operation_by_name(self, name: str) -> Operation:
        return self._by_name[name]

    def get_tensor_by_name(self, name: str) -> Tensor:
        if not isinstance(name, str):
            raise TypeError(f"Tensor names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=True, allow_operation=False)

    def _has_operation(self, name: str) -> bool:
        return name in self._by_name

    def as_graph_element(
        self, obj: Any, allow_tensor: bool = True, allow_operation: bool = True
    ) -> Any:
        """The Tensor or Operation `obj` names or is, in this graph (TF's rules and errors)."""
        return graph_elements.as_graph_element(self, obj, allow_tensor, allow_operation)

    # -- names -------------------------------------------------------------------------------------

    def unique_name(self, name: str, mark_as_used: bool = True) -> str:
        if self._name_stack:
            name = self._name_stack + "/" + name
        # NOTE: TF treats names case-insensitively when checking for uses (foo == Foo).
        name_key = name.lower()
        i = self._names_in_use.get(name_key, 0)
        if mark_as_used:
            self._names_in_use[name_key] = i + 1
        if i > 0:
            base_name_key = name_key
            while name_key in self._names_in_use:
                name_key = f"{base_name_key}_{i}"
                i += 1
            if mark_as_used:
                self._names_in_use[name_key] = 1
            name = f"{name}_{i - 1}"
        return name

    def get_name_scope(self) -> str:
        return self._name_stack

    @contextlib.contextmanager
    def name_scope(self, name: str | None) -> Iterator[str]:
        if name:
            if isinstance(name, bytes):
                name = name.decode("utf-8")
            pattern = VALID_SCOPE_NAME if self._name_stack else VALID_OP_NAME
            if not pattern.match(name):
                kind = "scope" if self._name_stack else "root scope"
                raise ValueError(
                    f"'{name}' is not a valid {kind} name. A {kind} name has to match the"
                    f" following pattern: {pattern.pattern}"
                )
        old_stack = self._name_stack
        if not name:
            new_stack, returned = "", ""
        elif name[-1] == "/":
            new_stack, returned = name_from_scope_name(name), name
        else:
            new_stack = self.unique_name(name)
            returned = new_stack + "/"
        self._name_stack = new_stack
        try:
            yield returned
        finally:
            self._name_stack = old_stack

    # -- devices, colocation and attr scopes -------------------------------------------------------

    @contextlib.contextmanager
    def device(self, device_name: str | None) -> Iterator[None]:
        """Ops created inside get `device_name` merged into the enclosing device (None: clear)."""
        self._device_stack.append(device_name)
        try:
            yield
        finally:
            self._device_stack.pop()

    def _current_device(self) -> str:
        from savedmodel.framework import device as device_lib

        current = ""
        for spec in self._device_stack:
            if spec is None:
                current = ""
            elif spec:
                current = device_lib.merge(current, spec)
        return current

    @contextlib.contextmanager
    def colocate_with(self, op: Any, ignore_existing: bool = False) -> Iterator[None]:
        if op is not None:
            if isinstance(op, Tensor):
                op = op.op
            elif not isinstance(op, Operation):
                op = getattr(op, "op", op)
        old = self._colocation_stack
        if ignore_existing:
            self._colocation_stack = []
        self._colocation_stack.append(op)
        try:
            yield
        finally:
            self._colocation_stack.pop()
            if ignore_existing:
                self._colocation_stack = old

    def _colocation_groups(self) -> list[bytes]:
        groups: set[bytes] = set()
        for op in self._colocation_stack:
            if op is None:
                groups.clear()
                continue
            groups.update(colocation_groups(op))
        return sorted(groups)

    @contextlib.contextmanager
    def _attr_scope_ctx(self, attr_map: dict[str, Any]) -> Iterator[None]:
        saved = dict(self._attr_scope)
        for key, value in attr_map.items():
            if value is None:
                self._attr_scope.pop(key, None)
            else:
                self._attr_scope[key] = value
        try:
            yield
        finally:
            self._attr_scope = saved

    # -- control dependencies ----------------------------------------------------------------------

    def _current_control_dependencies(self) -> set[int]:
        return {id(op) for c in self._control_stack for op in c.control_inputs}

    def control_dependencies(self, control_inputs: Iterable[Any] | None) -> _ControlDependencies:
        if control_inputs is None:
            return _ControlDependencies(self, None)
        current = self._current_control_dependencies()
        ops: list[Operation] = []
        for c in control_inputs:
            # Variables (and objects wrapping an op) stand for their op; reading is not needed.
            if not isinstance(c, (Tensor, Operation)) and hasattr(c, "op"):
                c = c.op
            c = self.as_graph_element(c)
            if isinstance(c, Tensor):
                c = c.op
            if id(c) not in current:
                ops.append(c)
                current.add(id(c))
                # NOTE: TF marks every op used as a manual control dependency with this attr.
                c._set_attr("_has_manual_control_dependencies", protos.AttrValue(b=True))
        return _ControlDependencies(self, ops)

    def _control_dependencies_for_inputs(self, input_ops: list[Operation]) -> list[Operation]:
        result: list[Operation] = []
        ids = {id(op) for op in input_ops}
        for controller in self._control_stack:
            if any(controller.op_in_group(op) for op in input_ops):
                continue
            result.extend(c for c in controller.control_inputs if id(c) not in ids)
        return result

    # -- op creation -------------------------------------------------------------------------------

    def create_op(
        self,
        op_type: str,
        inputs: list[Tensor],
        *,
        attrs: dict[str, Any] | None = None,
        name: str | None = None,
        input_types: list[dtypes.DType] | None = None,
        output_types: list[dtypes.DType] | None = None,
        op_def: OpDef | None = None,
        infer_shapes: bool = True,
    ) -> Operation:
        """Add an op; `attrs` maps names to AttrValue protos (OpDef defaults are added)."""
        from savedmodel.framework import full_type, op_builder, shape_inference

        self._check_not_finalized()
        if name is None:
            name = op_type
        if name and name[-1] == "/":
            name = name_from_scope_name(name)
        else:
            name = self.unique_name(name)
        if not VALID_OP_NAME.match(name):
            raise ValueError(f"'{name}' is not a valid node name")
        if name in self._by_name:
            raise ValueError(f"Duplicate node name in graph: '{name}'")
        for t in inputs:
            if t.graph is not self:
                raise ValueError(f"Tensor {t} must be from the same graph as the new op {name}.")
        if op_def is None:
            op_def = self._op_def_for(op_type)
        node_attrs: dict[str, Any] = dict(attrs or {})
        if op_def is not None:
            for attr_name, spec in op_def.attrs.items():
                if attr_name not in node_attrs and spec.has_default:
                    node_attrs[attr_name] = op_builder.default_attr_proto(op_type, attr_name)
        for key, value in self._attr_scope.items():
            node_attrs.setdefault(key, value)
        groups = self._colocation_groups()
        if groups:
            node_attrs["_class"] = protos.AttrValue(list=protos.AttrValue.ListValue(s=groups))
        if output_types is None:
            output_types = op_builder.output_types(op_def, node_attrs) if op_def else []
        if input_types is None:
            input_types = [t.dtype.base_dtype for t in inputs]
        control_inputs = self._control_dependencies_for_inputs(
            list({id(t.op): t.op for t in inputs}.values())
        )
        device = self._current_device() if self._device_stack else ""
        op = Operation(
            self, name, op_type, inputs, input_types, control_inputs, node_attrs, output_types,
            op_def, len(self._ops), device,
        )  # fmt: skip
        op._full_type = full_type.experimental_type(op_type, node_attrs)
        self._ops.append(op)
        self._by_name[name] = op
        self._version += 1
        for controller in self._control_stack:
            controller.add_op(op)
        if infer_shapes:
            shape_inference.set_output_shapes(op)
        return op

    def _op_def_for(self, op_type: str) -> OpDef | None:
        if op_type in self._functions:
            return OpDef.from_proto(self._functions[op_type].signature)
        from savedmodel.framework import op_defs

        try:
            return op_defs.get(op_type)
        except Exception:
            return None

    # -- function library --------------------------------------------------------------------------

    def _add_function(self, function_def: Any) -> None:
        name = function_def.signature.name
        existing = self._functions.get(name)
        if existing is not None and existing.SerializeToString(
            deterministic=True
        ) != function_def.SerializeToString(deterministic=True):
            raise ValueError(
                f"Cannot add function '{name}' because a different function with"
                " the same name already exists."
            )
        self._functions[name] = function_def
        self._version += 1

    def _is_function(self, name: str) -> bool:
        return name in self._functions

    def _get_function(self, name: str) -> Any:
        return self._functions.get(name)

    # -- collections -------------------------------------------------------------------------------

    def add_to_collection(self, name: str, value: Any) -> None:
        self._check_not_finalized()
        self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names: Any, value: Any) -> None:
        names = (names,) if isinstance(names, str) else set(names)
        for name in names:
            self.add_to_collection(name, value)

    def get_collection_ref(self, name: str) -> list[Any]:
        return self._collections.setdefault(name, [])

    def get_collection(self, name: str, scope: str | None = None) -> list[Any]:
        items = self._collections.get(name)
        if items is None:
            return []
        if scope is None:
            return list(items)
        pattern = re.compile(scope)
        result = []
        for item in items:
            try:
                if pattern.match(item.name):
                    result.append(item)
            except AttributeError:
                pass  # items without a name never match a scope
        return result

    def get_all_collection_keys(self) -> list[str]:
        return [k for k in self._collections if isinstance(k, str)]

    def clear_collection(self, name: str) -> None:
        self._check_not_finalized()
        self._collections.pop(name, None)

    @property
    def collections(self) -> list[str]:
        return list(self._collections)

    # -- feeding and fetching ----------------------------------------------------------------------

    def prevent_feeding(self, tensor: Tensor) -> None:
        self._unfeedable.add(tensor)

    def is_feedable(self, tensor: Tensor) -> bool:
        return tensor not in self._unfeedable

    def prevent_fetching(self, op: Any) -> None:
        self._unfetchable.add(op)

    def is_fetchable(self, tensor_or_op: Any) -> bool:
        op = tensor_or_op.op if isinstance(tensor_or_op, Tensor) else tensor_or_op
        return op not in self._unfetchable

    # -- serialization -----------------------------------------------------------------------------

    def as_graph_def(self, from_version: int | None = None, add_shapes: bool = False) -> Any:
        from savedmodel.framework import shape_inference

        graph_def = protos.GraphDef()
        graph_def.versions.CopyFrom(self._graph_def_versions)
        for op in self._ops:
            if from_version is not None and op._id < from_version:
                continue
            nd = op.node_def
            if add_shapes and op._outputs:
                nd.attr["_output_shapes"].CopyFrom(shape_inference.output_shapes_attr(op))
            graph_def.node.append(nd)
        if self._functions:
            graph_def.library.function.extend(self._functions.values())
        return graph_def

    def _as_ir(self) -> IRGraph:
        """The executor's view of this graph (rebuilt only after the graph changed)."""
        cache = self._ir_cache
        if cache is not None and cache[0] == self._version:
            return cache[1]
        library = Library(self._functions.values())
        ir = IRGraph((op._ir_node() for op in self._ops), library)
        self._ir_cache = (self._version, ir)
        return ir

    def __repr__(self) -> str:
        return f"<savedmodel.framework.Graph object at {id(self):#x}>"


def colocation_groups(op: Operation) -> list[bytes]:
    """The `_class` groups an op belongs to: its own `loc:@name`, or its `_class` attr."""
    value = op._get_attr_proto("_class")
    if value is not None and value.list.s:
        return [s for s in value.list.s if s.startswith(b"loc:@")]
    return [f"loc:@{op.name}".encode()]


# -- the default graph -----------------------------------------------------------------------------

_GLOBAL_DEFAULT_GRAPH: Graph | None = None


def get_default_graph() -> Graph:
    stack = context.graph_stack()
    if stack:
        return stack[-1]
    global _GLOBAL_DEFAULT_GRAPH
    if _GLOBAL_DEFAULT_GRAPH is None:
        _GLOBAL_DEFAULT_GRAPH = Graph()
    return _GLOBAL_DEFAULT_GRAPH


def reset_default_graph() -> None:
    if context.graph_stack():
        raise AssertionError(
            "Do not use tf.reset_default_graph() to clear nested graphs. If you need a cleared"
            " graph, exit the nesting and create a new graph."
        )
    global _GLOBAL_DEFAULT_GRAPH
    _GLOBAL_DEFAULT_GRAPH = None


def graph_mode_graph() -> Graph | None:
    """The graph ops are added to now, or None when executing eagerly."""
    if context.executing_eagerly():
        return None
    return get_default_graph()
