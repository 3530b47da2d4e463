"""The TF2 object API: load SavedModels as live objects, build modules and functions, save them.

* `load` (`tf.saved_model.load`): `load_v2` rebuilds a TF2 object graph (`restored`),
  `load_v1` wraps a TF1 model; `loader` runs any model's signatures through its MetaGraph.
* `module` (`tf.Module`), `tracking` (what a save walks, `tf.saved_model.Asset`).
* `function` (`tf.function`): tracing into a `func_graph`, `concrete_function`,
  `function_spec`, `graph_to_function` (FunctionDefs), `library` (unique names).
* `control_flow` (`tf.cond`, `tf.case`, `tf.switch_case`) and `while_loop` (`tf.while_loop`):
  TF2 functional ops whose branch functions `branches` traces.
* `save` (`tf.saved_model.save`): `object_graph`, `saved_object_graph`, `signatures`,
  `save_functions` (the saver's `_traced_save` / `_traced_restore`).
"""
