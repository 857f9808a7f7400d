"""One module per command, each with `add_arguments(parser)` and `run(args) -> int`: it asks the layers
below and renders their answer. Heavy imports wait inside `run`, so that a warm `check` starts on the
standard library. Imports `cli.options` and every layer below `cli`; `tui` only in `tui.py`, to launch it.
"""
