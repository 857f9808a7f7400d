"""The hooks folder: git's reasons for finding no work tree, in plain words."""

from __future__ import annotations

from ahq_history.hooks.folder import why_no_work_tree


def test_no_work_tree_reason_is_gits_fatal_line_not_its_side_note() -> None:
    # git on a folder of another filesystem (a tmpfs) ends with a note about an environment variable.
    said = ("fatal: not a git repository (or any parent up to mount point /dev/shm)\n"
            "Stopping at filesystem boundary (GIT_DISCOVERY_ACROSS_FILESYSTEM not set).\n")
    assert why_no_work_tree(said) == "not a git repository"
    assert why_no_work_tree("fatal: this operation must be run in a work tree\n") == (
        "a bare repository or a .git folder: no checked-out files")
    assert why_no_work_tree("fatal: detected dubious ownership in repository at '/srv/x'\n"
                             "To add an exception for this directory, call:\n\n"
                             "\tgit config --global --add safe.directory /srv/x\n") == (
        "detected dubious ownership in repository at '/srv/x'")
