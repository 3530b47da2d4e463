"""Executor tests on small hand-built GraphDefs and FunctionDefs.

What is checked is executor semantics (pruning, ordering, control dependencies, feeds, function
argument/return mapping, control flow, TensorLists, variables, resources, error reporting), so the
expected values follow from the graph's meaning; numeric kernels are only used as plumbing.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import weakref
from pathlib import Path

import numpy as np
import pytest

from savedmodel import errors, protos, tensors
from savedmodel.executor import Session, find_unsupported
from savedmodel.graph import FuncAttr, op_def_table, parse_tensor_name
from savedmodel.graph import attrs as attr_codec
from savedmodel.ops import registry

from _executor_graphs import (  # isort: skip
    F32, I32, I64, OBJ, RESOURCE, VARIANT, Shape, attr_value, const, function, make_graph,
    node, placeholder, session,
)  # fmt: skip

# -- names, OpDefs, attrs -----------------------------------------------------------------------


def test_parse_tensor_name():
    assert parse_tensor_name("x") == ("x", 0)
    assert parse_tensor_name("a/b:3") == ("a/b", 3)
    for bad in ("^x", "", "x:y", ":0"):
        with pytest.raises(errors.InvalidArgumentError):
            parse_tensor_name(bad)


def test_graph_def_edges_and_control_inputs():
    g = make_graph([const("c", 1.0), node("i", "IdentityN", "c", "c:0", "^c", T=[F32, F32])])
    n = g.nodes["i"]
    assert n.inputs == [("c", 0), ("c", 0)]
    assert n.control_inputs == ["c"]
    assert n.attrs == {"T": [F32, F32]}


def test_op_def_table_structure():
    concat = op_def_table.lookup("ConcatV2")
    attrs = concat.with_defaults({"N": 3, "T": F32})
    assert attrs["Tidx"] == I32  # default filled in
    assert concat.input_counts(attrs) == [3, 1]
    assert concat.output_dtypes(attrs) == [F32]
    assert "N" in concat.inferable_attrs and "T" in concat.inferable_attrs
    split = op_def_table.lookup("Split")
    assert split.num_outputs({"num_split": 4, "T": F32}) == 4
    assert op_def_table.lookup("VariableV2").output_is_ref({"dtype": F32}) == [True]
    assert op_def_table.lookup("Assign").input_is_ref({"T": F32}) == [True, False]
    call = op_def_table.lookup("StatefulPartitionedCall")
    assert call.output_range("output", {"Tout": [F32, I32, F32]}) == (0, 3)
    assert call.is_stateful and not op_def_table.lookup("Identity").is_stateful
    assert op_def_table.lookup("NoSuchOp") is None
    assert "MatMul" in op_def_table.op_names()


@pytest.mark.interop
def test_op_def_table_is_what_tensorflow_registers(tmp_path):
    """The committed op_defs.binpb is exactly what tools/gen_op_defs.py dumps from TF today."""
    pytest.importorskip("tensorflow")
    out = tmp_path / "op_defs.binpb"
    tool = Path(__file__).parent.parent / "tools" / "gen_op_defs.py"
    subprocess.run([sys.executable, str(tool), "--out", str(out)], check=True, capture_output=True)
    assert out.read_bytes() == op_def_table.OP_DEFS_PATH.read_bytes()


def test_attr_decoding():
    def dec(v):
        return attr_codec.decode(attr_value(v))

    assert dec(3) == 3 and dec(2.5) == 2.5 and dec(True) is True
    assert dec("SAME") == "SAME"
    assert dec(F32) == F32
    assert dec(Shape((2, None))) == (2, None)
    unknown = protos.AttrValue()
    unknown.shape.unknown_rank = True
    assert attr_codec.decode(unknown) is None
    np.testing.assert_array_equal(dec(np.arange(3, dtype=np.int64)), [0, 1, 2])
    f = dec(FuncAttr("f", {"T": F32}))
    assert f == FuncAttr("f", {"T": F32}) and f.attrs == {"T": F32}
    assert dec([F32, I32]) == [F32, I32]
    assert dec([Shape((1,)), Shape(())]) == [(1,), ()]
    assert dec(("$", "T")) == attr_codec.AttrPlaceholder("T")
    empty = protos.AttrValue()
    empty.list.SetInParent()
    assert attr_codec.decode(empty) == []
    raw = protos.AttrValue(s=b"\xff\x00a")
    assert attr_codec.decode(raw).encode("utf-8", "surrogateescape") == b"\xff\x00a"
    assert attr_codec.decode(protos.AttrValue()) is None


# -- pruning, feeds, ordering -------------------------------------------------------------------


def test_pruning_runs_only_what_fetches_need():
    sess = session(
        [
            placeholder("x"),
            const("c", 2.0, np.float32),
            node("y", "Identity", "x", T=F32),
            node("z", "Identity", "c", T=F32),
            node("unused", "Identity", "x", T=F32),
        ]
    )
    # x is not needed for z, so it need not be fed.
    assert sess.run("z:0") == np.float32(2.0)
    plan = sess.compile([], ["z:0"])
    assert [n.name for n in plan.nodes] == ["c", "z"]
    with pytest.raises(errors.InvalidArgumentError) as info:
        sess.run("y:0")
    assert info.value.node_name == "x" and info.value.op_type == "Placeholder"
    assert "You must feed a value for placeholder" in str(info.value)


def test_feeding_a_tensor_cuts_its_producer():
    sess = session(
        [
            placeholder("x"),
            node("y", "Identity", "x", T=F32),
            node("z", "Identity", "y", T=F32),
        ]
    )
    # y is fed: x (an unfed placeholder) must not run.
    assert sess.run("z:0", {"y:0": 5.0}) == np.float32(5.0)
    assert [n.name for n in sess.compile(["y:0"], ["z:0"]).nodes] == ["z"]
    # fetching a fed tensor returns the fed value
    assert sess.run("y:0", {"y:0": 7.0}) == np.float32(7.0)
    # feeds are converted to the producer's dtype
    out = sess.run("z:0", {"x:0": [1, 2]})
    assert out.dtype == F32 and out.tolist() == [1.0, 2.0]


def test_plans_are_cached_and_reused():
    sess = session([placeholder("x"), node("y", "Identity", "x", T=F32)])
    assert sess.compile(["x:0"], ["y:0"]) is sess.compile(["x:0"], ["y:0"])
    f = sess.make_callable(["x:0"], ["y:0"])
    assert [f(i)[0] for i in range(3)] == [0.0, 1.0, 2.0]


def test_missing_input_node_is_reported():
    sess = session([node("y", "Identity", "nope:0", T=F32)])
    with pytest.raises(errors.NotFoundError, match="'nope'"):
        sess.run("y:0")


def test_values_are_freed_after_last_use():
    sess = session(
        [
            placeholder("x"),
            node("a", "Identity", "x", T=F32),
            node("b", "Identity", "a", T=F32),
            node("c", "Identity", "b", T=F32),
        ]
    )
    plan = sess.compile(["x:0"], ["c:0"])
    # The feed is v0; a dead value's local is reused by a later node.
    lines = [line.strip() for line in plan.source.splitlines()]
    assert lines[1] == "v0, = feeds"
    body = lines[lines.index("try:") + 1 : lines.index("except Exception as e:")]
    assert body == [
        "v1 = CK(f0(v0), d0)",  # a = Identity(x)
        "v0 = None",  # x is dead
        "v0 = CK(f1(v1), d1)",  # b = Identity(a)
        "v1 = None",  # a is dead
        "v1 = CK(f2(v0), d2)",  # c = Identity(b)
        "v0 = None",  # b is dead; c is fetched
    ]
    assert lines[-1] == "return [v1]"

    x = np.zeros(2, np.float32)
    ref = weakref.ref(x)
    (out,) = plan.run([x])
    assert out is not x and not np.shares_memory(out, x)  # handed out as the caller's own
    del x, out
    assert ref() is None  # nothing inside the executor still holds the feed


def test_control_dependencies_order_side_effects():
    handle = node("v", "VarHandleOp", dtype=F32, shape=Shape(()), shared_name="v")
    sess = session(
        [
            handle,
            const("one", 1.0, np.float32),
            const("ten", 10.0, np.float32),
            node("init", "AssignVariableOp", "v", "one", dtype=F32),
            # defined before `add` but ordered after it by the control edge
            node("read", "ReadVariableOp", "v", "^add", dtype=F32),
            node("add", "AssignAddVariableOp", "v", "ten", "^init", dtype=F32),
        ]
    )
    # init, then add, then read -- whatever the definition order -- on every run
    assert sess.run("read:0") == np.float32(11.0)
    assert sess.run("read:0") == np.float32(11.0)


def test_targets_run_without_fetches():
    sess = session(
        [
            node("v", "VarHandleOp", dtype=F32, shape=Shape(()), shared_name="v"),
            const("one", 1.0, np.float32),
            node("init", "AssignVariableOp", "v", "one", dtype=F32),
            node("inc", "AssignAddVariableOp", "v", "one", dtype=F32),
            node("read", "ReadVariableOp", "v", dtype=F32),
            node("group", "NoOp", "^init"),
        ]
    )
    assert sess.run(targets=["group"]) == []
    sess.run(targets=["inc"])
    sess.run(targets=["^inc"])
    assert sess.run("read:0") == np.float32(3.0)


# -- function calls -----------------------------------------------------------------------------


def _scale_and_shift() -> object:
    """f(x, y) -> (sum=x+y, twice=x*2, x_again=x): outputs named by 'node:out_arg:index'."""
    return function(
        "scale_and_shift",
        [("x", F32), ("y", F32)],
        [("sum", F32), ("twice", F32), ("x_again", F32)],
        [
            const("two", 2.0, np.float32),
            node("add", "AddV2", "x", "y", T=F32),
            node("mul", "Mul", "x", "two:output:0", T=F32),
            node("both", "IdentityN", "mul:z:0", "x", T=[F32, F32]),
        ],
        # IdentityN's output arg "output" is a list: both:output:1 is its second tensor
        {"sum": "add:z:0", "twice": "both:output:0", "x_again": "both:output:1"},
    )


@pytest.mark.parametrize("how", ["op", "PartitionedCall", "StatefulPartitionedCall"])
def test_function_call_argument_and_return_mapping(how):
    f = _scale_and_shift()
    if how == "op":
        call = node("call", "scale_and_shift", "a", "b")
    else:
        call = node(
            "call", how, "a", "b", f=FuncAttr("scale_and_shift"), Tin=[F32, F32],
            Tout=[F32, F32, F32], config_proto="\n\x07\n\x03CPU\x10\x01",
        )  # fmt: skip
    sess = session([placeholder("a"), placeholder("b"), call], [f])
    out = sess.run(["call:0", "call:1", "call:2"], {"a:0": 3.0, "b:0": 4.0})
    assert [float(v) for v in out] == [7.0, 6.0, 3.0]


def test_nested_function_calls_and_attr_placeholders():
    # inner is generic: its arg and output types are the attr T ($T inside its body).
    inner = function(
        "inner",
        [("v", "$T")],
        [("out", "$T")],
        [node("id", "Identity", "v", T=("$", "T"))],
        {"out": "id:output:0"},
        attrs=["T"],
    )
    outer = function(
        "outer",
        [("s", OBJ)],
        [("r", OBJ)],
        [node("c", "inner", "s", T=OBJ)],
        {"r": "c:out:0"},
    )
    sess = session(
        [
            placeholder("s", OBJ),
            node("call", "PartitionedCall", "s", f=FuncAttr("outer"), Tin=[OBJ], Tout=[OBJ]),
        ],  # fmt: skip
        [inner, outer],
    )
    assert sess.run("call:0", {"s:0": "hi"}) == b"hi"
    body = sess.graph.library.instantiate("inner", {"T": OBJ})
    assert body.nodes["id"].attrs["T"] == OBJ


def test_function_keeps_stateful_ops_and_control_rets():
    # The function returns its input, but also bumps a variable: TF runs stateful ops of a
    # function body even when no output depends on them.
    f = function(
        "bump",
        [("h", RESOURCE), ("x", F32)],
        [("y", F32)],
        [
            const("one", 1.0, np.float32),
            node("inc", "AssignAddVariableOp", "h", "one:output:0", dtype=F32),
            node("y", "Identity", "x", T=F32),
        ],
        {"y": "y:output:0"},
    )
    sess = session(
        [
            node("v", "VarHandleOp", dtype=F32, shape=Shape(()), shared_name="v"),
            const("zero", 0.0, np.float32),
            node("init", "AssignVariableOp", "v", "zero", dtype=F32),
            placeholder("x"),
            node(
                "call",
                "StatefulPartitionedCall",
                "v",
                "x",
                f=FuncAttr("bump"),
                Tin=[RESOURCE, F32],
                Tout=[F32],
            ),  # fmt: skip
            node("read", "ReadVariableOp", "v", dtype=F32),
        ],
        [f],
    )
    sess.run(targets=["init"])
    assert sess.run("call:0", {"x:0": 5.0}) == np.float32(5.0)
    sess.run("call:0", {"x:0": 5.0})
    assert sess.run("read:0") == np.float32(2.0)


def test_function_errors_name_the_inner_node():
    f = function(
        "needs_feed",
        [("x", F32)],
        [("y", F32)],
        [placeholder("p"), node("y", "AddV2", "x", "p:output:0", T=F32)],
        {"y": "y:z:0"},
    )
    sess = session(
        [placeholder("x"), node("call", "needs_feed", "x")],
        [f],
    )
    with pytest.raises(errors.InvalidArgumentError) as info:
        sess.run("call:0", {"x:0": 1.0})
    assert info.value.node_name == "p"
    assert "called from node call" in "".join(getattr(info.value, "__notes__", []))


# -- functional control flow --------------------------------------------------------------------


def _branch(name: str, value: float) -> object:
    return function(
        name,
        [("x", F32)],
        [("y", F32)],
        [const("c", value, np.float32), node("y", "AddV2", "x", "c:output:0", T=F32)],
        {"y": "y:z:0"},
    )


@pytest.mark.parametrize("op", ["If", "StatelessIf"])
def test_if(op):
    sess = session(
        [
            placeholder("p", np.dtype(bool)),
            placeholder("x"),
            node(
                "if",
                op,
                "p",
                "x",
                then_branch=FuncAttr("plus1"),
                else_branch=FuncAttr("plus10"),
                Tcond=np.dtype(bool),
                Tin=[F32],
                Tout=[F32],
                output_shapes=[Shape(())],
            ),
        ],  # fmt: skip
        [_branch("plus1", 1.0), _branch("plus10", 10.0)],
    )
    assert sess.run("if:0", {"p:0": True, "x:0": 1.0}) == np.float32(2.0)
    assert sess.run("if:0", {"p:0": False, "x:0": 1.0}) == np.float32(11.0)


def test_if_truthiness_of_non_scalar_predicates():
    from savedmodel.ops.functional_ops import to_bool

    assert to_bool(np.zeros((0,))) is False
    assert to_bool(np.zeros((2,))) is True  # non-empty tensor: true whatever its values
    assert to_bool(np.asarray(b"")) is False and to_bool(np.asarray(b"x")) is True
    assert to_bool(np.int32(0)) is False and to_bool(np.float32(-1)) is True


def test_case_and_out_of_range_default():
    branches = [_branch(f"b{i}", float(10**i)) for i in range(3)]
    sess = session(
        [
            placeholder("i", I32),
            placeholder("x"),
            node(
                "case",
                "Case",
                "i",
                "x",
                branches=[FuncAttr(f"b{i}") for i in range(3)],
                Tin=[F32],
                Tout=[F32],
            ),
        ],  # fmt: skip
        branches,
    )
    got = [float(sess.run("case:0", {"i:0": i, "x:0": 0.0})) for i in (0, 1, 2, 7, -1)]
    assert got == [1.0, 10.0, 100.0, 100.0, 100.0]


def _counting_loop(op: str) -> Session:
    """while i < n: acc = acc.set(i, i * 2.0); i += 1 -- a TF2-style loop with a TensorList."""
    cond = function(
        "cond",
        [("i", I32), ("n", I32), ("acc", VARIANT)],
        [("ok", np.dtype(bool))],
        [node("less", "Less", "i", "n", T=I32)],
        {"ok": "less:z:0"},
    )
    body = function(
        "body",
        [("i", I32), ("n", I32), ("acc", VARIANT)],
        [("i2", I32), ("n2", I32), ("acc2", VARIANT)],
        [
            const("one", 1, np.int32),
            const("two", 2.0, np.float32),
            node("next", "AddV2", "i", "one:output:0", T=I32),
            node("f", "Cast", "i", SrcT=I32, DstT=F32),
            node("val", "Mul", "f:y:0", "two:output:0", T=F32),
            node("set", "TensorListSetItem", "acc", "i", "val:z:0", element_dtype=F32),
        ],
        {"i2": "next:z:0", "n2": "n", "acc2": "set:output_handle:0"},
    )
    return session(
        [
            placeholder("n", I32),
            const("zero", 0, np.int32),
            const("shape", -1, np.int32),
            node("reserve", "TensorListReserve", "shape", "n", element_dtype=F32, shape_type=I32),
            node(
                "loop",
                op,
                "zero",
                "n",
                "reserve",
                cond=FuncAttr("cond"),
                body=FuncAttr("body"),
                T=[I32, I32, VARIANT],
                output_shapes=[Shape(()), Shape(()), Shape(())],
                parallel_iterations=10,
            ),
            node("stack", "TensorListStack", "loop:2", "shape", element_dtype=F32),
            node("length", "TensorListLength", "loop:2"),
        ],  # fmt: skip
        [cond, body],
    )


@pytest.mark.parametrize("op", ["While", "StatelessWhile"])
def test_while_with_tensor_list_accumulator(op):
    sess = _counting_loop(op)
    i, stacked, length = sess.run(["loop:0", "stack:0", "length:0"], {"n:0": 4})
    assert int(i) == 4 and int(length) == 4
    assert stacked.dtype == F32 and stacked.tolist() == [0.0, 2.0, 4.0, 6.0]
    # Zero iterations: the loop variables come out as they went in.
    i, length = sess.run(["loop:0", "length:0"], {"n:0": 0})
    assert int(i) == 0 and int(length) == 0


def _accumulating_loop(update: bool) -> Session:
    """while i < n: acc += split(w)[0] * v (v: a variable, w: a loop variable the body passes
    through); with `update`, the body first adds 1 to v, so v's value changes every iteration."""
    body_nodes = [
        const("one", 1, np.int32),
        const("one_f", 1.0, np.float32),
        const("axis", 0, np.int32),
        node("i2", "AddV2", "i", "one:output:0", T=I32),
        node("split", "Split", "axis:output:0", "w", T=F32, num_split=2),
        node("read", "ReadVariableOp", "v", dtype=F32),
        node("term", "Mul", "split:output:0", "read:value:0", T=F32),
        node("acc2", "AddV2", "acc", "term:z:0", T=F32),
        node("w_out", "Identity", "w", T=F32),
    ]
    if update:
        body_nodes.append(node("bump", "AssignAddVariableOp", "v", "one_f:output:0", dtype=F32))
        body_nodes[5].input.append("^bump")  # read after the update
    args = [("i", I32), ("n", I32), ("v", RESOURCE), ("w", F32), ("acc", F32)]
    outs = [("i_out", I32), ("n_out", I32), ("v_out", RESOURCE), ("w_o", F32), ("acc_o", F32)]
    rets = {"i_out": "i2:z:0", "n_out": "n", "v_out": "v", "w_o": "w_out:output:0",
            "acc_o": "acc2:z:0"}  # fmt: skip
    body = function("body", args, outs, body_nodes, rets)
    cond = function(
        "cond", args, [("ok", np.dtype(bool))], [node("less", "Less", "i", "n", T=I32)],
        {"ok": "less:z:0"},
    )  # fmt: skip
    return session(
        [
            placeholder("n", I32),
            node("v", "VarHandleOp", dtype=F32, shape=Shape(()), shared_name="v"),
            placeholder("v_init"),
            node("init", "AssignVariableOp", "v", "v_init", dtype=F32),
            const("zero", 0, np.int32),
            const("w", [2.0, 5.0], np.float32),
            const("acc0", [0.0], np.float32),
            node(
                "loop",
                "While",
                "zero",
                "n",
                "v",
                "w",
                "acc0",
                cond=FuncAttr("cond"),
                body=FuncAttr("body"),
                T=[I32, I32, RESOURCE, F32, F32],
            ),
            node("read_v", "ReadVariableOp", "v", dtype=F32),
        ],  # fmt: skip
        [body, cond],
    )


