"""Regenerate savedmodel.protos' compiled schema and generated modules.

    python tools/gen_protos.py            # needs the dev extra: pip install -e .[protos]

Compiles every .proto under src/savedmodel/protos/ with grpc_tools.protoc into
src/savedmodel/protos/descriptor_set.binpb (--include_imports, so the well-known types we import
from protobuf's include dir are in it too), then writes one module per protobuf package with a
plain assignment for every top-level message, enum, enum value and service:

    package tensorflow (+ google.protobuf)  -> savedmodel/protos/_generated.py  (protos.SavedModel)
    package tensorflow.serving              -> savedmodel/protos/serving.py     (protos.serving.X)
    package tensorflow.error                -> savedmodel/protos/error.py       (protos.error.Code)
    package third_party.py.tf_keras.protobuf -> savedmodel/protos/keras.py      (protos.keras.X)

Any name collision inside one module (or with the names savedmodel.protos defines itself) fails.
`--out-dir DIR` writes everything to DIR instead (used by the tests to check the committed files).
"""

from __future__ import annotations

import argparse
import importlib.resources
import importlib.util
import keyword
import subprocess
import sys
import tempfile
from pathlib import Path

from google.protobuf import descriptor_pb2

REPO = Path(__file__).resolve().parent.parent
PROTO_ROOT = REPO / "src" / "savedmodel" / "protos"
DESCRIPTOR_SET = "descriptor_set.binpb"
COMMAND = "python tools/gen_protos.py"

# protobuf package -> generated module (None: the package must define no symbols).
MODULES: dict[str, str | None] = {
    "tensorflow": "_generated",
    "google.protobuf": "_generated",
    "tensorflow.serving": "serving",
    "tensorflow.error": "error",
    "tensorflow.error.dummy": None,
    "third_party.py.tf_keras.protobuf": "keras",
}
MODULE_DOCS = {
    "_generated": "Classes and enums of protobuf packages tensorflow and google.protobuf",
    "serving": "Classes, enums and services of protobuf package tensorflow.serving (TF Serving)",
    "error": "The tensorflow.error.Code enum (canonical error codes)",
    "keras": "Classes of protobuf package third_party.py.tf_keras.protobuf (keras_metadata.pb)",
}
# Names savedmodel/protos/__init__.py defines next to the star-imported _generated names.
PACKAGE_NAMES = {
    "POOL",
    "DESCRIPTOR_SET_PATH",
    "message_class",
    "enum_type",
    "service",
    "to_text",
    "parse_text",
    "serving",
    "error",
    "keras",
}


class GenerationError(Exception):
    pass


def proto_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.proto"))


def compile_descriptor_set(root: Path, out: Path) -> bytes:
    if importlib.util.find_spec("grpc_tools") is None:
        raise GenerationError(
            "grpc_tools is missing: install the dev extra (pip install -e .[protos])"
        )
    include = importlib.resources.files("grpc_tools") / "_proto"
    args = [
        sys.executable,
        "-m",
        "grpc_tools.protoc",
        f"-I{root}",
        f"-I{include}",
        "--include_imports",
        f"--descriptor_set_out={out}",
        *proto_files(root),
    ]
    # A child process: protoc's C++ protobuf must not meet another copy (TensorFlow's) in one
    # process, which crashes.
    if subprocess.run(args, check=False).returncode != 0:
        raise GenerationError("protoc failed (see its messages above)")
    return out.read_bytes()


def _symbols(files: descriptor_pb2.FileDescriptorSet) -> dict[str, list[tuple[str, str, str]]]:
    """module -> [(kind, name, value)] in file order; kind is message/enum/value/service."""
    by_module: dict[str, list[tuple[str, str, str]]] = {}
    for f in files.file:
        if f.package not in MODULES:
            raise GenerationError(f"{f.name}: package {f.package!r} has no module in MODULES")
        module = MODULES[f.package]
        names: list[tuple[str, str, str]] = [("file", f.name, "")]
        for m in f.message_type:
            names.append(("message", m.name, f"{f.package}.{m.name}"))
        for e in f.enum_type:
            names.append(("enum", e.name, f"{f.package}.{e.name}"))
            names.extend(("value", v.name, str(v.number)) for v in e.value)
        for s in f.service:
            names.append(("service", s.name, f"{f.package}.{s.name}"))
        if module is None:
            if len(names) > 1:
                raise GenerationError(f"{f.name}: package {f.package!r} must define nothing")
            continue
        by_module.setdefault(module, []).extend(names)
    return by_module


def _render(module: str, symbols: list[tuple[str, str, str]]) -> str:
    seen: dict[str, str] = {}
    taken = PACKAGE_NAMES if module == "_generated" else set()
    current_file = ""
    for kind, name, _ in symbols:
        if kind == "file":
            current_file = name
            continue
        if name in seen or name in taken or keyword.iskeyword(name) or name.startswith("_"):
            first = seen.get(name, "savedmodel.protos itself")
            raise GenerationError(
                f"name collision in savedmodel.protos.{module}: {name!r} "
                f"from {current_file} (already defined by {first})"
            )
        seen[name] = current_file

    helpers = sorted({kind for kind, _, _ in symbols} & {"message", "enum", "service"})
    lines = [
        f'"""{MODULE_DOCS[module]}.',
        "",
        "Every class is built in savedmodel.protos.POOL (our private descriptor pool).",
        "",
        f"GENERATED by `{COMMAND}` from src/savedmodel/protos/{DESCRIPTOR_SET}, which it",
        "compiles from the .proto files under src/savedmodel/protos/. Do not edit by hand.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
    ]
    import_as = {"message": "message_class as _message", "enum": "enum_type as _enum"}
    import_as["service"] = "service as _service"
    lines += [f"from savedmodel.protos._pool import {import_as[h]}" for h in helpers]
    lines += ["", "__all__ = ["]
    lines += [f'    "{name}",' for kind, name, _ in symbols if kind != "file"]
    lines.append("]")
    for kind, name, value in symbols:
        if kind == "file":
            lines += ["", f"# {name}"]
        elif kind == "value":
            lines.append(f"{name} = {value}")
        else:
            lines.append(f'{name} = _{kind}("{value}")')
    return "\n".join(lines) + "\n"


def render_modules(descriptor_set: bytes) -> dict[str, str]:
    """File name -> source of every generated module, for a compiled descriptor set."""
    files = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set)
    return {
        f"{module}.py": _render(module, symbols)
        for module, symbols in sorted(_symbols(files).items())
    }


def generate(out_dir: Path) -> list[Path]:
    """Compile the schemas and write the descriptor set and modules into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    data = compile_descriptor_set(PROTO_ROOT, out_dir / DESCRIPTOR_SET)
    written = [out_dir / DESCRIPTOR_SET]
    for name, source in render_modules(data).items():
        path = out_dir / name
        path.write_text(source)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", type=Path, default=PROTO_ROOT)
    args = parser.parse_args(argv)
    try:
        # Render into a scratch dir first so a failure never leaves half-written files behind.
        with tempfile.TemporaryDirectory() as tmp:
            written = generate(Path(tmp))
            args.out_dir.mkdir(parents=True, exist_ok=True)
            for path in written:
                (args.out_dir / path.name).write_bytes(path.read_bytes())
                print(f"wrote {args.out_dir / path.name}")
    except GenerationError as e:
        print(f"gen_protos: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
