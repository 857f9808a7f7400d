"""The TUI's screens: the main one (divergence banner, graph, detail pane, search), the merge builder, the
re-parent screen and small dialogs. A screen reacts to keys, starts slow work in workers and shows the
messages they post. Imports Textual, rich, the TUI's state, messages, actions and widgets, and the layers
below; never `cli`.
"""