def _counting(monkeypatch, *ops: str) -> dict[str, int]:
    counts = dict.fromkeys(ops, 0)
    for op in ops:
        kernel = registry.lookup(op)

        def counted(*args, _fn=kernel.fn, _op=op, **kw):
            counts[_op] += 1
            return _fn(*args, **kw)

        monkeypatch.setitem(registry._REGISTRY, op, dataclasses.replace(kernel, fn=counted))
    return counts


def test_while_hoists_loop_invariant_work_out_of_the_body(monkeypatch):
    counts = _counting(monkeypatch, "ReadVariableOp", "Split", "Mul", "AddV2")
    sess = _accumulating_loop(update=False)
    sess.run(targets=["init"], feed_dict={"v_init:0": 3.0})
    acc = sess.run("loop:4", {"n:0": 4})
    assert acc.tolist() == [4 * 2.0 * 3.0]
    # The variable read, the split of w and their product run once; the two adds every iteration.
    assert counts == {"ReadVariableOp": 1, "Split": 1, "Mul": 1, "AddV2": 8}
    assert sess.run("loop:4", {"n:0": 0}).tolist() == [0.0]  # no iteration: nothing hoisted runs
    assert counts["ReadVariableOp"] == 1


def test_while_does_not_hoist_reads_of_variables_the_loop_writes():
    sess = _accumulating_loop(update=True)
    sess.run(targets=["init"], feed_dict={"v_init:0": 1.0})
    acc, v = sess.run(["loop:4", "read_v:0"], {"n:0": 3})
    assert acc.tolist() == [2.0 * (2.0 + 3.0 + 4.0)] and v == 4.0


