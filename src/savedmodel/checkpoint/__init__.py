"""TensorFlow tensor-bundle checkpoints: the `.index` table, data shards, CRC32C.

>>> from savedmodel.checkpoint import BundleReader, BundleWriter
>>> with BundleWriter("/tmp/ckpt/model") as w:
...     w.add("v/.ATTRIBUTES/VARIABLE_VALUE", np.ones(3, np.float32))
>>> BundleReader("/tmp/ckpt/model").get_tensor("v/.ATTRIBUTES/VARIABLE_VALUE")
"""

from __future__ import annotations

from savedmodel.checkpoint.bundle import BundleReader, data_path, index_path
from savedmodel.checkpoint.bundle_writer import BundleWriter, write_bundle

__all__ = ["BundleReader", "BundleWriter", "data_path", "index_path", "write_bundle"]
