"""The backend registry names its backends as "module:class" text: each must resolve."""

from __future__ import annotations

import pytest

from ddtui.backends import backend_for, known_backend, registry
from ddtui.backends.generic import GenericBackend


@pytest.mark.parametrize("dialect", sorted(registry._BACKENDS))
def test_every_named_backend_resolves_to_its_own_class(dialect: str) -> None:
    backend = backend_for(dialect)
    module, _, name = registry._BACKENDS[dialect].partition(":")
    assert (type(backend).__module__, type(backend).__name__) == (module, name)
    assert type(backend) is not GenericBackend


def test_a_dialect_without_a_backend_gets_the_generic_one() -> None:
    assert type(backend_for("mssql+pyodbc://h/db")) is GenericBackend
    assert known_backend("mssql") is None
    assert type(known_backend("postgres+psycopg2")).__name__ == "PostgreSQLBackend"