def test_while_body_with_the_wrong_number_of_values_is_an_error():
    true = [const("t", True, bool), node("ok", "Identity", "t:output:0", T=np.dtype(bool))]
    cond = function("cond", [("i", I32)], [("ok", np.dtype(bool))], true, {"ok": "ok:output:0"})
    body = function("body", [("i", I32)], [("i2", I32), ("extra", I32)], [],
                    {"i2": "i", "extra": "i"})  # fmt: skip
    sess = session(
        [
            const("zero", 0, np.int32),
            node("loop", "While", "zero", cond=FuncAttr("cond"), body=FuncAttr("body"), T=[I32]),
        ],
        [cond, body],
    )
    with pytest.raises(errors.InvalidArgumentError, match="body 'body' takes 1 and returns 2"):
        sess.run("loop:0")


# -- TensorLists --------------------------------------------------------------------------------


def test_tensor_list_ops():
    sess = session(
        [
            const("t", [[1, 2], [3, 4], [5, 6]], np.int32),
            const("shape", [-1], np.int32),
            const("unknown", -1, np.int32),
            const("i1", 1, np.int32),
            const("i2", 2, np.int32),
            const("three", 3, np.int32),
            const("item", [7, 8], np.int32),
            node("l", "TensorListFromTensor", "t", "shape", element_dtype=I32, shape_type=I32),
            node("set", "TensorListSetItem", "l", "i1", "item", element_dtype=I32),
            node("get_old", "TensorListGetItem", "l", "i1", "shape", element_dtype=I32),
            node("get_new", "TensorListGetItem", "set", "i1", "shape", element_dtype=I32),
            node("stack", "TensorListStack", "set", "shape", element_dtype=I32),
            node("len", "TensorListLength", "set"),
            node("eshape", "TensorListElementShape", "set", shape_type=I32),
            node("push", "TensorListPushBack", "l", "item", element_dtype=I32),
            node("pop", "TensorListPopBack", "push", "shape", element_dtype=I32),
            const("idx", [2, 0], np.int32),
            node("gather", "TensorListGather", "l", "idx", "shape", element_dtype=I32),
            node(
                "empty", "EmptyTensorList", "unknown", "unknown", element_dtype=I32, shape_type=I32
            ),
            node("elen", "TensorListLength", "empty"),
            node("eshape2", "TensorListElementShape", "empty", shape_type=I32),
            node(
                "reserve", "TensorListReserve", "item", "three", element_dtype=I32, shape_type=I32
            ),  # element shape [7, 8]: unset items read as zeros
            node("zeros", "TensorListGetItem", "reserve", "i2", "unknown", element_dtype=I32),
        ]  # fmt: skip
    )
    out = sess.run(
        ["get_old:0", "get_new:0", "stack:0", "len:0", "eshape:0", "pop:1", "gather:0",
         "elen:0", "eshape2:0", "zeros:0"]
    )  # fmt: skip
    get_old, get_new, stack, length, eshape, popped, gather, elen, eshape2, zeros = out
    assert get_old.tolist() == [3, 4]  # the original list is unchanged by SetItem
    assert get_new.tolist() == [7, 8]
    assert stack.tolist() == [[1, 2], [7, 8], [5, 6]]
    assert int(length) == 3 and length.dtype == I32
    assert eshape.tolist() == [2]
    assert popped.tolist() == [7, 8]
    assert gather.tolist() == [[5, 6], [1, 2]]
    assert int(elen) == 0 and int(eshape2) == -1
    assert zeros.shape == (7, 8) and not zeros.any()


