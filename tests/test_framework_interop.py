"""Graphs we build match TensorFlow's node for node, import into TF and compute the same values.

Each program of tests/_graph_programs.py is built twice, with TensorFlow and with savedmodel.
The GraphDefs (add_shapes=True) must be equal, except for `_output_shapes` where TF knows more
than our shape inference (ours must then be compatible). Our GraphDef is then imported into a TF
graph (`tf.graph_util.import_graph_def`) and run in a TF session; our session runs the same
fetches; the values must agree.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _graph_programs import INIT_PROGRAMS, PROGRAMS

import savedmodel as smtf
import savedmodel.compat.v1 as smtf1
from savedmodel.ops import registry

pytestmark = pytest.mark.interop


def _build(tf: Any, tf1: Any, name: str) -> tuple[Any, dict, dict]:
    g = tf.Graph()
    with g.as_default():
        fetches, feeds = PROGRAMS[name](tf, tf1)
    return g, fetches, feeds


def _shape_dims(proto: Any) -> Any:
    return None if proto.unknown_rank else [d.size for d in proto.dim]


def _compatible(ours: Any, theirs: Any) -> bool:
    a, b = _shape_dims(ours), _shape_dims(theirs)
    if a is None or b is None:
        return True
    if len(a) != len(b):
        return False
    return all(x == y or x == -1 or y == -1 for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_graph_def_matches_tensorflow(name: str) -> None:
    tf = pytest.importorskip("tensorflow")
    theirs, _, _ = _build(tf, tf.compat.v1, name)
    ours, _, _ = _build(smtf, smtf1, name)
    tgd = theirs.as_graph_def(add_shapes=True)
    ogd = tf.compat.v1.GraphDef.FromString(ours.as_graph_def(add_shapes=True).SerializeToString())
    assert [n.name for n in ogd.node] == [n.name for n in tgd.node]
    less_precise = []
    for o, t in zip(ogd.node, tgd.node, strict=True):
        o_shapes, t_shapes = o.attr.pop("_output_shapes", None), t.attr.pop("_output_shapes", None)
        assert o == t, f"node {t.name}:\nours:\n{o}\ntheirs:\n{t}"
        if o_shapes != t_shapes:
            pairs = zip(o_shapes.list.shape, t_shapes.list.shape, strict=True)
            assert all(_compatible(a, b) for a, b in pairs), f"{t.name}: {o_shapes} vs {t_shapes}"
            less_precise.append(t.name)
    assert len(less_precise) <= len(tgd.node) // 10, (
        f"shapes less precise than TF's: {less_precise}"
    )


def _op_types(graph: Any) -> set[str]:
    return {op.type for op in graph.get_operations()}


def test_programs_cover_at_least_50_op_types() -> None:
    types: set[str] = set()
    for name in PROGRAMS:
        g, _, _ = _build(smtf, smtf1, name)
        types |= _op_types(g)
    assert len(types) >= 50, sorted(types)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_tensorflow_runs_our_graph_def_and_agrees_with_us(name: str) -> None:
    tf = pytest.importorskip("tensorflow")
    ours, fetches, feeds = _build(smtf, smtf1, name)
    missing = sorted(t for t in _op_types(ours) if registry.lookup(t) is None)
    graph_def = ours.as_graph_def()
    with tf.Graph().as_default() as g:
        tf.graph_util.import_graph_def(
            tf.compat.v1.GraphDef.FromString(graph_def.SerializeToString()), name=""
        )
        with tf.compat.v1.Session() as sess:
            if name in INIT_PROGRAMS:
                sess.run([op for op in g.get_operations() if op.name.endswith("/Assign")])
            theirs = sess.run(
                {k: t.name for k, t in fetches.items()}, {p.name: v for p, v in feeds.items()}
            )
    # Every op these programs use has a kernel: a missing one is a failure, not an expected one.
    assert not missing, f"no savedmodel kernel for {missing}"
    with smtf1.Session(graph=ours) as sess:
        if name in INIT_PROGRAMS:
            sess.run(smtf1.global_variables_initializer())
        mine = sess.run(fetches, feeds)
    for key in fetches:
        a, b = np.asarray(mine[key]), np.asarray(theirs[key])
        assert a.dtype == b.dtype, key
        if a.dtype.kind in "fc":
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=key)
        else:
            np.testing.assert_array_equal(a, b, err_msg=key)


def test_op_def_extras_are_what_tensorflow_registers(tmp_path: Any) -> None:
    """op_def_extras.binpb is what tools/gen_op_def_extras.py dumps from TF, and together with
    the graph layer's table it gives back TF's full OpDefs (what `stripped_op_list` holds)."""
    tf = pytest.importorskip("tensorflow")
    import subprocess
    import sys
    from pathlib import Path

    from tensorflow.python.framework import op_def_registry

    from savedmodel.framework import op_defs

    out = tmp_path / "extras.binpb"
    tool = Path(__file__).parent.parent / "tools" / "gen_op_def_extras.py"
    subprocess.run([sys.executable, str(tool), "--out", str(out)], check=True, capture_output=True)
    assert out.read_bytes() == op_defs.EXTRAS_PATH.read_bytes()
    for name in ("Shape", "Mul", "Conv2D", "VarHandleOp", "ParseExampleV2", "TensorListReserve"):
        theirs = op_def_registry.get(name).SerializeToString(deterministic=True)
        assert op_defs.full_proto(name).SerializeToString(deterministic=True) == theirs, name
    assert tf.__version__ == "2.21.0"
