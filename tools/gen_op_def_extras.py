"""Regenerate src/savedmodel/framework/op_def_extras.binpb (a serialized tensorflow.OpList).

    /work/tfvenv/bin/python tools/gen_op_def_extras.py          # needs TensorFlow installed
    python tools/gen_op_def_extras.py --out /tmp/extras.binpb   # write elsewhere (tests compare)

`savedmodel.graph`'s OpDef table (tools/gen_op_defs.py) drops the OpDef fields the executor never
needs. Graph *building* needs two of them, and a MetaGraphDef's `stripped_op_list` carries all of
them, so this side table keeps exactly those fields, for the same set of ops:

* attrs' `allowed_values` (type constraints decide how Python values convert to tensors, and
  `stripped_op_list` lists them);
* the op's `deprecation` and the args' `experimental_full_type`.

Each op entry holds its name, the attrs that have allowed values (name + allowed_values), every
input/output arg (name + experimental_full_type, possibly empty, to keep positions) when any arg
has a full type, and the deprecation if any. Ops are sorted by name.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "src" / "savedmodel" / "framework" / "op_def_extras.binpb"

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_op_defs import registered_ops  # noqa: E402  (the same op set as the OpDef table)


def build_extras() -> bytes:
    from tensorflow.core.framework import op_def_pb2

    kept = op_def_pb2.OpList()
    for op in registered_ops():
        out = op_def_pb2.OpDef(name=op.name)
        for attr in op.attr:
            if attr.HasField("allowed_values"):
                extra = out.attr.add(name=attr.name)
                extra.allowed_values.CopyFrom(attr.allowed_values)
        args = (*op.input_arg, *op.output_arg)
        if any(a.HasField("experimental_full_type") for a in args):
            for src, dst in ((op.input_arg, out.input_arg), (op.output_arg, out.output_arg)):
                for arg in src:
                    extra = dst.add(name=arg.name)
                    if arg.HasField("experimental_full_type"):
                        extra.experimental_full_type.CopyFrom(arg.experimental_full_type)
        if op.HasField("deprecation"):
            out.deprecation.CopyFrom(op.deprecation)
        if len(out.ListFields()) > 1:
            kept.op.append(out)
    return kept.SerializeToString(deterministic=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    data = build_extras()
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
