"""The object graph of a save: nodes, children, checkpoint keys (FORMAT.md §4.1-4.3, §3.7).

Node 0 is the root; ids are assigned breadth first, visiting each object's children in order; an
object reachable by several paths gets one id. A variable's checkpoint key is the escaped local
names along the first path found to it, then `/.ATTRIBUTES/VARIABLE_VALUE`. The same nodes and
children make the SavedObjectGraph (`saved_model.pb`) and the TrackableObjectGraph stored in the
checkpoint under `_CHECKPOINTABLE_OBJECT_GRAPH`.
"""

from __future__ import annotations

from typing import Any

from savedmodel import protos
from savedmodel.api.concrete_function import ConcreteFunction
from savedmodel.api.tracking import Asset, ContainerWrapper, Trackable
from savedmodel.errors import InvalidArgumentError
from savedmodel.framework.variables import Variable

VARIABLE_VALUE_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"


def escape(name: str) -> str:
    return name.replace(".", "..").replace("/", ".S")


def _identity(obj: Any) -> int:
    # Container wrappers are made afresh on each look: the wrapped list/dict is the identity.
    return id(obj.value) if isinstance(obj, ContainerWrapper) else id(obj)


def children_of(obj: Any) -> list[tuple[str, Any]]:
    if isinstance(obj, (Variable, ConcreteFunction, Asset)):
        return []
    if getattr(obj, "_is_polymorphic_function", False):
        return [(f"trace_{i}", f) for i, f in enumerate(obj._list_all_concrete_functions())]
    if isinstance(obj, Trackable):
        return list(obj._trackable_children().items())
    return []


class ObjectGraph:
    """Nodes reachable from the root, their children and paths."""

    def __init__(self, root: Any, root_extra: dict[str, Any]) -> None:
        if not isinstance(root, Trackable):
            raise InvalidArgumentError(
                f"Expected a Trackable object (tf.Module, ...) for export, got {root!r}"
            )
        self.nodes: list[Any] = [root]
        self.children: list[list[tuple[str, int]]] = []
        self.paths: list[list[str]] = [[]]
        index = {_identity(root): 0}
        i = 0
        while i < len(self.nodes):
            obj = self.nodes[i]
            pairs = children_of(obj)
            if i == 0:
                # e.g. the new `signatures` replaces a restored object's old one
                pairs = [(n, c) for n, c in pairs if n not in root_extra]
                pairs += list(root_extra.items())
            refs = []
            for name, child in pairs:
                key = _identity(child)
                if key not in index:
                    index[key] = len(self.nodes)
                    self.nodes.append(child)
                    self.paths.append([*self.paths[i], name])
                refs.append((name, index[key]))
            self.children.append(refs)
            i += 1
        self.index = index

    def node_id(self, obj: Any) -> int | None:
        return self.index.get(_identity(obj))

    def checkpoint_key(self, node_id: int) -> str:
        return "/".join(escape(n) for n in self.paths[node_id]) + VARIABLE_VALUE_SUFFIX

    def variables(self) -> list[tuple[int, Variable]]:
        return [(i, n) for i, n in enumerate(self.nodes) if isinstance(n, Variable)]

    def trackable_object_graph(self) -> Any:
        """The TrackableObjectGraph written to the checkpoint."""
        proto = protos.TrackableObjectGraph()
        has_values = self._has_values()
        for i, obj in enumerate(self.nodes):
            node = proto.nodes.add()
            for name, child in self.children[i]:
                node.children.add(node_id=child, local_name=name)
            if isinstance(obj, Variable):
                node.attributes.add(
                    name="VARIABLE_VALUE", full_name=_bare_name(obj.name),
                    checkpoint_key=self.checkpoint_key(i),
                )  # fmt: skip
            if has_values[i]:
                node.has_checkpoint_values.value = True
            else:
                node.has_checkpoint_values.SetInParent()
        return proto

    def _has_values(self) -> list[bool]:
        """Whether each node or any of its descendants holds a variable value."""
        result = [isinstance(obj, Variable) for obj in self.nodes]
        changed = True
        while changed:  # a fixed point: object graphs may have cycles
            changed = False
            for i, refs in enumerate(self.children):
                if not result[i] and any(result[c] for _, c in refs):
                    result[i] = changed = True
        return result


def _bare_name(name: str) -> str:
    return name[:-2] if name.endswith(":0") else name
