"""Nested structures of function inputs and outputs, flattened the way TensorFlow's `nest` does.

A structure is a leaf or a container of structures: lists, tuples, namedtuples and mappings
(dict-like). Mappings flatten in sorted key order, namedtuples in field order; None and every
other value is a leaf. `pack_sequence_as` rebuilds a structure from a flat list, keeping the
container types (a namedtuple stays that namedtuple type, a mapping keeps its type when it can be
built from a dict).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

_LEAF, _SEQUENCE, _MAPPING, _NAMEDTUPLE = 0, 1, 2, 3
# The kind of each type seen (isinstance of the Mapping ABC is slow: ask once per type).
_KINDS: dict[type, int] = {list: _SEQUENCE, tuple: _SEQUENCE, dict: _MAPPING}


def _kind(value: Any) -> int:
    t = type(value)
    kind = _KINDS.get(t)
    if kind is None:
        if isinstance(value, Mapping):
            kind = _MAPPING
        elif isinstance(value, tuple) and hasattr(t, "_fields"):
            kind = _NAMEDTUPLE
        elif isinstance(value, (list, tuple)):
            kind = _SEQUENCE
        else:
            kind = _LEAF
        _KINDS[t] = kind
    return kind


def is_namedtuple(value: Any) -> bool:
    return _kind(value) == _NAMEDTUPLE


def is_nested(value: Any) -> bool:
    return _kind(value) != _LEAF


def is_mapping(value: Any) -> bool:
    return _kind(value) == _MAPPING


def _sorted_keys(mapping: Mapping) -> list[Any]:
    try:
        return sorted(mapping)
    except TypeError as e:
        raise TypeError(f"nest only supports dicts with sortable keys: {e}") from None


def children(value: Any) -> list[tuple[Any, Any]]:
    """(key, child) pairs of one container, in flattening order (sorted keys for mappings)."""
    kind = _kind(value)
    if kind == _MAPPING:
        return [(k, value[k]) for k in _sorted_keys(value)]
    if kind == _NAMEDTUPLE:
        return list(zip(type(value)._fields, value, strict=True))
    return list(enumerate(value))


def flatten(structure: Any) -> list[Any]:
    """The leaves of `structure`, depth first."""
    out: list[Any] = []
    _flatten_into(structure, out)
    return out


def _flatten_into(structure: Any, out: list[Any]) -> None:
    kind = _kind(structure)
    if kind == _LEAF:
        out.append(structure)
    elif kind == _MAPPING:
        for key in _sorted_keys(structure):
            _flatten_into(structure[key], out)
    else:
        for child in structure:
            _flatten_into(child, out)


def flatten_with_paths(structure: Any, prefix: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """(path, leaf) pairs; a path is the tuple of keys/indices leading to the leaf."""
    if not is_nested(structure):
        yield prefix, structure
        return
    for key, child in children(structure):
        yield from flatten_with_paths(child, (*prefix, key))


def _rebuild(template: Any, values: list[Any]) -> Any:
    kind = _kind(template)
    if kind == _MAPPING:
        keys = _sorted_keys(template)
        by_key = dict(zip(keys, values, strict=True))
        # Keep the original insertion order of the keys, like TensorFlow's nest.
        ordered = {k: by_key[k] for k in template}
        if type(template) is dict:
            return ordered
        try:
            return type(template)(ordered)
        except TypeError:
            return ordered
    if kind == _NAMEDTUPLE:
        return type(template)(*values)
    if type(template) is tuple or isinstance(template, tuple):
        return tuple(values)
    return list(values)


def pack_sequence_as(structure: Any, flat: list[Any]) -> Any:
    """`structure` with its leaves replaced, in order, by the items of `flat`."""
    flat = list(flat)
    n = len(flatten(structure))
    if n != len(flat):
        raise ValueError(
            f"Could not pack sequence. Structure had {n} atoms, but flat_sequence had"
            f" {len(flat)} items."
        )
    it = iter(flat)

    def build(s: Any) -> Any:
        if not is_nested(s):
            return next(it)
        return _rebuild(s, [build(child) for _, child in children(s)])

    return build(structure)


def map_structure(fn: Callable[..., Any], structure: Any, *more: Any) -> Any:
    for other in more:
        assert_same_structure(structure, other)
    flats = [flatten(structure)] + [flatten(s) for s in more]
    return pack_sequence_as(structure, [fn(*xs) for xs in zip(*flats, strict=True)])


def assert_same_structure(a: Any, b: Any) -> None:
    if is_nested(a) != is_nested(b):
        raise ValueError(f"The two structures don't have the same nested structure: {a!r}, {b!r}")
    if not is_nested(a):
        return
    if is_mapping(a) != is_mapping(b) or (isinstance(a, list) != isinstance(b, list)):
        raise TypeError(f"The two structures don't have the same sequence type: {a!r}, {b!r}")
    ka = [k for k, _ in children(a)]
    kb = [k for k, _ in children(b)]
    if ka != kb:
        raise ValueError(f"The two structures don't have the same keys or length: {ka} vs {kb}")
    for (_, x), (_, y) in zip(children(a), children(b), strict=True):
        assert_same_structure(x, y)


def flatten_up_to(shallow: Any, structure: Any) -> list[Any]:
    """Flatten `structure` only as deep as `shallow` goes (its leaves may be subtrees)."""
    out: list[Any] = []
    _up_to(shallow, structure, out)
    return out


def _up_to(shallow: Any, value: Any, out: list[Any]) -> None:
    shallow_kind = _kind(shallow)
    if shallow_kind == _LEAF:
        out.append(value)
        return
    kind = _kind(value)
    if kind == _LEAF:
        raise TypeError(f"If shallow structure is a sequence, input must also be one: {value!r}")
    if shallow_kind == _MAPPING:
        if kind != _MAPPING:
            raise TypeError(f"expected a mapping, got {type(value).__name__}")
        if len(shallow) != len(value) or set(shallow) != set(value):
            raise ValueError(
                f"The input has keys {sorted(map(str, value))},"
                f" expected {sorted(map(str, shallow))}"
            )
        for key in _sorted_keys(shallow):
            _up_to(shallow[key], value[key], out)
        return
    if kind == _MAPPING:
        raise TypeError(f"expected a sequence, got a mapping {value!r}")
    if len(shallow) != len(value):
        raise ValueError(f"expected a sequence of length {len(shallow)}, got {len(value)}")
    for s, v in zip(shallow, value, strict=True):
        _up_to(s, v, out)
