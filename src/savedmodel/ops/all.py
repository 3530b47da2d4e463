"""Import every kernel family, so that the registry knows every kernel.

A plain import list: a new family module is added here, one line each.
"""

from __future__ import annotations

import savedmodel.ops.array_ops  # noqa: F401
import savedmodel.ops.functional_ops  # noqa: F401
import savedmodel.ops.graph_ops  # noqa: F401
import savedmodel.ops.image_ops  # noqa: F401
import savedmodel.ops.io_ops  # noqa: F401
import savedmodel.ops.list_ops  # noqa: F401
import savedmodel.ops.logging_ops  # noqa: F401
import savedmodel.ops.lookup_ops  # noqa: F401
import savedmodel.ops.math_ops  # noqa: F401
import savedmodel.ops.nn_ops  # noqa: F401
import savedmodel.ops.parsing_ops  # noqa: F401
import savedmodel.ops.random_ops  # noqa: F401
import savedmodel.ops.resource_variable_ops  # noqa: F401
import savedmodel.ops.sparse_ops  # noqa: F401
import savedmodel.ops.state_ops  # noqa: F401
import savedmodel.ops.string_ops  # noqa: F401
import savedmodel.ops.tensor_array_ops  # noqa: F401
