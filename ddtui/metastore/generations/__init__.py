"""Metastore generations: everything that differs between Airflow 2 and 3, one module each."""

from ddtui.metastore.generations.airflow2 import PICKLED_XCOM, Airflow2
from ddtui.metastore.generations.airflow3 import Airflow3
from ddtui.metastore.generations.base import Generation

__all__ = ["PICKLED_XCOM", "Airflow2", "Airflow3", "Generation"]
