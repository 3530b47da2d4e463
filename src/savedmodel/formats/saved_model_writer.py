"""Writing a SavedModel directory, atomically.

Everything is built in a fresh sibling directory (``.<name>.tmp-<random>``) and renamed into
place at the end, so a failure part-way leaves no partial model behind, and an existing model is
replaced only when ``overwrite=True`` (an existing *empty* directory is always replaced, as
TensorFlow's builder accepts one).

The SavedModel is serialized the way TensorFlow's Python writers do it: binary with
``SerializeToString(deterministic=True)``, text with ``str(msg)`` (``Builder.save(as_text=
True)``), which reproduces TensorFlow's files byte for byte when given the same proto.
The checkpoint under ``variables/`` is written by a caller-supplied function (e.g. the
``savedmodel.checkpoint`` bundle writer) or copied from an existing checkpoint prefix.
"""

from __future__ import annotations

import errno
import glob
import os
import secrets
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from google.protobuf.message import Message

from savedmodel import errors
from savedmodel.formats import fingerprint as _fingerprint
from savedmodel.formats import saved_model_dir as _dir

__all__ = ["AssetSource", "copy_saved_model", "write_saved_model"]

# An asset's content: a file to copy (path) or the bytes themselves.
AssetSource = str | os.PathLike[str] | bytes
# Assets: {relative name: source}, or a directory whose whole tree is copied.
Assets = Mapping[str, AssetSource] | str | os.PathLike[str]
# Variables: a function writing a checkpoint at the prefix it is given, or an existing prefix.
Variables = Callable[[str], object] | str | os.PathLike[str]

_RESERVED = {
    _dir.SAVED_MODEL_FILENAME_PB,
    _dir.SAVED_MODEL_FILENAME_PBTXT,
    _dir.SAVED_MODEL_FILENAME_CPB,
    _dir.FINGERPRINT_FILENAME,
    _dir.VARIABLES_DIRECTORY,
    _dir.ASSETS_DIRECTORY,
    _dir.EXTRA_ASSETS_DIRECTORY,
}


def write_saved_model(
    export_dir: str | os.PathLike[str],
    saved_model: Message,
    *,
    as_text: bool = False,
    variables: Variables | None = None,
    assets: Assets | None = None,
    extra_assets: Assets | None = None,
    fingerprint: bool = False,
    extra_files: Mapping[str, bytes] | None = None,
    overwrite: bool = False,
) -> str:
    """Write a SavedModel directory atomically and return its path.

    Args:
      export_dir: the directory to create (its parents are created as needed).
      saved_model: the ``tensorflow.SavedModel`` proto.
      as_text: write ``saved_model.pbtxt`` instead of ``saved_model.pb`` (never both).
      variables: ``fn(prefix)`` that writes the checkpoint at ``prefix`` (the path
        ``.../variables/variables``), or the prefix of an existing checkpoint to copy. With
        None, ``variables/`` is created empty, like TF1 builders do for models without
        variables.
      assets: files for ``assets/`` (``{name: path or bytes}``, or a directory to copy). An
        empty mapping creates an empty ``assets/`` (TF2 writers always create it); None
        creates none (TF1 writers without assets).
      extra_assets: files for ``assets.extra/``, same forms as ``assets``.
      fingerprint: also write ``fingerprint.pb`` (TF2 writers do; TF1 builders do not).
      extra_files: other files, ``{relative path: bytes}`` (e.g. ``keras_metadata.pb``,
        ``debug/saved_model_debug_info.pb``).
      overwrite: replace an existing non-empty ``export_dir``; otherwise that is an
        AlreadyExistsError.
    """
    target = Path(os.path.abspath(os.fspath(export_dir)))
    extra = {_relative_path(k, "extra_files"): v for k, v in (extra_files or {}).items()}
    for rel in extra:
        if rel.parts[0] in _RESERVED:
            raise errors.InvalidArgumentError(
                f"extra_files may not write {rel}: it is part of the SavedModel layout"
            )
    if not overwrite:
        _check_free(target)
    with _os_errors(target), _staging(target) as tmp:
        variables_dir = tmp / _dir.VARIABLES_DIRECTORY
        variables_dir.mkdir()
        if variables is not None:
            _write_variables(variables, variables_dir)
        if assets is not None:
            _write_tree(assets, tmp / _dir.ASSETS_DIRECTORY, "assets")
        if extra_assets is not None:
            _write_tree(extra_assets, tmp / _dir.EXTRA_ASSETS_DIRECTORY, "extra_assets")
        for rel, data in extra.items():
            _write_file(tmp / rel, data)
        if as_text:
            # NOTE: Builder.save(as_text=True) writes str(saved_model), upb's own text printer.
            _write_file(tmp / _dir.SAVED_MODEL_FILENAME_PBTXT, str(saved_model).encode("utf-8"))
        else:
            _write_file(
                tmp / _dir.SAVED_MODEL_FILENAME_PB,
                saved_model.SerializeToString(deterministic=True),
            )
        if fingerprint:
            # TF computes it after saved_model.pb and the checkpoint are on disk; so do we.
            fp = _fingerprint.create_fingerprint(saved_model, tmp)
            _write_file(tmp / _dir.FINGERPRINT_FILENAME, fp.SerializeToString())
        _commit(tmp, target, overwrite)
    return os.fspath(target)


