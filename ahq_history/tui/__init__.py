"""The terminal face (`ahq-history tui`, on Textual): the app, its screens and widgets, what it shows as plain
values (`state`), the messages its workers post (`messages`), what a screen may ask of the app (`host`), the
merge and re-parent actions through the functions `merge-heads` uses (`actions`), and the watch on the
revision files. Imports every layer below (`hooks` down to `core`), Textual and rich; never `cli`.
"""
