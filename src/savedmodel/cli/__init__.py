"""The `savedmodel` command line: a drop-in for `saved_model_cli`, plus a checkpoint viewer.

`savedmodel.cli.main.main(argv)` is the entry point (console script `savedmodel`,
`python -m savedmodel`). Submodules: `show` (show/scan text), `concrete_functions` and `_tf_load`
(the "Concrete Functions" section of `show --all`), `checkpoint` (`savedmodel checkpoint`).
"""