def test_tensor_list_errors():
    sess = session(
        [
            const("unknown", -1, np.int32),
            const("two", 2, np.int32),
            const("five", 5, np.int32),
            node("l", "TensorListReserve", "unknown", "two", element_dtype=F32, shape_type=I32),
            node("bad", "TensorListGetItem", "l", "five", "unknown", element_dtype=F32),
            node("unset", "TensorListGetItem", "l", "two", "unknown", element_dtype=F32),
        ]
    )
    with pytest.raises(errors.InvalidArgumentError, match="element 5 in a list with 2") as info:
        sess.run("bad:0")
    assert info.value.node_name == "bad" and info.value.op_type == "TensorListGetItem"
    with pytest.raises(errors.InvalidArgumentError, match="element 2 in a list with 2"):
        sess.run("unset:0")


# -- resource variables, TF1 ref variables ------------------------------------------------------


def _var(name: str, dtype=F32, shared_name: str | None = None) -> object:
    attrs = {"dtype": dtype, "shape": Shape(())}
    if shared_name is not None:
        attrs["shared_name"] = shared_name
    return node(name, "VarHandleOp", **attrs)


def test_resource_variables():
    sess = session(
        [
            _var("v", shared_name="shared"),
            _var("alias", shared_name="shared"),  # same shared_name: the same variable
            _var("anon"),  # empty shared_name: a variable of its own (keyed by node name)
            placeholder("x"),
            node("assign", "AssignVariableOp", "v", "x", dtype=F32),
            node("add", "AssignAddVariableOp", "v", "x", dtype=F32),
            node("sub", "AssignSubVariableOp", "alias", "x", dtype=F32),
            node("read", "ReadVariableOp", "alias", dtype=F32),
            node("read_anon", "ReadVariableOp", "anon", dtype=F32),
            node("is_init", "VarIsInitializedOp", "v"),
            node("anon_init", "VarIsInitializedOp", "anon"),
            node("destroy", "DestroyResourceOp", "v"),
            node("destroy_strict", "DestroyResourceOp", "v", ignore_lookup_error=False),
            node("read_i", "ReadVariableOp", "v", dtype=I32),
        ]
    )
    assert not sess.run("is_init:0")
    with pytest.raises(errors.FailedPreconditionError) as info:
        sess.run("read:0")
    assert info.value.node_name == "read" and info.value.op_type == "ReadVariableOp"
    sess.run(targets=["assign"], feed_dict={"x:0": 5.0})
    sess.run(targets=["add"], feed_dict={"x:0": 2.0})
    sess.run(targets=["sub"], feed_dict={"x:0": 0.5})
    assert sess.run("read:0") == np.float32(6.5)
    assert sess.run(["is_init:0", "anon_init:0"]) == [True, False]
    with pytest.raises(errors.InvalidArgumentError, match="wrong dtype"):
        sess.run("read_i:0")
    with pytest.raises(errors.FailedPreconditionError):
        sess.run("read_anon:0")
    sess.run(targets=["destroy"])
    assert not sess.run("is_init:0")
    sess.run(targets=["destroy"])  # ignore_lookup_error defaults to true
    with pytest.raises(errors.NotFoundError):
        sess.run(targets=["destroy_strict"])


