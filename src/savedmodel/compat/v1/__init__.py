"""`tf.compat.v1` without TensorFlow: `import savedmodel.compat.v1 as tf1`.

Graphs, placeholders, sessions, variables (resource by default, reference variables on request
or after `disable_resource_variables()` / `disable_v2_behavior()`), collections, Saver,
MetaGraph import/export, `saved_model` Builder/simple_save/load and `wrap_function`. Any other
name falls back to the TF2-style top-level API (`savedmodel.tf_api`), as most TF2 symbols exist
under `tf.compat.v1` too.
"""

from __future__ import annotations

from typing import Any

from savedmodel.compat.v1 import saved_model as saved_model
from savedmodel.compat.v1 import train as train
from savedmodel.compat.v1.saved_model.main_op import tables_initializer as tables_initializer
from savedmodel.compat.v1.session import InteractiveSession as InteractiveSession
from savedmodel.compat.v1.session import Session as Session
from savedmodel.compat.v1.session import get_default_session as get_default_session
from savedmodel.compat.v1.variable_scope import AUTO_REUSE as AUTO_REUSE
from savedmodel.compat.v1.variable_scope import VariableScope as VariableScope
from savedmodel.compat.v1.variable_scope import get_variable as get_variable
from savedmodel.compat.v1.variable_scope import get_variable_scope as get_variable_scope
from savedmodel.compat.v1.variable_scope import variable_scope as variable_scope
from savedmodel.compat.v1.wrap_function import wrap_function as wrap_function
from savedmodel.framework import context as _context
from savedmodel.framework import init_ops as _init_ops
from savedmodel.framework.array_ops import ones_like_v1 as _ones_like_v1
from savedmodel.framework.array_ops import placeholder as placeholder
from savedmodel.framework.array_ops import placeholder_with_default as placeholder_with_default
from savedmodel.framework.graph import get_default_graph as get_default_graph
from savedmodel.framework.graph import reset_default_graph as reset_default_graph
from savedmodel.framework.importer import import_graph_def as import_graph_def
from savedmodel.framework.init_ops import constant_initializer as constant_initializer
from savedmodel.framework.init_ops import glorot_normal_initializer as glorot_normal_initializer
from savedmodel.framework.init_ops import glorot_uniform_initializer as glorot_uniform_initializer
from savedmodel.framework.init_ops import ones_initializer as ones_initializer
from savedmodel.framework.init_ops import random_normal_initializer as random_normal_initializer
from savedmodel.framework.init_ops import (
    random_uniform_initializer as random_uniform_initializer,
)
from savedmodel.framework.init_ops import (
    truncated_normal_initializer as truncated_normal_initializer,
)
from savedmodel.framework.init_ops import zeros_initializer as zeros_initializer
from savedmodel.framework.parsing_ops import FixedLenFeature as FixedLenFeature
from savedmodel.framework.parsing_ops import VarLenFeature as VarLenFeature
from savedmodel.framework.parsing_ops import parse_example as parse_example
from savedmodel.framework.scopes import NameScopeV1 as _NameScopeV1
from savedmodel.framework.variables import GraphKeys as GraphKeys
from savedmodel.framework.variables import all_variables as all_variables
from savedmodel.framework.variables import global_variables as global_variables
from savedmodel.framework.variables import (
    global_variables_initializer as global_variables_initializer,
)
from savedmodel.framework.variables import local_variables as local_variables
from savedmodel.framework.variables import (
    local_variables_initializer as local_variables_initializer,
)
from savedmodel.framework.variables import model_variables as model_variables
from savedmodel.framework.variables import trainable_variables as trainable_variables
from savedmodel.framework.variables import variables_initializer as variables_initializer

Variable = __import__(
    "savedmodel.framework.variables", fromlist=["make_v1_variable"]
).make_v1_variable
initializers = _init_ops
ones_like = _ones_like_v1
name_scope = _NameScopeV1


def get_collection(key: str, scope: str | None = None) -> list[Any]:
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key: str) -> list[Any]:
    return get_default_graph().get_collection_ref(key)


def add_to_collection(name: str, value: Any) -> None:
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names: Any, value: Any) -> None:
    get_default_graph().add_to_collections(names, value)


def disable_eager_execution() -> None:
    _context.disable_eager_execution()


def enable_eager_execution(config: Any = None, device_policy: Any = None,
                           execution_mode: Any = None) -> None:  # fmt: skip
    _context.enable_eager_execution()


def disable_resource_variables() -> None:
    _context.FLAGS.resource_variables = False


def enable_resource_variables() -> None:
    _context.FLAGS.resource_variables = True


def resource_variables_enabled() -> bool:
    return _context.FLAGS.resource_variables


def disable_v2_behavior() -> None:
    """TF1 behaviour: graph mode by default and reference variables."""
    _context.disable_eager_execution()
    _context.FLAGS.resource_variables = False


def enable_v2_behavior() -> None:
    _context.enable_eager_execution()
    _context.FLAGS.resource_variables = True


def cond(pred: Any, true_fn: Any = None, false_fn: Any = None, strict: bool = False,
         name: str | None = None, fn1: Any = None, fn2: Any = None) -> Any:  # fmt: skip
    """`tf.compat.v1.cond`: one-element outputs are unpacked unless `strict`."""
    from savedmodel.api.control_flow import cond as _cond

    return _cond(pred, true_fn if true_fn is not None else fn1,
                 false_fn if false_fn is not None else fn2, strict=strict, name=name)  # fmt: skip


def while_loop(cond: Any, body: Any, loop_vars: Any, shape_invariants: Any = None,
               parallel_iterations: int = 10, back_prop: bool = True, swap_memory: bool = False,
               name: str | None = None, maximum_iterations: Any = None,
               return_same_structure: bool = False) -> Any:  # fmt: skip
    """`tf.compat.v1.while_loop`: a lone loop variable comes back unwrapped."""
    from savedmodel.api.while_loop import while_loop as _while_loop

    return _while_loop(cond, body, loop_vars, shape_invariants, parallel_iterations,
                       name=name, maximum_iterations=maximum_iterations,
                       return_same_structure=return_same_structure)  # fmt: skip


def case(pred_fn_pairs: Any, default: Any = None, exclusive: bool = False, strict: bool = False,
         name: str = "case") -> Any:  # fmt: skip
    from savedmodel.api.control_flow import case as _case

    return _case(pred_fn_pairs, default, exclusive, strict, name)


def __getattr__(name: str) -> Any:
    # Everything else of TF2's top level exists under tf.compat.v1 too (tf1.constant, tf1.nn...).
    import importlib

    if name in ("nn", "math", "raw_ops", "dtypes", "io"):
        return importlib.import_module(f"savedmodel.{name}")
    api = importlib.import_module("savedmodel.tf_api")
    if name in api.__all__:
        return getattr(api, name)
    raise AttributeError(f"module 'savedmodel.compat.v1' has no attribute {name!r}")
