"""`tf.train`-style checkpoint reading: load_checkpoint, list_variables, latest_checkpoint.

Mirrors TensorFlow's behaviour: a directory argument resolves through its `checkpoint` state
file (a text `tensorflow.CheckpointState`), relative paths in it are taken relative to the
directory, `get_tensor` of a 0-d tensor returns a numpy scalar (bytes for strings), and the
dtype map holds `savedmodel.dtypes.DType` objects (`tf.float32`), as TensorFlow's holds tf.DTypes.
Only V2 (tensor bundle) checkpoints are supported.
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass, field
from typing import Any

from savedmodel import dtypes
from savedmodel.checkpoint import BundleReader, index_path
from savedmodel.errors import DataLossError, NotFoundError, UnimplementedError

CHECKPOINT_STATE_FILE = "checkpoint"
_SLICE_KEY_PREFIX = b"\x00"  # OrderedCode NumIncreasing(0): keys of partition slices


class CheckpointReader:
    """Reads one checkpoint prefix, like TensorFlow's `py_checkpoint_reader.CheckpointReader`."""

    def __init__(self, prefix: str | os.PathLike[str]) -> None:
        prefix = os.fspath(prefix)
        if not os.path.isfile(index_path(prefix)):
            if os.path.isfile(prefix):
                raise UnimplementedError(f"{prefix}: V1 checkpoints are not supported")
            raise NotFoundError(
                "Unsuccessful TensorSliceReader constructor: Failed to find any matching files "
                f"for {prefix}"
            )
        self._reader = BundleReader(prefix)
        self._names = {
            key.decode("utf-8", "surrogateescape"): key
            for key in self._reader.keys()
            if not key.startswith(_SLICE_KEY_PREFIX)
        }

    @property
    def prefix(self) -> str:
        return self._reader.prefix

    def get_variable_to_shape_map(self) -> dict[str, list[int]]:
        return {name: list(self._reader.shape(key)) for name, key in self._names.items()}

    def get_variable_to_dtype_map(self) -> dict[str, dtypes.DType]:
        return {name: dtypes.DType(self._reader.dtype(key)) for name, key in self._names.items()}

    def has_tensor(self, name: str) -> bool:
        return name in self._names

    def get_tensor(self, name: str) -> Any:
        """The tensor's value; a 0-d tensor comes back as a numpy scalar (bytes for strings)."""
        key = self._names.get(name)
        if key is None:
            raise NotFoundError(f"Key {name} not found in checkpoint")
        value = self._reader.get_tensor(key)
        return value[()] if value.ndim == 0 else value

    def debug_string(self) -> bytes:
        """One line per stored tensor, `key (DT_X) [d0,d1]`, as TensorFlow prints them."""
        lines = []
        for key in self._reader.keys():
            entry = self._reader.entry(key)
            if entry.slices:
                continue
            dims = ",".join(str(d.size) for d in entry.shape.dim)
            lines.append(key + f" ({dtypes.enum_name(entry.dtype)}) [{dims}]\n".encode())
        return b"".join(lines)

    def close(self) -> None:
        self._reader.close()


# ---------------------------------------------------------------------------------------------
# The `checkpoint` state file


@dataclass
class CheckpointState:
    """The fields of `tensorflow.CheckpointState` (saver.proto's sibling checkpoint_state.proto)."""

    model_checkpoint_path: str = ""
    all_model_checkpoint_paths: list[str] = field(default_factory=list)
    all_model_checkpoint_timestamps: list[float] = field(default_factory=list)
    last_preserved_timestamp: float = 0.0


# field name -> (Python type, repeated)
_STATE_FIELDS = {
    "model_checkpoint_path": (str, False),
    "all_model_checkpoint_paths": (str, True),
    "all_model_checkpoint_timestamps": (float, True),
    "last_preserved_timestamp": (float, False),
}
_FIELD_RE = re.compile(r'\s*(\w+)\s*:\s*(?:"((?:[^"\\]|\\.)*)"|([-+.\w]+))\s*')


