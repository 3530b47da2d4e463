"""TF1 while-loop graphs (NextIteration back edges into Merge) through the graph importer:
`tf1.saved_model.load`, `tf1.train.import_meta_graph` and `import_graph_def` into our compat.v1
graph and Session, checked against the outputs TensorFlow recorded for the committed fixture
(tests/fixtures/tf1_control_flow, made by tools/fixtures/make_tf1_control_flow.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import savedmodel.compat.v1 as tf1
from savedmodel import protos

FIXTURE = Path(__file__).parent / "fixtures" / "tf1_control_flow"
META = json.loads((FIXTURE / "expected.json").read_text())


def _array(stored: dict) -> np.ndarray:
    return np.array(stored["value"], dtype=stored["dtype"]).reshape(stored["shape"])


def _check_cases(sess: Any, signature: Any) -> None:
    for case, io in META["cases"].items():
        feeds = {signature.inputs[k].name: _array(v) for k, v in io["inputs"].items()}
        fetches = {k: signature.outputs[k].name for k in io["outputs"]}
        got = sess.run(fetches, feeds)
        for name, stored in io["outputs"].items():
            want = _array(stored)
            assert got[name].dtype == want.dtype and got[name].shape == want.shape, (case, name)
            np.testing.assert_array_equal(got[name], want, err_msg=f"{case}: {name}")


def _meta_graph() -> Any:
    model = protos.SavedModel()
    model.ParseFromString((FIXTURE / "model" / "saved_model.pb").read_bytes())
    return model.meta_graphs[0]


def test_fixture_has_while_loops() -> None:
    assert {"Enter", "Exit", "NextIteration", "LoopCond", "Merge"} <= set(META["ops"])


def test_saved_model_load_into_session_runs_while_loops_like_tensorflow() -> None:
    with tf1.Graph().as_default() as graph, tf1.Session(graph=graph) as sess:
        meta_graph = tf1.saved_model.load(sess, ["serve"], str(FIXTURE / "model"))
        _check_cases(sess, meta_graph.signature_def[META["signature"]])


def test_import_meta_graph_then_restore_runs_like_tensorflow() -> None:
    with tf1.Graph().as_default() as graph, tf1.Session(graph=graph) as sess:
        saver = tf1.train.import_meta_graph(_meta_graph())
        saver.restore(sess, str(FIXTURE / "model" / "variables" / "variables"))
        _check_cases(sess, _meta_graph().signature_def[META["signature"]])


def test_import_graph_def_keeps_every_edge_including_back_edges() -> None:
    graph_def = _meta_graph().graph_def
    with tf1.Graph().as_default() as graph:
        tf1.import_graph_def(graph_def, name="")
    original = {nd.name: (nd.op, list(nd.input)) for nd in graph_def.node}
    imported = {nd.name: (nd.op, list(nd.input)) for nd in graph.as_graph_def().node}
    assert set(imported) == set(original)
    for name, (op, inputs) in original.items():
        data = [i for i in inputs if not i.startswith("^")]
        control = sorted(i for i in inputs if i.startswith("^"))
        got_op, got_inputs = imported[name]
        assert got_op == op
        assert [i for i in got_inputs if not i.startswith("^")] == data, name
        assert sorted(i for i in got_inputs if i.startswith("^")) == control, name
    merges = [op for op in graph.get_operations() if op.type == "Merge"]
    assert any(t.op.type == "NextIteration" for m in merges for t in m.inputs)
    # every loop Merge comes before its NextIteration, as in a graph TF built
    position = {op.name: k for k, op in enumerate(graph.get_operations())}
    for m in merges:
        for t in m.inputs:
            if t.op.type == "NextIteration":
                assert position[t.op.name] > position[m.name]


def test_import_graph_def_under_a_scope_runs() -> None:
    graph_def = _meta_graph().graph_def
    case = META["cases"]["positive"]
    with tf1.Graph().as_default() as graph:
        tf1.import_graph_def(graph_def, name="outer")
    assert all(op.name.startswith("outer/") for op in graph.get_operations())
    signature = _meta_graph().signature_def[META["signature"]]
    # `total` (nested while loops) reads no variable, so it runs without a restore
    with tf1.Session(graph=graph) as sess:
        got = sess.run(
            "outer/" + signature.outputs["total"].name,
            {"outer/" + signature.inputs["n"].name: _array(case["inputs"]["n"])},
        )
    np.testing.assert_array_equal(got, _array(case["outputs"]["total"]))


def test_a_cycle_that_is_not_a_while_loop_is_rejected() -> None:
    graph_def = protos.GraphDef()
    for name, other in [("a", "b"), ("b", "a")]:
        nd = graph_def.node.add(name=name, op="Identity", input=[other])
        nd.attr["T"].type = protos.DT_FLOAT
    with tf1.Graph().as_default(), pytest.raises(ValueError, match="cycle"):
        tf1.import_graph_def(graph_def, name="")


def test_a_merge_without_a_loop_still_waits_for_all_its_inputs() -> None:
    graph_def = protos.GraphDef()
    # `m` comes first in the GraphDef; its inputs must still be created before it
    m = graph_def.node.add(name="m", op="Merge", input=["x", "y"])
    m.attr["T"].type = protos.DT_FLOAT
    m.attr["N"].i = 2
    for name in ("x", "y"):
        nd = graph_def.node.add(name=name, op="Placeholder")
        nd.attr["dtype"].type = protos.DT_FLOAT
        nd.attr["shape"].shape.dim.add(size=3)
    with tf1.Graph().as_default() as graph:
        tf1.import_graph_def(graph_def, name="")
    merge = graph.get_operation_by_name("m")
    assert [t.op.name for t in merge.inputs] == ["x", "y"]
    names = [op.name for op in graph.get_operations()]
    assert names.index("m") > max(names.index("x"), names.index("y"))
