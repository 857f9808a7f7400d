"""The command line face: `main` parses the arguments, imports the chosen command's module on demand and is
the one place where an `AhqError` becomes a message and an exit code; `options` holds the options several
commands share. Imports every layer below; `tui` only to launch it.
"""
