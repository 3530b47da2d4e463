"""Per-op static shape functions (registered into `shape_inference` on import).

Each function receives the op being built (input shapes, decoded attrs, constant input values)
and returns one TensorShape per output, following TensorFlow's C++ shape functions for the ops
graph code commonly builds.
"""

from __future__ import annotations

from typing import Any

from savedmodel import tensors
from savedmodel.framework.shape_inference import (
    SCALAR,
    UNKNOWN,
    ShapeContext,
    broadcast,
    handle_shape,
    reduction_axes,
    shape_fn,
)
from savedmodel.framework.tensor_shape import TensorShape

# -- shape functions -------------------------------------------------------------------------------

_UNARY = (
    "Identity Snapshot StopGradient PreventGradient Neg Abs Relu Relu6 Elu Selu Sigmoid Tanh Exp"
    " Expm1 Log Log1p Sqrt Rsqrt Square Floor Ceil Round Rint Sign Sin Cos Tan Asin Acos Atan"
    " Sinh Cosh Asinh Acosh Atanh Erf Erfc Lgamma Digamma Reciprocal Inv Softplus Softsign Softmax"
    " LogSoftmax LogicalNot ZerosLike OnesLike IsNan IsInf IsFinite Cast Bitcast? Conj Real Imag"
    " Angle ComplexAbs Invert CheckNumerics CheckNumericsV2 LeakyRelu Gelu Mish Cumsum Cumprod"
    " ReverseV2 ClipByValue EnsureShape BiasAdd PopulationCount Relu6Grad ReluGrad"
).split()


@shape_fn(*(n for n in _UNARY if not n.endswith("?")))
def _same_as_first(c: ShapeContext) -> list[TensorShape]:
    if c.op.type == "EnsureShape":
        return [c.shape(0).merge_with(TensorShape(c.attr("shape")))]
    return [c.shape(0)] * c.n_out()


_BINARY = (
    "Add AddV2 Sub Mul Div RealDiv DivNoNan MulNoNan FloorDiv FloorMod TruncateDiv TruncateMod Mod"
    " Pow Maximum Minimum SquaredDifference Less LessEqual Greater GreaterEqual Equal NotEqual"
    " LogicalAnd LogicalOr Atan2 Xdivy Xlogy Xlog1py BitwiseAnd BitwiseOr BitwiseXor LeftShift"
    " RightShift ApproximateEqual Igamma Igammac Zeta Polygamma NextAfter Complex SelectV2?"
).split()


@shape_fn(*(n for n in _BINARY if not n.endswith("?")))
def _broadcasting(c: ShapeContext) -> list[TensorShape]:
    return [broadcast(c.shape(0), c.shape(1))]


@shape_fn("SelectV2")
def _select_v2(c: ShapeContext) -> list[TensorShape]:
    return [broadcast(broadcast(c.shape(0), c.shape(1)), c.shape(2))]


@shape_fn("Select")
def _select(c: ShapeContext) -> list[TensorShape]:
    return [c.shape(1).merge_with(c.shape(2))]


@shape_fn("AddN")
def _add_n(c: ShapeContext) -> list[TensorShape]:
    shape = UNKNOWN
    for i in range(len(c.inputs)):
        shape = shape.merge_with(c.shape(i))
    return [shape]


@shape_fn("Const")
def _const(c: ShapeContext) -> list[TensorShape]:
    return [TensorShape(tensors.shape_from_proto(c.op._attrs["value"].tensor.tensor_shape))]


@shape_fn("Placeholder", "VariableV2", "Variable")
def _placeholder(c: ShapeContext) -> list[TensorShape]:
    return [TensorShape(c.attr("shape"))]


@shape_fn("PlaceholderWithDefault")
def _placeholder_with_default(c: ShapeContext) -> list[TensorShape]:
    declared = TensorShape(c.attr("shape"))
    if not c.shape(0).is_compatible_with(declared):
        raise ValueError(f"Incompatible shapes: {c.shape(0)} vs. {declared}")
    return [declared]