def copy_saved_model(
    src_dir: str | os.PathLike[str],
    dst_dir: str | os.PathLike[str],
    *,
    saved_model: Message | None = None,
    as_text: bool | None = None,
    fingerprint: bool | None = None,
    overwrite: bool = False,
) -> str:
    """Write ``src_dir``'s SavedModel to ``dst_dir`` (its proto replaced by ``saved_model``).

    The checkpoint, ``assets/``, ``assets.extra/``, ``keras_metadata.pb`` and the debug info
    are copied. ``as_text`` and ``fingerprint`` default to what ``src_dir`` has; a new
    fingerprint is computed (with a new uuid) rather than copied.
    """
    src = _dir.read_saved_model_dir(src_dir)
    root = Path(src.path)
    extra_files = {}
    for rel in ("keras_metadata.pb", "debug/saved_model_debug_info.pb"):
        if (root / rel).is_file():
            extra_files[rel] = (root / rel).read_bytes()
    return write_saved_model(
        dst_dir,
        src.saved_model if saved_model is None else saved_model,
        as_text=src.is_text if as_text is None else as_text,
        variables=src.variables_prefix if src.has_checkpoint else None,
        assets=src.assets_dir if os.path.isdir(src.assets_dir) else None,
        extra_assets=src.extra_assets_dir if os.path.isdir(src.extra_assets_dir) else None,
        fingerprint=(root / _dir.FINGERPRINT_FILENAME).is_file()
        if fingerprint is None
        else fingerprint,
        extra_files=extra_files,
        overwrite=overwrite,
    )


def _check_free(target: Path) -> None:
    if target.is_dir():
        if any(target.iterdir()):
            # NOTE: the wording of TensorFlow's SavedModelBuilder.
            raise errors.AlreadyExistsError(
                f"Export directory {target} already exists, and isn't empty. Please choose a "
                "different export directory, or delete all the contents of the specified "
                "directory."
            )
    elif target.exists() or target.is_symlink():
        raise errors.AlreadyExistsError(f"Export path {target} exists and is not a directory.")


@contextmanager
def _staging(target: Path) -> Iterator[Path]:
    """A fresh directory next to ``target``; removed (with parents we created) on failure."""
    created = []
    parent = target.parent
    while not parent.exists():
        created.append(parent)
        parent = parent.parent
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{secrets.token_hex(6)}")
    tmp.mkdir()
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        for d in created:  # deepest first
            try:
                d.rmdir()
            except OSError:
                break
        raise


def _commit(tmp: Path, target: Path, overwrite: bool) -> None:
    """Rename the finished ``tmp`` to ``target``, replacing an old one only as allowed."""
    if not (target.exists() or target.is_symlink()):
        os.rename(tmp, target)
        return
    if not overwrite:
        _check_free(target)  # may have changed since the first check
    # A non-empty directory cannot be renamed over: move the old one aside first, and put it
    # back if the second rename fails.
    old = target.with_name(f".{target.name}.old-{secrets.token_hex(6)}")
    os.rename(target, old)
    try:
        os.rename(tmp, target)
    except BaseException:
        os.rename(old, target)
        raise
    if old.is_dir() and not old.is_symlink():
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.unlink()


def _write_variables(variables: Variables, variables_dir: Path) -> None:
    prefix = variables_dir / _dir.VARIABLES_FILENAME
    if callable(variables):
        variables(os.fspath(prefix))
        if not (variables_dir / f"{_dir.VARIABLES_FILENAME}.index").is_file():
            raise errors.FailedPreconditionError(
                f"the variables writer did not write a checkpoint at prefix {prefix}"
            )
        return
    src = os.fspath(variables)
    if not os.path.isfile(src + ".index"):
        raise errors.NotFoundError(f"no checkpoint at prefix {src}: {src}.index does not exist")
    shutil.copyfile(src + ".index", f"{prefix}.index")
    for data in glob.glob(glob.escape(src) + ".data-[0-9][0-9][0-9][0-9][0-9]-of-[0-9]*"):
        suffix = data[len(src) :]
        shutil.copyfile(data, f"{prefix}{suffix}")


def _relative_path(name: str, what: str) -> PurePosixPath:
    rel = PurePosixPath(name.replace(os.sep, "/"))
    if not name or rel.is_absolute() or ".." in rel.parts or rel == PurePosixPath("."):
        raise errors.InvalidArgumentError(f"{what}: {name!r} is not a relative file path")
    return rel


def _write_tree(source: Assets, dest: Path, what: str) -> None:
    if isinstance(source, (str, os.PathLike)):
        if not os.path.isdir(source):
            raise errors.NotFoundError(f"{what}: directory {os.fspath(source)} does not exist")
        shutil.copytree(source, dest, symlinks=False)
        return
    dest.mkdir()
    for name, content in source.items():
        path = dest / _relative_path(name, what)
        if isinstance(content, bytes):
            _write_file(path, content)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copyfile(content, path)
            except FileNotFoundError:
                raise errors.NotFoundError(
                    f"{what}: file {os.fspath(content)} for {name!r} does not exist"
                ) from None


def _write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


@contextmanager
def _os_errors(target: Path) -> Iterator[None]:
    """Report OS failures as savedmodel errors naming the file."""
    try:
        yield
    except errors.OpError:
        raise
    except PermissionError as e:
        raise errors.PermissionDeniedError(f"Writing SavedModel {target}: {e}") from e
    except FileExistsError as e:
        raise errors.AlreadyExistsError(f"Writing SavedModel {target}: {e}") from e
    except FileNotFoundError as e:
        raise errors.NotFoundError(f"Writing SavedModel {target}: {e}") from e
    except OSError as e:
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            raise errors.ResourceExhaustedError(f"Writing SavedModel {target}: {e}") from e
        raise errors.UnknownError(f"Writing SavedModel {target}: {e}") from e
