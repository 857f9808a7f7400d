"""The pieces the screens are built from: the graph view (a virtualized list, only the lines on screen are
rendered) and the detail pane. Imports Textual, rich, the TUI's state and the layers below; never a screen,
the app or `cli`.
"""