@shape_fn("Assign", "AssignAdd", "AssignSub")
def _assign(c: ShapeContext) -> list[TensorShape]:
    if c.op.type == "Assign" and not c.attr("validate_shape", True):
        return [c.shape(1)]
    return [c.shape(0).merge_with(c.shape(1))]


@shape_fn("ReadFile", "VarHandleOp", "VarIsInitializedOp", "IsVariableInitialized",
          "ShardedFilename", "StaticRegexFullMatch", "HashTableV2", "MutableHashTableV2",
          "LookupTableSizeV2", "ShardedFilespec")  # fmt: skip
def _scalar(c: ShapeContext) -> list[TensorShape]:
    return [SCALAR] * c.n_out()


@shape_fn("ReadVariableOp")
def _read_variable(c: ShapeContext) -> list[TensorShape]:
    return [handle_shape(c.inputs[0])]


@shape_fn("StringJoin")
def _string_join(c: ShapeContext) -> list[TensorShape]:
    shape = SCALAR
    for i in range(len(c.inputs)):
        if c.shape(i).rank != 0:
            shape = c.shape(i) if shape.rank == 0 else shape.merge_with(c.shape(i))
    return [shape]


@shape_fn("Shape")
def _shape(c: ShapeContext) -> list[TensorShape]:
    return [TensorShape([c.shape(0).rank])]


@shape_fn("ShapeN")
def _shape_n(c: ShapeContext) -> list[TensorShape]:
    return [TensorShape([c.shape(i).rank]) for i in range(len(c.inputs))]


@shape_fn("Size", "Rank")
def _size(c: ShapeContext) -> list[TensorShape]:
    return [SCALAR]


@shape_fn("Sum", "Mean", "Max", "Min", "Prod", "All", "Any", "EuclideanNorm")
def _reduce(c: ShapeContext) -> list[TensorShape]:
    shape = c.shape(0)
    keep = c.attr("keep_dims", False)
    axes = reduction_axes(c.value(1), shape.rank)
    if shape.rank is None:
        return [UNKNOWN]
    if axes is None:
        return [TensorShape([None] * shape.rank) if keep else UNKNOWN]
    dims = []
    for i, d in enumerate(shape.dims):  # type: ignore[arg-type]
        if i in axes:
            if keep:
                dims.append(1)
        else:
            dims.append(d)
    return [TensorShape(dims)]


@shape_fn("ArgMax", "ArgMin")
def _arg_reduce(c: ShapeContext) -> list[TensorShape]:
    shape = c.shape(0)
    axes = reduction_axes(c.value(1), shape.rank)
    if shape.rank is None:
        return [UNKNOWN]
    if axes is None:
        return [TensorShape([None] * (shape.rank - 1))]
    return [TensorShape([d for i, d in enumerate(shape.dims) if i != axes[0]])]  # type: ignore


@shape_fn("MatMul")
def _matmul(c: ShapeContext) -> list[TensorShape]:
    a, b = c.shape(0).with_rank(2), c.shape(1).with_rank(2)
    ta, tb = c.attr("transpose_a", False), c.attr("transpose_b", False)
    m, ka = (a[1], a[0]) if ta else (a[0], a[1])
    kb, n = (b[1], b[0]) if tb else (b[0], b[1])
    if ka is not None and kb is not None and ka != kb:
        raise ValueError(
            f"Dimensions must be equal, but are {ka} and {kb} for '{c.op.name}' (op: 'MatMul')"
            f" with input shapes: {c.shape(0).as_list()}, {c.shape(1).as_list()}."
        )
    return [TensorShape([m, n])]


@shape_fn("BatchMatMul", "BatchMatMulV2", "BatchMatMulV3")
def _batch_matmul(c: ShapeContext) -> list[TensorShape]:
    a, b = c.shape(0), c.shape(1)
    if a.rank is None or b.rank is None:
        return [UNKNOWN]
    adj_x, adj_y = c.attr("adj_x", False), c.attr("adj_y", False)
    m = a[-1] if adj_x else a[-2]
    n = b[-2] if adj_y else b[-1]
    batch = broadcast(a[:-2], b[:-2])
    return [batch.concatenate([m, n])]


