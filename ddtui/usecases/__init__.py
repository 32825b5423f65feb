"""What ddtui does for a user, once, for the command line and the TUI alike.

Each module is one use case over the data layer (metastore, outputs, profile, drift):
`describe` (a task's output table, profiled), `overwrite` (whether a newer run has
overwritten the table a run wrote), `record` (store a profile in the history if the table
still holds that run's data), `tasks` (a run's tasks: state, try, duration, which write of
its table a run means), `counts` (row counts), `health` (a task's trend and badge over its
recent runs). No Textual, Rich or plotext here; the TUI's workers call these and post
messages, the CLI calls them and prints.
"""