def parse_checkpoint_state(text: str, path: str = CHECKPOINT_STATE_FILE) -> CheckpointState:
    """Parse the text-format CheckpointState written by TF's savers (scalars only)."""
    state = CheckpointState()
    pos = 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        if text[pos] == "#":
            end = text.find("\n", pos)
            pos = len(text) if end < 0 else end
            continue
        m = _FIELD_RE.match(text, pos)
        if m is None:
            raise DataLossError(
                f"{path}: cannot parse checkpoint state near {text[pos : pos + 40]!r}"
            )
        name, quoted, bare = m.groups()
        pos = m.end()
        try:
            if quoted is not None:
                value: Any = codecs.escape_decode(quoted.encode("utf-8"))[0].decode("utf-8")
            else:
                value = float(bare)
        except (ValueError, UnicodeDecodeError):
            raise DataLossError(f"{path}: bad value for {name}") from None
        kind = _STATE_FIELDS.get(name)
        if kind is None or kind[0] is not type(value):
            raise DataLossError(f"{path}: unexpected field {name}")
        if kind[1]:
            getattr(state, name).append(value)
        else:
            setattr(state, name, value)
    return state


def get_checkpoint_state(
    checkpoint_dir: str | os.PathLike[str], latest_filename: str | None = None
) -> CheckpointState | None:
    """The directory's CheckpointState with paths made absolute, or None if there is none."""
    checkpoint_dir = os.fspath(checkpoint_dir)
    path = os.path.join(checkpoint_dir, latest_filename or CHECKPOINT_STATE_FILE)
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8", errors="replace") as f:
        state = parse_checkpoint_state(f.read(), path)
    if not state.model_checkpoint_path:
        raise ValueError(f"Invalid checkpoint state loaded from {checkpoint_dir}")
    state.model_checkpoint_path = os.path.join(checkpoint_dir, state.model_checkpoint_path)
    state.all_model_checkpoint_paths = [
        os.path.join(checkpoint_dir, p) for p in state.all_model_checkpoint_paths
    ]
    return state


def latest_checkpoint(
    checkpoint_dir: str | os.PathLike[str], latest_filename: str | None = None
) -> str | None:
    """The prefix named by the directory's `checkpoint` file, if its files exist; else None."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is None:
        return None
    prefix = state.model_checkpoint_path
    if os.path.exists(index_path(prefix)) or os.path.exists(prefix):
        return prefix
    return None


# ---------------------------------------------------------------------------------------------
# tf.train functions


class NoCheckpointError(NotFoundError, ValueError):
    """A directory holds no checkpoint. Also a ValueError, which is what TF raises here."""


def _resolve(ckpt_dir_or_file: str | os.PathLike[str]) -> str:
    path = os.fspath(ckpt_dir_or_file)
    if os.path.isdir(path):
        prefix = latest_checkpoint(path)
        if prefix is None:
            # NOTE: TF's message (tf.train.load_checkpoint raises a ValueError with it).
            raise NoCheckpointError(
                f"Couldn't find 'checkpoint' file or checkpoints in given directory {path}"
            )
        return prefix
    return path


def load_checkpoint(ckpt_dir_or_file: str | os.PathLike[str]) -> CheckpointReader:
    """A CheckpointReader for a checkpoint prefix, or for the latest one in a directory."""
    return CheckpointReader(_resolve(ckpt_dir_or_file))


def load_variable(ckpt_dir_or_file: str | os.PathLike[str], name: str) -> Any:
    """The value of one tensor (a trailing ":0" in `name` is ignored, as in TensorFlow)."""
    name = name.removesuffix(":0")
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)


def list_variables(ckpt_dir_or_file: str | os.PathLike[str]) -> list[tuple[str, list[int]]]:
    """Sorted (name, shape) pairs of every tensor in the checkpoint."""
    shapes = load_checkpoint(ckpt_dir_or_file).get_variable_to_shape_map()
    return [(name, shapes[name]) for name in sorted(shapes)]
