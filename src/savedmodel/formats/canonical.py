"""Canonical ("deterministic") protobuf serialization, as TensorFlow's C++ code produces it.

TensorFlow hashes protos serialized with C++ ``SerializeToStringDeterministic``: fields in
ascending field-number order and the entries of every map sorted by key in ascending order
(integers numerically, strings bytewise). Python protobuf's ``SerializeToString(deterministic=
True)`` matches that except for map order, so ``canonical_serialize`` starts from it and
re-sorts the map entries on the wire bytes, guided by the message descriptors.

# NOTE: protobuf 7.x (upb) with deterministic=True does not sort maps like C++: integer keys
# come out in DESCENDING order (FunctionDef.arg_attr), and a string key that is a prefix of
# another comes AFTER it ("ab" before "a", "AssignVariableOp_1" before "AssignVariableOp" in
# FunctionDef.control_ret). Sorting the entries of a map in place keeps every length prefix
# valid, because bytes are only permuted inside the enclosing sub-message.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import descriptor, message

__all__ = ["canonical_serialize"]

_FD = descriptor.FieldDescriptor

_SIGNED_VARINT = {_FD.TYPE_INT32, _FD.TYPE_INT64, _FD.TYPE_ENUM}
_ZIGZAG = {_FD.TYPE_SINT32, _FD.TYPE_SINT64}
_SIGNED_FIXED = {_FD.TYPE_SFIXED32, _FD.TYPE_SFIXED64}

# Per message descriptor: {field number: (is_map, key field type, descriptor to recurse into
# or None)} for the fields through which a map can be reached; {} when none can (then plain
# deterministic bytes are already canonical).
_PLANS: dict[descriptor.Descriptor, dict[int, tuple[bool, int, descriptor.Descriptor | None]]] = {}


def canonical_serialize(msg: message.Message) -> bytes:
    """Serialize ``msg`` the way C++ ``SerializeToStringDeterministic`` does."""
    data = msg.SerializeToString(deterministic=True)
    if not _plan(msg.DESCRIPTOR):
        return data
    buf = bytearray(data)
    _canonicalize(buf, 0, len(buf), msg.DESCRIPTOR)
    return bytes(buf)


def _is_map(field: descriptor.FieldDescriptor) -> bool:
    entry = field.message_type
    return entry is not None and entry.GetOptions().map_entry


def _plan(desc: descriptor.Descriptor) -> dict[int, tuple[bool, int, descriptor.Descriptor | None]]:
    plan = _PLANS.get(desc)
    if plan is not None:
        return plan
    # Which messages reachable from `desc` (cycles included) contain a map: a fixed point over
    # the reachable message graph.
    graph: dict[descriptor.Descriptor, list[descriptor.Descriptor]] = {}
    stack = [desc]
    while stack:
        d = stack.pop()
        if d in graph:
            continue
        children = [f.message_type for f in d.fields if f.message_type is not None]
        graph[d] = children
        stack.extend(children)
    needs = {d for d in graph if any(_is_map(f) for f in d.fields)}
    changed = True
    while changed:
        changed = False
        for d, children in graph.items():
            if d not in needs and any(c in needs for c in children):
                needs.add(d)
                changed = True
    for d in graph:
        if d in _PLANS:
            continue
        p: dict[int, tuple[bool, int, descriptor.Descriptor | None]] = {}
        for f in d.fields:
            sub = f.message_type
            if sub is None:
                continue
            if _is_map(f):
                key_type = sub.fields_by_number[1].type
                value = sub.fields_by_number[2].message_type
                p[f.number] = (True, key_type, value if value in needs else None)
            elif sub in needs:
                p[f.number] = (False, 0, sub)
        _PLANS[d] = p
    return _PLANS[desc]


def _varint(buf: bytearray, pos: int) -> tuple[int, int]:
    result = 0
    shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def _skip(buf: bytearray, pos: int, wire_type: int, end: int) -> int:
    """Position after a field value of `wire_type` starting at `pos`."""
    if wire_type == 2:
        n = buf[pos]
        if n < 0x80:
            return pos + 1 + n
        n, pos = _varint(buf, pos)
        return pos + n
    if wire_type == 0:
        while buf[pos] >= 0x80:
            pos += 1
        return pos + 1
    if wire_type == 1:
        return pos + 8
    if wire_type == 5:
        return pos + 4
    if wire_type == 3:  # a group (only possible among unknown fields): skip to its end tag
        while pos < end:
            tag, pos = _varint(buf, pos)
            if tag & 7 == 4:
                return pos
            pos = _skip(buf, pos, tag & 7, end)
        return pos
    raise ValueError(f"unexpected wire type {wire_type}")


def _map_key(buf: bytearray, start: int, end: int, key_type: int) -> int | bytes:
    """The sort key of the map entry encoded in buf[start:end] (an absent key is 0 or b"")."""
    key: int | bytes = b"" if key_type == _FD.TYPE_STRING else 0
    pos = start
    while pos < end:
        tag, pos = _varint(buf, pos)
        wire_type = tag & 7
        if tag >> 3 != 1:
            pos = _skip(buf, pos, wire_type, end)
        elif wire_type == 2:
            n, pos = _varint(buf, pos)
            key = bytes(buf[pos : pos + n])
            pos += n
        elif wire_type == 0:
            v, pos = _varint(buf, pos)
            v &= 0xFFFFFFFFFFFFFFFF
            if key_type in _ZIGZAG:
                v = (v >> 1) ^ -(v & 1)
            elif key_type in _SIGNED_VARINT and v >= 1 << 63:
                v -= 1 << 64
            key = v
        elif wire_type in (1, 5):
            width = 8 if wire_type == 1 else 4
            key = int.from_bytes(buf[pos : pos + width], "little", signed=key_type in _SIGNED_FIXED)
            pos += width
        else:
            pos = _skip(buf, pos, wire_type, end)
    return key


def _canonicalize(buf: bytearray, start: int, end: int, desc: descriptor.Descriptor) -> None:
    plan = _PLANS[desc]
    pos = start
    run_field = -1  # the map field whose consecutive entries are being collected
    run: list[tuple[Any, int, int]] = []  # (sort key, record start, record end)
    while pos < end:
        record_start = pos
        # One-byte tags and lengths are the common case: decode them inline.
        tag = buf[pos]
        if tag < 0x80:
            pos += 1
        else:
            tag, pos = _varint(buf, pos)
        wire_type = tag & 7
        entry = plan.get(tag >> 3) if wire_type == 2 else None
        if entry is None:
            pos = _skip(buf, pos, wire_type, end)
            if run:
                _flush(buf, run)
            run_field = -1
            continue
        length = buf[pos]
        if length < 0x80:
            body = pos + 1
        else:
            length, body = _varint(buf, pos)
        pos = body + length
        is_map, key_type, sub = entry
        if not is_map:
            if run:
                _flush(buf, run)
            run_field = -1
            if sub is not None:
                _canonicalize(buf, body, pos, sub)
            continue
        if sub is not None:
            _canonicalize_map_value(buf, body, pos, sub)
        if tag != run_field:
            if run:
                _flush(buf, run)
            run_field = tag
        # String keys come first in the entry as a short `0a <len> <bytes>`.
        if length >= 2 and buf[body] == 0x0A and (n := buf[body + 1]) < 0x80 and n <= length - 2:
            key = bytes(buf[body + 2 : body + 2 + n])
        else:
            key = _map_key(buf, body, pos, key_type)
        run.append((key, record_start, pos))
    if run:
        _flush(buf, run)


def _canonicalize_map_value(
    buf: bytearray, start: int, end: int, value_desc: descriptor.Descriptor
) -> None:
    pos = start
    while pos < end:
        tag, pos = _varint(buf, pos)
        if tag == (2 << 3) | 2:
            length, body = _varint(buf, pos)
            pos = body + length
            _canonicalize(buf, body, pos, value_desc)
        else:
            pos = _skip(buf, pos, tag & 7, end)


def _flush(buf: bytearray, run: list[tuple[Any, int, int]]) -> None:
    """Rewrite a run of consecutive map-entry records in ascending key order, in place."""
    if len(run) > 1 and any(run[i][0] > run[i + 1][0] for i in range(len(run) - 1)):
        first, last = run[0][1], run[-1][2]
        pieces = b"".join(bytes(buf[s:e]) for _, s, e in sorted(run, key=lambda r: r[0]))
        buf[first:last] = pieces
    run.clear()
