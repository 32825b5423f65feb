"""Text rendering shared by the CLI and the TUI: profiles (`profile`), their tables
(`tables`), metastore listings (`listings`), drift reports (`drift`), and plotext charts.
No Textual here; plotext loads only when a chart is drawn."""