@shape_fn("TopKV2")
def _top_k(c: ShapeContext) -> list[TensorShape]:
    shape, k = c.shape(0), c.value(1)
    if shape.rank is None:
        return [UNKNOWN, UNKNOWN]
    out = shape[:-1].concatenate([None if k is None else int(k)])
    return [out, out]


@shape_fn("Conv2D", "MaxPool", "AvgPool", "DepthwiseConv2dNative")
def _conv_pool(c: ShapeContext) -> list[TensorShape]:
    shape = c.shape(0)
    if shape.rank is None:
        return [TensorShape([None] * 4)]
    fmt = c.attr("data_format", "NHWC")
    strides = c.attr("strides")
    padding = c.attr("padding")
    if fmt == "NHWC":
        n, h, w, ch = shape.dims  # type: ignore[misc]
        sh, sw = strides[1], strides[2]
    else:
        n, ch, h, w = shape.dims  # type: ignore[misc]
        sh, sw = strides[2], strides[3]
    if c.op.type in ("Conv2D", "DepthwiseConv2dNative"):
        f = c.shape(1)
        if f.rank is None:
            kh = kw = out_ch = None
        else:
            kh, kw = f[0], f[1]
            out_ch = (
                f[3]
                if c.op.type == "Conv2D"
                else (None if f[2] is None or f[3] is None else f[2] * f[3])
            )
        dil = c.attr("dilations", [1, 1, 1, 1])
        dh, dw = (dil[1], dil[2]) if fmt == "NHWC" else (dil[2], dil[3])
    else:
        ksize = c.attr("ksize")
        kh, kw = (ksize[1], ksize[2]) if fmt == "NHWC" else (ksize[2], ksize[3])
        out_ch, dh, dw = ch, 1, 1

    def out_size(size: int | None, k: int | None, s: int, d: int, pads: tuple[int, int]) -> Any:
        if size is None:
            return None
        if padding == "SAME":
            return -(-size // s)
        if k is None:
            return None
        eff = (k - 1) * d + 1
        return (size + pads[0] + pads[1] - eff) // s + 1

    explicit = c.attr("explicit_paddings", []) or []
    if padding == "EXPLICIT" and explicit:
        hp = (explicit[2], explicit[3]) if fmt == "NHWC" else (explicit[4], explicit[5])
        wp = (explicit[4], explicit[5]) if fmt == "NHWC" else (explicit[6], explicit[7])
    else:
        hp = wp = (0, 0)
    oh, ow = out_size(h, kh, sh, dh, hp), out_size(w, kw, sw, dw, wp)
    dims = [n, oh, ow, out_ch] if fmt == "NHWC" else [n, out_ch, oh, ow]
    return [TensorShape(dims)]


@shape_fn("RestoreV2")
def _restore(c: ShapeContext) -> list[TensorShape]:
    return [UNKNOWN] * c.n_out()


@shape_fn("IdentityN")
def _identity_n(c: ShapeContext) -> list[TensorShape]:
    return [c.shape(i) for i in range(len(c.inputs))]


@shape_fn("ParseExampleV2")
def _parse_example(c: ShapeContext) -> list[TensorShape]:
    batch = c.shape(0)
    num_sparse = c.attr("num_sparse", 0)
    dense_shapes = [TensorShape(s) for s in c.attr("dense_shapes", [])]
    rank = batch.rank
    index_width = None if rank is None else rank + 1
    sparse = (
        [TensorShape([None, index_width])] * num_sparse
        + [TensorShape([None])] * num_sparse
        + [TensorShape([index_width])] * num_sparse
    )
    dense = [batch.concatenate(s) for s in dense_shapes]
    rest = [TensorShape([None])] * (c.n_out() - len(sparse) - len(dense))
    return sparse + dense + rest
