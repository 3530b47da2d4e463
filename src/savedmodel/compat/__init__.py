"""`savedmodel.compat`: the TF1 API (`import savedmodel.compat.v1 as tf1`)."""

from __future__ import annotations
