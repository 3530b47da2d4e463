"""SavedModel directory formats: the files around the checkpoint.

Modules (import them directly; this package imports nothing eagerly):

* ``saved_model_dir``: read a SavedModel directory (``saved_model.pb``/``.pbtxt``), select a
  MetaGraph by tag set, fetch signatures, locate ``variables/``, ``assets/``, ``assets.extra/``.
* ``saved_model_writer``: write a SavedModel directory atomically (pb or pbtxt, variables,
  assets, ``fingerprint.pb``).
* ``fingerprint``: compute and read ``fingerprint.pb`` exactly as TensorFlow does.
* ``canonical``: C++-style deterministic protobuf serialization (maps sorted by key).
* ``farmhash``: FarmHash ``Fingerprint64`` / ``FingerprintCat64``.
* ``nested_structure``: the ``StructuredValue`` codec.
"""
