"""Task logs: where Airflow writes them, reading them with bounded memory, their records.

No Textual here: `ddtui logs` and the TUI's log screen share this package.
"""
