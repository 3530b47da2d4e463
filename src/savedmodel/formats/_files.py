"""File reading shared by the SavedModel directory modules: OS failures become our errors."""

from __future__ import annotations

import os

from savedmodel import errors


def read_bytes(path: str | os.PathLike[str], what: str = "file") -> bytes:
    """The bytes of ``path``; NotFoundError if it is missing, else our error for OS failures."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise errors.NotFoundError(f"{what} does not exist: {os.fspath(path)}") from None
    except PermissionError as e:
        raise errors.PermissionDeniedError(f"Cannot read {os.fspath(path)}: {e.strerror}") from e
    except OSError as e:
        # e.g. a directory where a file should be, or an I/O error on a damaged disk
        raise errors.DataLossError(f"Cannot read {os.fspath(path)}: {e.strerror or e}") from e
