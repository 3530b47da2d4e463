"""Every kernel of the numpy families fits its op's OpDef (no TensorFlow needed).

The executor calls `fn(*inputs, **attrs)` with inputs in OpDef order and only the attrs a kernel
names, so a kernel must take exactly one positional parameter per OpDef input, name only attrs the
OpDef has, and name every attr that is not implied by its inputs (an unnamed attr with a
non-default value would make the model unloadable; an unnamed output dtype would be ignored).
"""

from __future__ import annotations

import importlib
import inspect

import pytest

from savedmodel.graph import op_def_table
from savedmodel.ops import registry

FAMILIES = [
    "array_ops", "image_ops", "logging_ops", "math_ops", "nn_ops", "parsing_ops", "random_ops",
    "sparse_ops", "string_ops",
]  # fmt: skip


def _family_ops() -> list[str]:
    ops = []
    for family in FAMILIES:
        module = importlib.import_module(f"savedmodel.ops.{family}")
        prefix = module.__name__
        for op in sorted(registry.registered_op_types()):
            if registry.lookup(op).fn.__module__.startswith(prefix):
                ops.append(op)
    return sorted(set(ops))


OPS = _family_ops()


def test_families_register_many_kernels():
    assert len(OPS) > 200


@pytest.mark.parametrize("op", OPS)
def test_kernel_signature_fits_op_def(op):
    op_def = op_def_table.lookup(op)
    assert op_def is not None, f"{op} has no OpDef in the table"
    kernel = registry.lookup(op)
    params = inspect.signature(kernel.fn).parameters.values()
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    assert len(positional) == len(op_def.inputs), (
        f"{op}: {len(positional)} positional parameters for {len(op_def.inputs)} inputs"
    )
    unknown = kernel.attr_names - set(op_def.attrs)
    assert not unknown, f"{op}: kernel names attrs the OpDef lacks: {sorted(unknown)}"
    implied = set()
    for arg in op_def.inputs:
        implied.update(filter(None, (arg.type_attr, arg.number_attr, arg.type_list_attr)))
    unnamed = set(op_def.attrs) - implied - kernel.attr_names
    assert not unnamed, f"{op}: attrs neither implied by the inputs nor named: {sorted(unnamed)}"