def test_resource_gather():
    sess = session(
        [
            node("emb", "VarHandleOp", dtype=F32, shape=Shape((3, 2)), shared_name="emb"),
            const("table", [[0, 1], [2, 3], [4, 5]], np.float32),
            node("init", "AssignVariableOp", "emb", "table", dtype=F32),
            placeholder("ids", I32),
            node("g", "ResourceGather", "emb", "ids", dtype=F32, Tindices=I32),
            node("shape", "VariableShape", "emb", out_type=I64),
        ]
    )
    sess.run(targets=["init"])
    assert sess.run("g:0", {"ids:0": [[2], [0]]}).tolist() == [[[4, 5]], [[0, 1]]]
    assert sess.run("shape:0").tolist() == [3, 2]
    with pytest.raises(errors.InvalidArgumentError, match=r"indices\[1\] = 3 is not in \[0, 3\)"):
        sess.run("g:0", {"ids:0": [0, 3]})


def test_tf1_ref_variables():
    sess = session(
        [
            node("v", "VariableV2", shape=Shape(()), dtype=F32),
            const("init_value", 1.0, np.float32),
            node("v/Assign", "Assign", "v", "init_value", T=F32),
            node("v/read", "Identity", "v", T=F32),
            const("step", 2.0, np.float32),
            node("inc", "AssignAdd", "v", "step", T=F32),
            node("dec", "AssignSub", "v", "step", T=F32),
            node("y", "AddV2", "v", "step", T=F32),  # a ref edge read by a non-ref input
            node("is_init", "IsVariableInitialized", "v", dtype=F32),
            node("after_inc", "Identity", "inc", T=F32),
        ]
    )
    with pytest.raises(errors.FailedPreconditionError, match="uninitialized value v") as info:
        sess.run("v/read:0")
    assert info.value.node_name == "v/read"
    assert not sess.run("is_init:0")
    sess.run(targets=["v/Assign"])
    assert sess.run("v/read:0") == np.float32(1.0)
    assert sess.run("after_inc:0") == np.float32(3.0)  # Assign* outputs the ref: read it
    assert sess.run("y:0") == np.float32(5.0)
    sess.run(targets=["dec"])
    assert sess.run("v:0") == np.float32(1.0)  # fetching the ref edge returns the value
    assert sess.run("is_init:0")


def test_assign_validates_shape():
    sess = session(
        [
            node("v", "VariableV2", shape=Shape((2,)), dtype=F32),
            placeholder("x"),
            node("assign", "Assign", "v", "x", T=F32),
            node("loose", "Assign", "v", "x", T=F32, validate_shape=False),
        ]
    )
    sess.run(targets=["assign"], feed_dict={"x:0": [1.0, 2.0]})
    with pytest.raises(errors.InvalidArgumentError, match="Assign requires shapes"):
        sess.run(targets=["assign"], feed_dict={"x:0": [1.0, 2.0, 3.0]})
    sess.run(targets=["loose"], feed_dict={"x:0": [1.0, 2.0, 3.0]})


# -- lookup tables ------------------------------------------------------------------------------


