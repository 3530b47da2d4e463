"""String kernels: conversions (StringToNumber, AsString, DecodeRaw), case and whitespace
(StringLower/Upper/Strip), StringLength, Substr, StringSplitV2, ReduceJoin, base64, regex
matching/replacement, StringToHashBucketFast.

String tensors are object arrays of `bytes`. Regexes run on Python's `re`, which agrees with
TensorFlow's RE2 for the common syntax (RE2-only constructs such as \\pN classes are not
supported); `\\1` style group references in rewrites work in both.
"""

from __future__ import annotations

import base64
import binascii
import re

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.formats.farmhash import fingerprint64
from savedmodel.ops._common import BFLOAT16, OBJECT, is_floating, reduction_axes, shape_str, text
from savedmodel.ops.registry import register

_map_bytes = np.frompyfunc(lambda fn, v: fn(v), 2, 1)


def _strings(values: list[bytes], shape: tuple[int, ...]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out.reshape(shape)


def _each(x: np.ndarray, fn) -> np.ndarray:
    return _strings([fn(v) for v in x.ravel().tolist()], x.shape)


# TF's strtod-style number syntax (no Python extras such as "1_000" or "0x10" for floats).
_FLOAT = re.compile(
    rb"\s*[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)\s*", re.IGNORECASE
)
_INT = re.compile(rb"\s*[+-]?\d+\s*")


def string_to_number(string_tensor: np.ndarray, *, out_type: np.dtype = np.float32) -> np.ndarray:
    dtype = np.dtype(out_type)
    flat = string_tensor.ravel().tolist()
    out = np.empty(len(flat), dtype=dtype)
    pattern = _FLOAT if is_floating(dtype) else _INT
    limits = None if is_floating(dtype) else np.iinfo(dtype)
    for i, s in enumerate(flat):
        if not pattern.fullmatch(s):
            raise InvalidArgumentError(
                f"StringToNumberOp could not correctly convert string: {s.decode(errors='replace')}"
            )
        if limits is None:
            with np.errstate(over="ignore"):
                out[i] = float(s)
        else:
            v = int(s)
            if not limits.min <= v <= limits.max:
                raise InvalidArgumentError(
                    "StringToNumberOp could not correctly convert string:"
                    f" {s.decode(errors='replace')}"
                )
            out[i] = v
    return out.reshape(string_tensor.shape)


def _format_float(v: float, precision: int, scientific: bool, shortest: bool) -> str:
    if shortest:
        spec = "g"
    elif scientific:
        spec = "e"
    else:
        spec = "f"
    if np.isnan(v):
        return "nan" if not np.signbit(v) else "-nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    prec = precision if precision > -1 else (6 if spec != "g" else -1)
    return format(v, f".{prec}{spec}") if prec >= 0 else format(v, spec)


def as_string(
    input: np.ndarray,  # noqa: A002
    *,
    precision: int = -1,
    scientific: bool = False,
    shortest: bool = False,
    width: int = -1,
    fill: str = "",
) -> np.ndarray:
    dtype = input.dtype
    if scientific and shortest:
        raise InvalidArgumentError("Cannot select both scientific and shortest notation")
    fill_char = text(fill)
    if len(fill_char) > 1:
        raise InvalidArgumentError(f"Fill string must be one or fewer characters: {fill_char}")
    if dtype == OBJECT:
        return input
    if dtype == np.bool_:
        strs = ["true" if v else "false" for v in input.ravel().tolist()]
    elif dtype.kind in "iu":
        strs = [str(v) for v in input.ravel().tolist()]
    elif dtype.kind == "c":
        strs = [
            f"({_format_float(v.real, precision, scientific, shortest)},"
            f"{_format_float(v.imag, precision, scientific, shortest)})"
            for v in input.ravel().tolist()
        ]
    else:
        values = input.astype(np.float64) if dtype == BFLOAT16 else input
        strs = [_format_float(v, precision, scientific, shortest) for v in values.ravel().tolist()]
    if width > 0:
        pad = fill_char or " "
        if pad == "0":
            strs = [s.rjust(width, "0") if s[:1] not in "+-" else s[0] + s[1:].rjust(width - 1, "0")
                    for s in strs]  # fmt: skip
        else:
            strs = [s.rjust(width, pad) for s in strs]
    return _strings([s.encode() for s in strs], input.shape)


def string_lower(input: np.ndarray, *, encoding: str = "") -> np.ndarray:  # noqa: A002
    if text(encoding) == "utf-8":
        return _each(input, lambda v: v.decode("utf-8", "surrogateescape").lower().encode(
            "utf-8", "surrogateescape"))  # fmt: skip
    return _each(input, bytes.lower)


def string_upper(input: np.ndarray, *, encoding: str = "") -> np.ndarray:  # noqa: A002
    if text(encoding) == "utf-8":
        return _each(input, lambda v: v.decode("utf-8", "surrogateescape").upper().encode(
            "utf-8", "surrogateescape"))  # fmt: skip
    return _each(input, bytes.upper)


def string_strip(input: np.ndarray) -> np.ndarray:  # noqa: A002
    return _each(input, lambda v: v.strip(b" \t\n\v\f\r"))


def string_length(input: np.ndarray, *, unit: str = "BYTE") -> np.ndarray:  # noqa: A002
    if text(unit) == "UTF8_CHAR":
        # Counts code points: every byte that is not a UTF-8 continuation byte.
        lengths = [sum(1 for b in v if b & 0xC0 != 0x80) for v in input.ravel().tolist()]
    else:
        lengths = [len(v) for v in input.ravel().tolist()]
    return np.array(lengths, dtype=np.int32).reshape(input.shape)


def substr(
    input: np.ndarray,
    pos: np.ndarray,
    len: np.ndarray,
    *,
    unit: str = "BYTE",  # noqa: A002
) -> np.ndarray:
    try:
        shape = np.broadcast_shapes(input.shape, pos.shape, len.shape)
    except ValueError:
        raise InvalidArgumentError(
            f"Incompatible shapes: {shape_str(input.shape)} vs. {shape_str(pos.shape)}"
        ) from None
    s = np.broadcast_to(input, shape).ravel().tolist()
    p = np.broadcast_to(pos, shape).ravel().tolist()
    n = np.broadcast_to(len, shape).ravel().tolist()
    utf8 = text(unit) == "UTF8_CHAR"
    out = []
    for value, start, length in zip(s, p, n, strict=True):
        seq = value.decode("utf-8", "surrogateescape") if utf8 else value
        size = seq.__len__()
        if start < 0:
            start += size
        if not 0 <= start <= size:
            raise InvalidArgumentError(f"pos {start} out of range for string b'{value!r}' at index")
        piece = seq[start : start + max(length, 0)]
        out.append(piece.encode("utf-8", "surrogateescape") if utf8 else piece)
    return _strings(out, shape)


def string_split_v2(input: np.ndarray, sep: np.ndarray, *, maxsplit: int = -1) -> list[np.ndarray]:  # noqa: A002
    if input.ndim != 1:
        raise InvalidArgumentError(f"input must be a vector, got shape: {shape_str(input.shape)}")
    separator = bytes(sep.reshape(()).item()) if sep.size else b""
    indices, values, longest = [], [], 0
    for row, value in enumerate(input.tolist()):
        if separator:
            parts = value.split(separator, maxsplit if maxsplit >= 0 else -1)
        else:
            # Empty separator: split on runs of whitespace, dropping empty pieces.
            parts = value.split(None, maxsplit) if maxsplit >= 0 else value.split()
        longest = max(longest, parts.__len__())
        for col, part in enumerate(parts):
            indices.append((row, col))
            values.append(part)
    idx = np.array(indices, dtype=np.int64).reshape(-1, 2)
    shape = np.array([input.shape[0], longest], dtype=np.int64)
    return [idx, _strings(values, (values.__len__(),)), shape]


def reduce_join(
    inputs: np.ndarray,
    reduction_indices: np.ndarray,
    *,
    keep_dims: bool = False,
    separator: str = "",
) -> np.ndarray:
    sep = text(separator).encode("utf-8", "surrogateescape")
    axes = reduction_axes(reduction_indices, inputs.ndim)
    if not axes and reduction_indices.ndim == 0:
        axes = ()
    keep = [d for d in range(inputs.ndim) if d not in axes]
    # Axes are joined in the order given, the first one innermost.
    moved = np.transpose(inputs, keep + list(reversed(axes)))
    lead = moved.shape[: len(keep)]
    rows = moved.reshape(int(np.prod(lead, dtype=np.int64)), -1)
    joined = [sep.join(r) for r in rows.tolist()]
    out = _strings(joined, lead)
    if keep_dims:
        out = out.reshape([1 if d in axes else inputs.shape[d] for d in range(inputs.ndim)])
    return out


def encode_base64(input: np.ndarray, *, pad: bool = False) -> np.ndarray:  # noqa: A002
    def enc(v: bytes) -> bytes:
        out = base64.urlsafe_b64encode(v)
        return out if pad else out.rstrip(b"=")

    return _each(input, enc)


def decode_base64(input: np.ndarray) -> np.ndarray:  # noqa: A002
    def dec(v: bytes) -> bytes:
        try:
            return base64.urlsafe_b64decode(v + b"=" * (-len(v) % 4))
        except (binascii.Error, ValueError):
            raise InvalidArgumentError(f"Invalid character found in base64: {v!r}") from None

    return _each(input, dec)


def _compile(pattern: bytes | str) -> re.Pattern:
    raw = pattern.encode("utf-8", "surrogateescape") if isinstance(pattern, str) else pattern
    try:
        return re.compile(raw)
    except re.error as e:
        raise InvalidArgumentError(f"Invalid pattern: {raw!r}, error: {e}") from None


def _rewrite(rewrite: bytes | str) -> bytes:
    raw = rewrite.encode("utf-8", "surrogateescape") if isinstance(rewrite, str) else rewrite
    # RE2 rewrites write groups as \1; Python's `re` agrees, and \0 (whole match) becomes \g<0>.
    return raw.replace(b"\\0", b"\\g<0>")


def static_regex_replace(
    input: np.ndarray,
    *,
    pattern: str,
    rewrite: str,
    replace_global: bool = True,  # noqa: A002
) -> np.ndarray:
    regex, repl = _compile(pattern), _rewrite(rewrite)
    count = 0 if replace_global else 1
    return _each(input, lambda v: regex.sub(repl, v, count=count))


def regex_replace(
    input: np.ndarray,
    pattern: np.ndarray,
    rewrite: np.ndarray,
    *,
    replace_global: bool = True,  # noqa: A002
) -> np.ndarray:
    return static_regex_replace(
        input, pattern=bytes(pattern.reshape(()).item()), rewrite=bytes(rewrite.reshape(()).item()),
        replace_global=replace_global,
    )  # fmt: skip


def static_regex_full_match(input: np.ndarray, *, pattern: str) -> np.ndarray:  # noqa: A002
    regex = _compile(pattern)
    flags = [regex.fullmatch(v) is not None for v in input.ravel().tolist()]
    return np.array(flags, dtype=bool).reshape(input.shape)


def regex_full_match(input: np.ndarray, pattern: np.ndarray) -> np.ndarray:  # noqa: A002
    return static_regex_full_match(input, pattern=bytes(pattern.reshape(()).item()))


def string_to_hash_bucket_fast(input: np.ndarray, *, num_buckets: int) -> np.ndarray:  # noqa: A002
    if num_buckets < 1:
        raise InvalidArgumentError(f"num_buckets must be >= 1, got {num_buckets}")
    hashes = [fingerprint64(v) % num_buckets for v in input.ravel().tolist()]
    return np.array(hashes, dtype=np.int64).reshape(input.shape)


def decode_raw(
    bytes: np.ndarray,
    *,
    out_type: np.dtype,
    little_endian: bool = True,  # noqa: A002
) -> np.ndarray:
    dtype = np.dtype(out_type).newbyteorder("<" if little_endian else ">")
    flat = bytes.ravel().tolist()
    size = dtype.itemsize
    lengths = {len(v) for v in flat}
    if len(lengths) > 1:
        raise InvalidArgumentError(
            "DecodeRaw requires input strings to all be the same size, but element 1 has size"
            f" {sorted(lengths)[1]} != {sorted(lengths)[0]}"
        )
    width = lengths.pop() if lengths else 0
    if width % size:
        raise InvalidArgumentError(
            f"Input to DecodeRaw has length {width} that is not a multiple of {size}, the size of"
            f" {np.dtype(out_type).name}"
        )
    data = np.frombuffer(b"".join(flat), dtype=dtype).astype(np.dtype(out_type))
    return data.reshape(bytes.shape + (width // size,))


def _format_number(v: object, dtype: np.dtype) -> str:
    if dtype == np.bool_:
        return "1" if v else "0"
    if dtype.kind in "iu":
        return str(v)
    if dtype.kind == "c":
        part = np.dtype(np.float64) if dtype == np.complex128 else np.dtype(np.float32)
        return f"({_format_number(v.real, part)},{_format_number(v.imag, part)})"
    f = float(v)
    if np.isnan(f):
        return "nan" if not np.signbit(f) else "-nan"
    if np.isinf(f):
        return "inf" if f > 0 else "-inf"
    # NOTE: TF prints the short form (%.6g, %.15g for doubles) when it reads back to the same
    # value, else 9 (17) significant digits.
    digits = (15, 17) if dtype == np.float64 else (6, 9)
    kind = np.float64 if dtype == np.float64 else np.float32
    short = format(f, f".{digits[0]}g")
    return short if kind(float(short)) == kind(f) else format(f, f".{digits[1]}g")


def summarize(value: np.ndarray, limit: int) -> str:
    """A tensor as tf.print shows it: nested brackets, at most `limit` values at each end of a
    dimension (-1: all), strings quoted."""
    if value.dtype == OBJECT:

        def one(v: object) -> str:
            return '"' + bytes(v).decode("utf-8", "backslashreplace") + '"'
    else:

        def one(v: object) -> str:
            return _format_number(v, value.dtype)

    if value.ndim == 0:
        return one(value[()])

    def dim(x: np.ndarray, depth: int) -> str:
        n = x.shape[0]
        idx = list(range(n))
        cut = limit >= 0 and n > 2 * limit
        if cut:
            idx = idx[:limit] + [-1] + idx[n - limit :]
        last = x.ndim == 1
        sep = " " if last else "\n" * (x.ndim - 1) + " " * (depth + 1)
        parts = ["..." if i < 0 else (one(x[i]) if last else dim(x[i], depth + 1)) for i in idx]
        return "[" + sep.join(parts) + "]"

    return dim(value, 0)


def summarize_v1(value: np.ndarray, limit: int) -> str:
    """A tensor as Assert and Print (v1) show it: the first `limit` values in flat order, nested
    brackets glued together, "..." where values were left out."""

    def one(v: object) -> str:
        if value.dtype == OBJECT:
            return bytes(v).decode("utf-8", "backslashreplace")
        return _format_number(v, value.dtype)

    flat = value.ravel().tolist()
    shape = value.shape
    printed = 0
    out: list[str] = []

    def dim(d: int) -> None:
        nonlocal printed
        if printed >= limit:
            return
        if d == len(shape) - 1:
            for i in range(shape[d]):
                if printed >= limit:
                    if d != 0:
                        out.append("...")
                    return
                if i:
                    out.append(" ")
                out.append(one(flat[printed]))
                printed += 1
            return
        for _ in range(shape[d]):
            opened = printed < limit
            if opened:
                out.append("[")
            dim(d + 1)
            if opened:
                out.append("]")

    if value.size == 0:
        return ""
    if value.ndim == 0:
        return one(flat[0]) if limit > 0 else ""
    dim(0)
    if limit < value.size:
        out.append("...")
    return "".join(out)


def string_format(
    inputs: list[np.ndarray], *, template: str = "%s", placeholder: str = "%s", summarize: int = 3
) -> np.ndarray:
    pieces = text(template).split(text(placeholder))
    if len(pieces) - 1 != len(inputs):
        raise InvalidArgumentError(
            f"num placeholders in template and num inputs must match: {len(pieces) - 1} vs."
            f" {len(inputs)}"
        )
    out = pieces[0]
    for value, piece in zip(inputs, pieces[1:], strict=True):
        out += _summarize(value, summarize) + piece
    return np.array(out.encode("utf-8", "surrogateescape"), dtype=object)


_summarize = summarize

register("StringToNumber", string_to_number)
register("AsString", as_string)
register("StringLower", string_lower)
register("StringUpper", string_upper)
register("StringStrip", string_strip)
register("StringLength", string_length)
register("Substr", substr)
register("StringSplitV2", string_split_v2)
register("ReduceJoin", reduce_join)
register("EncodeBase64", encode_base64)
register("DecodeBase64", decode_base64)
register("StaticRegexReplace", static_regex_replace)
register("RegexReplace", regex_replace)
register("StaticRegexFullMatch", static_regex_full_match)
register("RegexFullMatch", regex_full_match)
register("StringToHashBucketFast", string_to_hash_bucket_fast)
register("DecodeRaw", decode_raw)
register("StringFormat", string_format)
