"""Version stamps written into graphs and MetaGraphs, as TensorFlow 2.21 writes them."""

from __future__ import annotations

# NOTE: TF 2.21's GraphDef producer version (TF_GRAPH_DEF_VERSION); TF1-style graphs carry no
# min_consumer.
GRAPH_DEF_VERSION = 2474
GRAPH_DEF_VERSION_MIN_CONSUMER = 0
# NOTE: MetaInfoDef.tensorflow_version / tensorflow_git_version as TF 2.21.0 writes them; readers
# only display them, and matching them keeps our MetaGraphs byte-identical to TensorFlow's.
TF_VERSION = "2.21.0"
TF_GIT_VERSION = "v2.21.0-rc1-5-ga481b10260d"