def test_hash_table_from_text_file(tmp_path):
    vocab = tmp_path / "vocab.txt"
    vocab.write_bytes(b"apple\ncherry\r\nmango\n")
    sess = session(
        [
            node("table", "HashTableV2", key_dtype=OBJ, value_dtype=I64),
            placeholder("path", OBJ),
            node(
                "init",
                "InitializeTableFromTextFileV2",
                "table",
                "path",
                key_index=-2,
                value_index=-1,
            ),
            placeholder("keys", OBJ),
            const("default", -1, np.int64),
            node("find", "LookupTableFindV2", "table", "keys", "default", Tin=OBJ, Tout=I64),
            node("size", "LookupTableSizeV2", "table"),
        ]  # fmt: skip
    )
    with pytest.raises(errors.FailedPreconditionError, match="not initialized"):
        sess.run("find:0", {"keys:0": ["apple"]})
    sess.run(targets=["init"], feed_dict={"path:0": str(vocab)})
    found = sess.run("find:0", {"keys:0": [["mango", "kiwi"], ["apple", "cherry"]]})
    assert found.dtype == I64 and found.tolist() == [[2, -1], [0, 1]]
    assert sess.run("size:0") == 3
    # re-initializing with the same data is fine; different data is an error (as in TF)
    sess.run(targets=["init"], feed_dict={"path:0": str(vocab)})
    other = tmp_path / "other.txt"
    other.write_bytes(b"mango\n")
    with pytest.raises(errors.FailedPreconditionError, match="different value for same key"):
        sess.run(targets=["init"], feed_dict={"path:0": str(other)})


def test_text_file_columns_and_errors(tmp_path):
    data = tmp_path / "data.tsv"
    data.write_bytes(b"5\t1.5\n7\t2.5\n")
    empty_line = tmp_path / "empty.txt"
    empty_line.write_bytes(b"a\n\nb\n")

    def table_graph(path, key_dtype, value_dtype, key_index, value_index, **extra):
        return session(
            [
                node("t", "HashTableV2", key_dtype=key_dtype, value_dtype=value_dtype),
                const("path", str(path).encode()),
                node(
                    "init",
                    "InitializeTableFromTextFileV2",
                    "t",
                    "path",
                    key_index=key_index,
                    value_index=value_index,
                    **extra,
                ),
                node("export", "LookupTableExportV2", "t", Tkeys=key_dtype, Tvalues=value_dtype),
            ]  # fmt: skip
        )

    sess = table_graph(data, I64, F32, 0, 1)
    sess.run(targets=["init"])
    keys, values = sess.run(["export:0", "export:1"])
    assert dict(zip(keys.tolist(), values.tolist(), strict=True)) == {5: 1.5, 7: 2.5}
    with pytest.raises(errors.InvalidArgumentError, match="empty line"):
        table_graph(empty_line, OBJ, I64, -2, -1).run(targets=["init"])
    with pytest.raises(errors.InvalidArgumentError, match="Invalid vocab_size"):
        table_graph(data, OBJ, I64, -2, -1, vocab_size=5).run(targets=["init"])
    with pytest.raises(errors.NotFoundError):
        table_graph(tmp_path / "missing", OBJ, I64, -2, -1).run(targets=["init"])


def test_table_import_and_mutable_tables():
    sess = session(
        [
            node("t", "HashTableV2", key_dtype=I64, value_dtype=OBJ),
            node("m", "MutableHashTableV2", key_dtype=I64, value_dtype=OBJ),
            const("k", [1, 2], np.int64),
            const("v", ["one", "two"]),
            const("k2", [2], np.int64),
            const("v2", ["deux"]),
            node("import", "LookupTableImportV2", "t", "k", "v", Tin=I64, Tout=OBJ),
            node("insert", "LookupTableInsertV2", "m", "k", "v", Tin=I64, Tout=OBJ),
            node("update", "LookupTableInsertV2", "m", "k2", "v2", Tin=I64, Tout=OBJ),
            const("q", [2, 3], np.int64),
            const("default", "?"),
            node("find_t", "LookupTableFindV2", "t", "q", "default", Tin=I64, Tout=OBJ),
            node("find_m", "LookupTableFindV2", "m", "q", "default", Tin=I64, Tout=OBJ),
        ]
    )
    sess.run(targets=["import", "insert"])
    sess.run(targets=["update"])
    assert sess.run("find_t:0").tolist() == [b"two", b"?"]
    assert sess.run("find_m:0").tolist() == [b"deux", b"?"]


# -- checkpoint ops -----------------------------------------------------------------------------


def test_save_merge_restore_round_trip(tmp_path):
    prefix = str(tmp_path / "ckpt" / "model")
    sess = session(
        [
            placeholder("prefix", OBJ),
            const("temp", "_temp/part"),
            node("tmp", "StringJoin", "prefix", "temp", N=2),
            const("shard", 0, np.int32),
            const("num", 1, np.int32),
            node("shard_name", "ShardedFilename", "tmp", "shard", "num"),
            node("spec", "ShardedFilespec", "prefix", "num"),
            const("names", ["a", "b", "s"]),
            const("slices", ["", "", ""]),
            const("a", [[1.0, 2.0]], np.float32),
            const("b", 7, np.int64),
            const("s", ["x", "yz"]),
            node(
                "save",
                "SaveV2",
                "shard_name",
                "names",
                "slices",
                "a",
                "b",
                "s",
                dtypes=[F32, I64, OBJ],
            ),
            node("merge", "MergeV2Checkpoints", "shard_name", "prefix", "^save"),
            node("restore", "RestoreV2", "prefix", "names", "slices", dtypes=[F32, I64, OBJ]),
            const("one_name", ["b"]),
            const("one_slice", [""]),
            node("restore_b", "RestoreV2", "prefix", "one_name", "one_slice", dtypes=[I64]),
            node("restore_wrong", "RestoreV2", "prefix", "one_name", "one_slice", dtypes=[F32]),
        ]  # fmt: skip
    )
    shard, spec = sess.run(["shard_name:0", "spec:0"], {"prefix:0": prefix})
    assert shard == f"{prefix}_temp/part-00000-of-00001".encode()
    assert spec == f"{prefix}-?????-of-00001".encode()
    sess.run(targets=["merge"], feed_dict={"prefix:0": prefix})
    assert sorted(p.name for p in (tmp_path / "ckpt").iterdir()) == [
        "model.data-00000-of-00001",
        "model.index",
    ]  # the temp shard and its directory are gone
    a, b, s = sess.run(["restore:0", "restore:1", "restore:2"], {"prefix:0": prefix})
    assert a.dtype == F32 and a.tolist() == [[1.0, 2.0]]
    assert b.dtype == I64 and int(b) == 7
    assert s.tolist() == [b"x", b"yz"]
    assert int(sess.run("restore_b:0", {"prefix:0": prefix})) == 7
    with pytest.raises(errors.InvalidArgumentError, match="expected dtype float32"):
        sess.run("restore_wrong:0", {"prefix:0": prefix})


def test_string_join_broadcasts_scalars():
    sess = session(
        [
            const("a", ["x", "y"]),
            const("b", "-"),
            const("c", ["1", "2"]),
            node("j", "StringJoin", "a", "b", "c", N=3, separator="+"),
        ]
    )
    assert sess.run("j:0").tolist() == [b"x+-+1", b"y+-+2"]


