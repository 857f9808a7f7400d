"""What the faces show, computed once for both: `check`'s report and its cache (read with the standard
library, so a warm `check` imports nothing else), one revision's detail, the history rows with git's columns,
and the revision graph laid out as lanes. Imports the layers below (`write`, `db`, `git`, `config`, `core`)
and rich; never Textual.
"""
