"""ddtui: a terminal UI for Apache Airflow that shows what each task produced."""

__version__ = "0.1.0"