# -- unsupported ops and attrs ------------------------------------------------------------------


def test_all_unsupported_ops_are_reported_with_counts():
    f = function(
        "f",
        [("x", F32)],
        [("y", F32)],
        [
            node("a", "FancyOp", "x"),
            node("b", "FancyOp", "a:y:0"),
            node("sw", "Switch", "x", "x", T=F32),
        ],
        {"y": "b:y:0"},
    )
    g = function("g", [("x", F32)], [("y", F32)], [node("m", "Merge", "x", "x")], {"y": "m:0"})
    graph = make_graph(
        [
            placeholder("x"),
            node("call", "f", "x"),
            node("other", "FancyOp", "x"),
            node(
                "cond",
                "If",
                "x",
                "x",
                then_branch=FuncAttr("g"),
                else_branch=FuncAttr("g"),
                Tcond=F32,
                Tin=[F32],
                Tout=[F32],
            ),
            node("enter", "Enter", "x", frame_name="loop", T=F32),
        ],  # fmt: skip
        [f, g],
    )
    # TF1 control flow ops (Switch, Merge, Enter) have no kernels: the executor runs them.
    findings = find_unsupported(graph, graph.nodes.values())
    assert dict(findings.ops) == {"FancyOp": 3}
    sess = Session(graph)
    with pytest.raises(errors.UnimplementedError) as info:
        sess.compile(["x:0"], ["call:0", "cond:0", "other:0", "enter:0"])
    err = info.value
    assert err.unsupported_ops == {"FancyOp": 3}
    msg = str(err)
    assert "1 op type(s) (3 node(s))" in msg
    assert "FancyOp x3" in msg and "in function 'f'" in msg
    # only what the fetches need is checked
    assert sess.run("x:0", {"x:0": 1.0}) == np.float32(1.0)


def test_unknown_attr_values_fail_at_plan_time(monkeypatch):
    # Every kernel knows all its attrs today: a ResourceGather kernel that does not name
    # batch_dims stands in for one that lacks an attr.
    gather = registry.lookup("ResourceGather")
    narrowed = dataclasses.replace(gather, attr_names=gather.attr_names - {"batch_dims"})
    monkeypatch.setitem(registry._REGISTRY, "ResourceGather", narrowed)
    graph = make_graph(
        [
            node("emb", "VarHandleOp", dtype=F32, shape=Shape((3, 2)), shared_name="emb"),
            placeholder("ids", I32),
            # batch_dims is not supported by this ResourceGather: a non-default value is reported
            node("g1", "ResourceGather", "emb", "ids", dtype=F32, Tindices=I32, batch_dims=1),
            # ... while its default value is fine, and type attrs never matter
            node("g0", "ResourceGather", "emb", "ids", dtype=F32, Tindices=I32, batch_dims=0),
            node("weird", "Identity", "ids", T=I32, surprise=3),
            node("tagged", "Identity", "ids", T=I32, _class=[Shape(())]),
        ]
    )
    sess = Session(graph)
    sess.compile(["ids:0"], ["g0:0", "tagged:0"])
    with pytest.raises(errors.UnimplementedError) as info:
        sess.compile(["ids:0"], ["g1:0", "weird:0"])
    assert info.value.unsupported_attrs == ["Identity.surprise=3", "ResourceGather.batch_dims=1"]
    assert "attr batch_dims=1" in str(info.value) and "'g1'" in str(info.value)


def test_kernel_outputs_are_checked_against_the_op_def():
    bad_value = protos.AttrValue()
    bad_value.tensor.CopyFrom(tensors.make_tensor_proto(np.float64(1.5)))
    folded = node("folded", "Const", dtype=F32)
    folded.attr["value"].CopyFrom(bad_value)  # value float64, dtype float32
    run_time = node("run_time", "Const", "^folded_ok", dtype=F32)
    run_time.attr["value"].CopyFrom(bad_value)
    sess = session([folded, run_time, const("folded_ok", 1.0, np.float32)])
    with pytest.raises(errors.InvalidArgumentError, match="Const value has dtype float64") as info:
        sess.run("folded:0")
    assert info.value.node_name == "folded"
    # a Const with control inputs runs as a step: its kernel output is checked centrally
    with pytest.raises(errors.InternalError, match="returned dtype float64") as info:
        sess.run("run_time:0")
    assert info.value.node_name == "run_time" and info.value.op_type == "Const"


def test_control_edge_from_a_function_argument():
    f = function(
        "f",
        [("x", F32)],
        [("y", F32)],
        [const("c", 4.0, np.float32), node("y", "Identity", "c:output:0", "^x", T=F32)],
        {"y": "y:output:0"},
    )
    sess = session([placeholder("x"), node("call", "f", "x")], [f])
    assert sess.run("call:0", {"x:0": 1.0}) == np.float32(4.0)


def test_malformed_graphs_fail_with_the_node_named():
    corrupt = node("c", "Const", dtype=F32)
    corrupt.attr["value"].tensor.dtype = protos.DT_FLOAT
    corrupt.attr["value"].tensor.tensor_shape.dim.add(size=4)
    corrupt.attr["value"].tensor.tensor_content = b"\x00" * 3  # 3 bytes for 4 floats
    with pytest.raises(errors.OpError) as info:
        make_graph([corrupt])
    assert info.value.node_name == "c"
    sess = session([const("a", 1.0, np.float32), node("n", "IdentityN", "a", T=3)])
    with pytest.raises(errors.InvalidArgumentError, match="wrong kind") as info:
        sess.run("n:0")
    assert info.value.node_name == "n"
    sess = session([const("a", 1.0, np.float32), node("b", "Identity", "a:3", T=F32)])
    with pytest.raises(errors.InvalidArgumentError, match="does not exist") as info:
        sess.run("b:0")
    assert info.value.node_name == "b"
    f = function("f", [("x", F32)], [("y", F32)], [], {"y": "nowhere:output:0"})
    with pytest.raises(errors.InvalidArgumentError, match="names no node or argument"):
        session([placeholder("x"), node("call", "f", "x")], [f]).run("call:0", {"x:0": 1.0})


# -- numpy warnings, aliasing of values handed out ----------------------------------------------


