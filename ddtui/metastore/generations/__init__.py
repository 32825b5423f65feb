"""Metastore generations: everything that differs between Airflow 2 and 3, one module each.

Each module builds its tables' metadata when imported, so only the generation a metastore
holds is imported (`ddtui.metastore.detect`): `generations.airflow2` or `generations.airflow3`.
"""

from ddtui.metastore.generations.base import Generation

__all__ = ["Generation"]
