"""Static shapes while building graphs: `TensorShape` (partially known) and `Dimension`.

`TensorShape` extends the value class of `savedmodel.formats.nested_structure` (so it encodes in
StructuredValues unchanged) with what graph building needs: merging, compatibility checks,
concatenation, indexing and TF2's `shape[i] -> int | None` behaviour.

    TensorShape([None, 3]).merge_with([2, None])   # TensorShape([2, 3])
    TensorShape(None).rank                         # None (unknown rank)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from savedmodel import protos
from savedmodel.formats import nested_structure as _ns
from savedmodel.tensors import shape_from_proto


class Dimension:
    """One dimension: an int or None (unknown). TF2 code rarely sees these (`shape[i]` is int)."""

    __slots__ = ("_value",)

    def __init__(self, value: Any) -> None:
        if isinstance(value, Dimension):
            value = value.value
        if value is not None:
            value = int(value)
            if value < 0:
                raise ValueError(f"Dimension {value} must be >= 0")
        self._value = value

    @property
    def value(self) -> int | None:
        return self._value

    def is_compatible_with(self, other: Any) -> bool:
        other = Dimension(other)
        return self._value is None or other.value is None or self._value == other.value

    def merge_with(self, other: Any) -> Dimension:
        other = Dimension(other)
        if not self.is_compatible_with(other):
            raise ValueError(f"Dimensions {self} and {other} are not compatible")
        return Dimension(self._value if self._value is not None else other.value)

    def __eq__(self, other: object) -> Any:
        try:
            other_value = Dimension(other).value  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return NotImplemented
        if self._value is None or other_value is None:
            return None
        return self._value == other_value

    def __hash__(self) -> int:
        return hash(self._value)

    def __int__(self) -> int:
        if self._value is None:
            raise TypeError("Cannot convert an unknown Dimension to an int")
        return self._value

    __index__ = __int__

    def __repr__(self) -> str:
        return f"Dimension({self._value!r})"

    def __str__(self) -> str:
        return "?" if self._value is None else str(self._value)


def dimension_value(dim: Any) -> int | None:
    return dim.value if isinstance(dim, Dimension) else dim


def _dim(value: Any) -> int | None:
    value = dimension_value(value)
    if value is None:
        return None
    value = int(value)
    if value < 0:
        raise ValueError(f"Dimension {value} must be >= 0")
    return value


class TensorShape(_ns.TensorShape):
    """A possibly partially known static shape, as `tf.TensorShape`."""

    __slots__ = ()

    def __init__(self, dims: Any = None) -> None:
        if isinstance(dims, _ns.TensorShape):
            dims = dims.dims
        elif isinstance(dims, protos.TensorShapeProto):
            dims = shape_from_proto(dims)
        elif isinstance(dims, (int, Dimension)) or dims is not None and not _iterable(dims):
            dims = [dims]
        super().__init__(None if dims is None else [_dim(d) for d in dims])

    # -- properties ------------------------------------------------------------------------------

    @property
    def ndims(self) -> int | None:
        return self.rank

    def num_elements(self) -> int | None:
        if not self.is_fully_defined():
            return None
        n = 1
        for d in self._dims:  # type: ignore[union-attr]
            n *= d  # type: ignore[operator]
        return n

    def is_fully_defined(self) -> bool:
        return self._dims is not None and all(d is not None for d in self._dims)

    def as_proto(self) -> Any:
        return self.to_proto()

    # -- compatibility ---------------------------------------------------------------------------

    def is_compatible_with(self, other: Any) -> bool:
        other = as_shape(other)
        if self._dims is None or other.dims is None:
            return True
        if len(self._dims) != len(other.dims):
            return False
        pairs = zip(self._dims, other.dims, strict=True)
        return all(a is None or b is None or a == b for a, b in pairs)

    def assert_is_compatible_with(self, other: Any) -> None:
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {as_shape(other)} are incompatible")

    def merge_with(self, other: Any) -> TensorShape:
        other = as_shape(other)
        if self._dims is None:
            return other
        if other.dims is None:
            return self
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {other} are not compatible")
        return TensorShape(
            [a if a is not None else b for a, b in zip(self._dims, other.dims, strict=True)]
        )

    def most_specific_compatible_shape(self, other: Any) -> TensorShape:
        other = as_shape(other)
        if self._dims is None or other.dims is None or len(self._dims) != len(other.dims):
            return TensorShape(None)
        return TensorShape(
            [a if a == b else None for a, b in zip(self._dims, other.dims, strict=True)]
        )

    def concatenate(self, other: Any) -> TensorShape:
        other = as_shape(other)
        if self._dims is None or other.dims is None:
            return TensorShape(None)
        return TensorShape(self._dims + other.dims)

    def with_rank(self, rank: int) -> TensorShape:
        try:
            return self.merge_with(TensorShape([None] * rank))
        except ValueError:
            raise ValueError(f"Shape {self} must have rank {rank}") from None

    def with_rank_at_least(self, rank: int) -> TensorShape:
        if self._dims is not None and len(self._dims) < rank:
            raise ValueError(f"Shape {self} must have rank at least {rank}")
        return self

    def with_rank_at_most(self, rank: int) -> TensorShape:
        if self._dims is not None and len(self._dims) > rank:
            raise ValueError(f"Shape {self} must have rank at most {rank}")
        return self

    def assert_has_rank(self, rank: int) -> None:
        if self._dims is not None and len(self._dims) != rank:
            raise ValueError(f"Shape {self} must have rank {rank}")

    def assert_is_fully_defined(self) -> None:
        if not self.is_fully_defined():
            raise ValueError(f"Shape {self} is not fully defined")

    # -- sequence behaviour ----------------------------------------------------------------------

    def __getitem__(self, key: Any) -> Any:
        if self._dims is None:
            if isinstance(key, slice):
                start, stop = key.start, key.stop
                if (start is None or start >= 0) and stop is not None and stop >= 0:
                    n = max(0, stop - (start or 0))
                    return TensorShape([None] * n)
                return TensorShape(None)
            return None
        if isinstance(key, slice):
            return TensorShape(self._dims[key])
        return self._dims[key]

    def __bool__(self) -> bool:
        return self._dims is not None

    def __add__(self, other: Any) -> TensorShape:
        return self.concatenate(other)

    def __radd__(self, other: Any) -> TensorShape:
        return as_shape(other).concatenate(self)

    def __eq__(self, other: object) -> bool:
        try:
            other_shape = as_shape(other)
        except (TypeError, ValueError):
            return NotImplemented
        return self._dims == other_shape.dims

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        return super().__hash__()

    def __reduce__(self) -> tuple[Any, ...]:
        return (TensorShape, (None if self._dims is None else list(self._dims),))


def _iterable(value: Any) -> bool:
    if isinstance(value, (str, bytes)):
        return False
    return isinstance(value, Iterable)


def as_shape(shape: Any) -> TensorShape:
    """A TensorShape from a TensorShape, list/tuple of dims, TensorShapeProto or None."""
    if isinstance(shape, TensorShape):
        return shape
    return TensorShape(shape)


def unknown_shape(rank: int | None = None) -> TensorShape:
    return TensorShape(None if rank is None else [None] * rank)


def scalar() -> TensorShape:
    return TensorShape([])