@pytest.mark.filterwarnings("error")  # as `python -W error`: any RuntimeWarning fails the test
def test_overflow_and_invalid_values_raise_no_numpy_warning():
    big = np.float32(3e38)
    body = function(
        "body",
        [("x", F32)],
        [("y", F32)],
        [node("y", "Mul", "x", "x", T=F32)],
        {"y": "y:z:0"},
    )
    sess = session(
        [
            placeholder("x"),
            placeholder("i", I32),
            node("sum", "Add", "x", "x", T=F32),
            node("product", "Mul", "x", "x", T=F32),
            node("isum", "AddV2", "i", "i", T=I32),
            node("iproduct", "Mul", "i", "i", T=I32),
            const("zero", 0.0, np.float32),
            node("nan", "RealDiv", "zero", "zero", T=F32),
            node("log", "Log", "sum", T=F32),
            node("in_function", "body", "x"),
        ],
        [body],
    )
    before = np.geterr()
    out = sess.run(
        ["sum:0", "product:0", "isum:0", "iproduct:0", "nan:0", "in_function:0"],
        {"x:0": big, "i:0": np.int32(2**31 - 1)},
    )
    assert np.geterr() == before  # the run's errstate does not leak out
    assert out[0] == np.inf and out[1] == np.inf and out[5] == np.inf
    assert out[2] == np.int32(-2) and out[3] == np.int32(1)  # two's complement wrap, as TF
    assert np.isnan(out[4])
    assert sess.run("log:0", {"x:0": np.float32(-1)}) != sess.run("log:0", {"x:0": np.float32(-1)})


def test_snapshot_and_prevent_gradient_pass_values_through():
    sess = session(
        [
            placeholder("x"),
            node("s", "Snapshot", "x", T=F32),
            node("p", "PreventGradient", "x", T=F32, message="no gradient here"),
        ]
    )
    assert sess.run(["s:0", "p:0"], {"x:0": [1.5, 2.0]})[1].tolist() == [1.5, 2.0]
    assert sess.run("s:0", {"x:0": [1.5, 2.0]}).tolist() == [1.5, 2.0]


def test_values_handed_out_never_alias_variables_constants_or_feeds():
    sess = session(
        [
            const("c", [1.0, 2.0], np.float32),
            node("c_id", "Identity", "c", T=F32),
            const("shape", [2, 1], np.int32),
            node("c_view", "Reshape", "c", "shape", T=F32, Tshape=I32),
            node("v", "VarHandleOp", dtype=F32, shape=Shape((2,)), shared_name="v"),
            placeholder("x"),
            node("assign", "AssignVariableOp", "v", "x", dtype=F32),
            node("read", "ReadVariableOp", "v", dtype=F32),
            node("read_view", "Reshape", "read", "shape", T=F32, Tshape=I32),
            node("x_id", "Identity", "x", T=F32),
            node("double", "AddV2", "x", "x", T=F32),
            node("assign_double", "AssignVariableOp", "v", "double", dtype=F32),
            node("ref", "VariableV2", shape=Shape((2,)), dtype=F32),
            node("ref_assign", "Assign", "ref", "x", T=F32),
            node("ref_read", "Identity", "ref", T=F32),
        ]
    )
    x = np.array([3.0, 4.0], np.float32)
    sess.run(targets=["assign", "ref_assign"], feed_dict={"x:0": x})
    x[:] = 0  # the caller's array: the variables hold their own copies
    for name in ("c_id:0", "c_view:0", "read:0", "read_view:0", "ref_read:0", "ref:0"):
        out = sess.run(name)
        assert out.flags.writeable
        out[...] = -1
    assert sess.run("c_id:0").tolist() == [1.0, 2.0]
    assert sess.run("read:0").tolist() == [3.0, 4.0]
    assert sess.run("ref:0").tolist() == [3.0, 4.0]

    fed_out, fed_id = sess.run(["x:0", "x_id:0"], {"x:0": x})
    assert fed_out is not x and fed_id is not x and not np.shares_memory(fed_id, x)
    # A fresh result that is fetched and also stored: the two must not share memory.
    double, _ = sess.run(["double:0", "x:0"], {"x:0": [1.0, 2.0]}, targets=["assign_double"])
    double[:] = 0
    assert sess.run("read:0").tolist() == [2.0, 4.0]
    # The same tensor fetched twice is two arrays.
    a, b = sess.run(["double:0", "double:0"], {"x:0": [1.0, 2.0]})
    a[0] = 7
    assert b.tolist() == [2.0, 4.0]


def test_function_caller_outputs_are_detached():
    f = function(
        "f",
        [("x", F32)],
        [("y", F32), ("k", F32)],
        [const("k", [5.0], np.float32), node("y", "Identity", "x", T=F32)],
        {"y": "y:output:0", "k": "k:output:0"},
    )
    sess = session([], [f])
    x = np.array([1.0], np.float32)
    y, k = sess.function(FuncAttr("f"))(x)
    assert y.tolist() == [1.0] and not np.shares_memory(y, x)
    k[0] = 0
    assert sess.call(FuncAttr("f"), [x])[1].tolist() == [5.0]


@pytest.mark.interop
@pytest.mark.parametrize("batch_dims", [0, 1, -1, 2])
def test_resource_gather_batch_dims_matches_tensorflow(batch_dims):
    tf = pytest.importorskip("tensorflow")
    params = np.arange(2 * 3 * 4 * 2, dtype=np.float32).reshape(2, 3, 4, 2)
    # Gathered along axis batch_dims (-1: rank(indices) - 1), of sizes 2, 3, 4.
    indices = {
        0: np.array([[1, 0, 1]], np.int32),
        1: np.array([[2, 0, 1, 2], [1, 1, 0, 0]], np.int32),
        -1: np.array([[2, 0], [1, 1]], np.int32),
        2: np.array([[[1, 0], [3, 3], [0, 2]], [[3, 1], [0, 0], [2, 3]]], np.int32),
    }[batch_dims]
    try:
        expected = tf.raw_ops.ResourceGather(
            resource=tf.Variable(params).handle, indices=indices, dtype=tf.float32,
            batch_dims=batch_dims,
        ).numpy()  # fmt: skip
    except tf.errors.InvalidArgumentError as e:
        expected = e
    sess = session(
        [
            node("v", "VarHandleOp", dtype=F32, shape=Shape(params.shape), shared_name="v"),
            placeholder("p"),
            node("init", "AssignVariableOp", "v", "p", dtype=F32),
            placeholder("ids", I32),
            node("g", "ResourceGather", "v", "ids", dtype=F32, Tindices=I32, batch_dims=batch_dims),
        ]  # fmt: skip
    )
    sess.run(targets=["init"], feed_dict={"p:0": params})
    if isinstance(expected, Exception):  # TF rejects a negative batch_dims here
        with pytest.raises(errors.InvalidArgumentError, match="batch_dims is negative"):
            sess.run("g:0", {"ids:0": indices})
        return
    out = sess.run("g:0", {"ids:0": indices})
    assert out.shape == expected.shape and np.array_equal(out, expected)
