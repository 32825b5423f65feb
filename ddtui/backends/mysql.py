"""MySQL and MariaDB: read-only sessions, each server's own statement timeout, and the
driver's socket timeouts; push-down through grouped values (no percentile aggregate)."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.engine import URL

from ddtui.backends.base import Backend, Budget, Capabilities
from ddtui.backends.expressions import Expr, SqlExpressions


class MySQLExpressions(SqlExpressions):
    """MySQL/MariaDB store no NaN or infinities; their collations fold case."""

    def double(self, value: Expr) -> Expr:
        # Not CAST(... AS DOUBLE) (MySQL 8.0.17+ only). The coercion also stops SQLAlchemy
        # reading DOUBLE columns as 10-place Decimals.
        return sa.type_coerce(value + sa.literal(0.0, sa.Double()), sa.Double())

    def ticks(self, column: Expr) -> Expr:
        return sa.func.timestampdiff(
            sa.literal_column("MICROSECOND"), sa.literal("1970-01-01 00:00:00"), column
        )

    micros_per_epoch_unit = 1  # epoch() is ticks()

    def epoch(self, column: Expr) -> Expr:
        return self.ticks(column)

    def float_ticks(self, column: Expr) -> Expr:
        return self.ticks(column)

    def text_key(self, column: Expr) -> Expr:
        return sa.cast(column, sa.LargeBinary)  # bytes, as pandas compares strings


class MySQLBackend(Backend):
    name = "mysql"
    capabilities = Capabilities(pushes_down=True, networked=True)
    default_port = 3306
    reference_path = ("database", "table")
    connect_extras = ("charset", "ssl_ca", "ssl_cert", "ssl_key", "ssl_verify_cert")
    extra = "mysql"
    extra_driver = "PyMySQL"  # pure Python; mysqlclient (Airflow's mysqldb) needs a C build
    drivers = (("mysqldb", "MySQLdb"), ("pymysql", "pymysql"))
    expressions: ClassVar[SqlExpressions] = MySQLExpressions()

    def connect_args(self, url: URL, budget: Budget) -> dict[str, Any]:
        # The drivers' own socket timeouts (seconds; mysqlclient takes whole ones).
        socket_s = budget.answer_s
        if url.get_driver_name() != "pymysql":
            socket_s = math.ceil(socket_s)
        return {
            "connect_timeout": budget.connect_s,
            "read_timeout": socket_s,
            "write_timeout": socket_s,
        }

    def prepare_engine(self, engine: sa.Engine, budget: Budget) -> None:
        statement_s = budget.statement_s

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            # MariaDB: max_statement_time (seconds); MySQL: max_execution_time (ms).
            try:
                cursor.execute(f"SET SESSION max_statement_time = {float(statement_s)}")
            except engine.dialect.loaded_dbapi.Error:  # MySQL has no such variable
                cursor.execute(f"SET SESSION max_execution_time = {int(statement_s * 1000)}")
            cursor.close()

    def begin_read_only(self, conn: sa.Connection) -> None:
        conn.exec_driver_sql("START TRANSACTION READ ONLY")
