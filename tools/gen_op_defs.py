"""Regenerate the OpDef table: src/savedmodel/graph/op_defs.binpb (a serialized tensorflow.OpList).

    /work/tfvenv/bin/python tools/gen_op_defs.py          # needs TensorFlow installed
    python tools/gen_op_defs.py --out /tmp/op_defs.binpb  # write elsewhere (tests compare)

Dumps every OpDef registered in the installed TensorFlow (facts about the ops: argument and attr
structure, defaults, statefulness) so `savedmodel.graph.op_def_table` can answer structural
questions without TensorFlow. To keep the committed file small the dump keeps:

* ops whose name does not start with "_" (internal ops never appear in SavedModels) and that are
  not TPU ops (their names contain "TPU"/"Tpu");
* of each OpDef: name, input/output args (name, type, type_attr, number_attr, type_list_attr,
  is_ref), attrs (name, type, default_value, has_minimum/minimum), is_stateful, is_commutative,
  is_aggregate, allows_uninitialized_input, control_output.

Dropped: every doc string (summary, description, per-arg/attr descriptions), `deprecation`,
attrs' `allowed_values` and args' `handle_data`/`experimental_full_type`. Ops are sorted by name
so the output is deterministic for one TensorFlow version.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "src" / "savedmodel" / "graph" / "op_defs.binpb"
_SKIP = re.compile(r"^_|TPU|Tpu")


def registered_ops() -> list:
    """TensorFlow's registered OpDefs (op_def_pb2.OpDef, docs included) that the table keeps,
    sorted by name. Other generators of OpDef facts start from this same op set."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf  # noqa: F401  (registers every op)
    from tensorflow.core.framework import op_def_pb2
    from tensorflow.python.client import pywrap_tf_session

    full = op_def_pb2.OpList()
    full.ParseFromString(pywrap_tf_session.TF_GetBuffer(pywrap_tf_session.TF_GetAllOpList()))
    return sorted((op for op in full.op if not _SKIP.search(op.name)), key=lambda o: o.name)


def build_op_list() -> bytes:
    from tensorflow.core.framework import op_def_pb2

    kept = op_def_pb2.OpList()
    for op in registered_ops():
        out = kept.op.add()
        out.CopyFrom(op)
        for field in ("summary", "description", "deprecation"):
            out.ClearField(field)
        for arg in (*out.input_arg, *out.output_arg):
            for field in ("description", "handle_data", "experimental_full_type"):
                arg.ClearField(field)
        for attr in out.attr:
            attr.ClearField("description")
            attr.ClearField("allowed_values")
    return kept.SerializeToString(deterministic=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    data = build_op_list()
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
