"""Qt user interface of «Опора»: the main window, one package per view, table models, dialogs.

Everything here talks to the data through the services in `app/` and never writes SQL; long work
runs on `ui.workers`, every write goes on the undo stack of `ui.undo.ChangeHistory`.
"""
