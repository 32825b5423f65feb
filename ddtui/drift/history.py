"""A local profile history: each profile ddtui computes, kept in a small SQLite file.

The file lives in the user's cache directory (never in the metastore or a data source):
`platformdirs.user_cache_path("ddtui") / "history.sqlite"`, or `$DDTUI_HISTORY` when set
(read when a ProfileHistory is made, not at import). Each entry is keyed by (metastore,
DAG, task, run, table); recording the same key again replaces the entry. Profiles are stored
as JSON (head and tail rows left out), with a bounded per-column value sample (JSON,
zlib-compressed) so PSI and KS can be computed later even when the table has since been
overwritten. The file is capped by entries and by bytes: the
oldest entries are evicted on write, and the file shrinks when far over its cap. Two
processes may use it at once (WAL, busy timeout, one short transaction per call); each call
opens its own connection, so it is thread-safe. A file that is not a ddtui history (another
program's, even an Airflow metastore) or was written by a newer ddtui is refused, unchanged.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from ddtui.backends.engines import mask_url
from ddtui.drift.history_file import (
    HISTORY_FORMAT,
    create_file,
    foreign_contents,
    shrink_if_far_over,
    use_wal,
    vacuum,
    write_schema,
)
from ddtui.drift.serialize import dumps, profile_from_dict, profile_to_json
from ddtui.errors import DdtuiError
from ddtui.profile.models import TableProfile
from ddtui.terminal_text import safe_text

HISTORY_ENV = "DDTUI_HISTORY"
DEFAULT_MAX_ENTRIES = 5_000
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
BUSY_TIMEOUT_S = 10.0

Samples = dict[str, list[Any]]


class HistoryError(DdtuiError):
    """The profile history file cannot be opened, read or written."""

    exit_code = 9


@dataclass(frozen=True)
class HistoryKey:
    """Which task output a profile is of. `metastore` is the metastore URL, password masked."""

    metastore: str
    dag_id: str
    task_id: str
    run_id: str
    table: str  # as shown to users, e.g. "schema.table"


@dataclass(frozen=True)
class StoredProfile:
    """One history entry; its value samples are decoded when first asked for."""

    key: HistoryKey
    recorded_at: datetime  # UTC, when the profile was recorded
    profile: TableProfile
    entry_id: int
    run_after: datetime | None = None  # the run's time (Airflow's run_after), when given
    samples_blob: bytes | None = field(default=None, repr=False, compare=False)

    @cached_property
    def samples(self) -> Samples | None:
        """Per-column value samples (see `ddtui.drift.samples`), or None when none were kept."""
        if self.samples_blob is None:
            return None
        return json.loads(zlib.decompress(self.samples_blob))


def default_history_path() -> Path:
    """`$DDTUI_HISTORY`, else the user cache directory's `history.sqlite`."""
    override = os.environ.get(HISTORY_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_path

    return user_cache_path("ddtui") / "history.sqlite"


class ProfileHistory:
    """The profile history file; cheap to make (the file is created on first write)."""

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        if max_entries < 1 or max_bytes < 1:
            raise ValueError("the history cap must be positive")
        self.path = Path(path).expanduser() if path is not None else default_history_path()
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._initialised = False

    # Connections ---------------------------------------------------------------------

    @contextmanager
    def _connect(self, *, write: bool) -> Iterator[sqlite3.Connection | None]:
        """One short transaction; None when reading a history that does not exist yet."""
        if not write and not self.path.exists():
            yield None
            return
        try:
            if write:
                create_file(self.path)
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            with closing(conn):
                # A cache: in WAL mode NORMAL cannot corrupt the file, it may lose the last write
                # on power loss, and it saves an fsync per write.
                conn.execute("PRAGMA synchronous = NORMAL")
                if not self._initialised:
                    self._initialise(conn)
                # IMMEDIATE takes the write lock up front, so two writers queue, not deadlock.
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
        except (sqlite3.Error, OSError) as exc:
            raise HistoryError(f"profile history {safe_text(self.path)}: {_reason(exc)}") from exc

    def _initialise(self, conn: sqlite3.Connection) -> None:
        self._check_is_ours(conn)  # before anything is written to the file
        use_wal(conn, BUSY_TIMEOUT_S)
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = write_schema(conn)
            written = str(row[0]) if row is not None else str(HISTORY_FORMAT)
            if not written.isdigit() or int(written) > HISTORY_FORMAT:
                raise HistoryError(
                    f"profile history {safe_text(self.path)} was written by a newer ddtui "
                    f"(format {safe_text(written)}); clear it or upgrade ddtui"
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        self._initialised = True

    def _check_is_ours(self, conn: sqlite3.Connection) -> None:
        """Refuse a file another program wrote (even an Airflow metastore) or a newer ddtui did,
        before anything is written to it."""
        foreign = foreign_contents(conn)
        if foreign is not None:
            raise HistoryError(
                f"{safe_text(self.path)} is not a ddtui profile history ({safe_text(foreign)}); "
                f"ddtui leaves it as it is. Point ${HISTORY_ENV} at a file of its own"
            )

    # Writing ---------------------------------------------------------------------------

    def record(
        self,
        key: HistoryKey,
        profile: TableProfile,
        samples: Samples | None = None,
        *,
        run_after: datetime | None = None,
        recorded_at: datetime | None = None,
    ) -> StoredProfile:
        """Store a profile (replacing any for the same key), then evict the oldest over the cap.

        `run_after` (the run's time) orders `for_task`; without it, the time of recording does.
        """
        key = _masked(key)
        when = (recorded_at or datetime.now(UTC)).astimezone(UTC)
        run_time = _utc(run_after)
        profile_json = profile_to_json(profile)
        # Samples are JSON too, zlib-compressed: repeated categories shrink about fourfold.
        samples_blob = zlib.compress(dumps(samples).encode(), 1) if samples is not None else None
        size = len(profile_json.encode()) + len(samples_blob or b"")
        if size > self.max_bytes:
            raise HistoryError(
                f"profile of {key.table} is {size} bytes, over the history cap of "
                f"{self.max_bytes} bytes"
            )
        with self._connect(write=True) as conn:
            assert conn is not None
            conn.execute(
                "DELETE FROM profiles WHERE metastore = ? AND dag_id = ? AND task_id = ? "
                "AND run_id = ? AND table_name = ?",
                _key_values(key),
            )
            cursor = conn.execute(
                "INSERT INTO profiles (metastore, dag_id, task_id, run_id, table_name, "
                "recorded_at, run_after, order_time, row_count, exact, profile_json, "
                "samples_zjson, size_bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    *_key_values(key),
                    when.isoformat(),
                    run_time.isoformat() if run_time else None,
                    (run_time or when).isoformat(timespec="microseconds"),
                    profile.row_count,
                    int(profile.exact),
                    profile_json,
                    samples_blob,
                    size,
                ),
            )
            entry_id = int(cursor.lastrowid or 0)
            evicted = self._evict(conn)
        if evicted:
            shrink_if_far_over(self.path, self.max_bytes, BUSY_TIMEOUT_S)
        stored = profile_from_dict(json.loads(profile_json))
        return StoredProfile(key, when, stored, entry_id, run_time, samples_blob)

    def _evict(self, conn: sqlite3.Connection) -> bool:
        """Delete the entries of the oldest runs until both caps hold; whether any went."""
        count, total = conn.execute(
            "SELECT count(*), coalesce(sum(size_bytes), 0) FROM profiles"
        ).fetchone()
        if count <= self.max_entries and total <= self.max_bytes:
            return False
        doomed: list[int] = []
        oldest_first = "SELECT id, size_bytes FROM profiles ORDER BY order_time, id"
        for entry_id, size in conn.execute(oldest_first):
            if count <= self.max_entries and total <= self.max_bytes:
                break
            doomed.append(entry_id)
            count -= 1
            total -= size
        conn.executemany("DELETE FROM profiles WHERE id = ?", [(i,) for i in doomed])
        return bool(doomed)

    def clear(
        self,
        metastore: str | None = None,
        dag_id: str | None = None,
        task_id: str | None = None,
    ) -> int:
        """Delete all entries, or those of one metastore / DAG / task; returns how many."""
        if not self.path.exists():
            return 0
        where, params = _filters(metastore, dag_id, task_id)
        with self._connect(write=True) as conn:
            assert conn is not None
            deleted = conn.execute(f"DELETE FROM profiles{where}", params).rowcount  # noqa: S608
        if not params:
            vacuum(self.path, BUSY_TIMEOUT_S)
        return int(deleted)

    # Reading ---------------------------------------------------------------------------

    def get(self, key: HistoryKey) -> StoredProfile | None:
        key = _masked(key)
        with self._connect(write=False) as conn:
            if conn is None:
                return None
            row = conn.execute(
                f"{_SELECT} WHERE metastore = ? AND dag_id = ? AND task_id = ? "
                "AND run_id = ? AND table_name = ?",
                _key_values(key),
            ).fetchone()
        return _stored(row) if row else None

    def for_task(
        self, metastore: str, dag_id: str, task_id: str, limit: int = 50
    ) -> list[StoredProfile]:
        """The task's entries, newest run first (by run time, else by time of recording)."""
        with self._connect(write=False) as conn:
            if conn is None:
                return []
            rows = conn.execute(
                f"{_SELECT} WHERE metastore = ? AND dag_id = ? AND task_id = ? "
                "ORDER BY order_time DESC, id DESC LIMIT ?",
                (mask_url(metastore), dag_id, task_id, limit),
            ).fetchall()
        return [_stored(row) for row in rows]

    def tasks_with_entries(self, metastore: str, min_entries: int = 1) -> list[tuple[str, str]]:
        """(dag_id, task_id) of the metastore's tasks with at least `min_entries` entries."""
        with self._connect(write=False) as conn:
            if conn is None:
                return []
            rows = conn.execute(
                "SELECT dag_id, task_id FROM profiles WHERE metastore = ? "
                "GROUP BY dag_id, task_id HAVING count(*) >= ? ORDER BY dag_id, task_id",
                (mask_url(metastore), min_entries),
            ).fetchall()
        return [(str(dag_id), str(task_id)) for dag_id, task_id in rows]

    def stats(self) -> dict[str, int]:
        """Entries and stored bytes (JSON text), for `ddtui` to show how full the history is."""
        with self._connect(write=False) as conn:
            if conn is None:
                return {"entries": 0, "bytes": 0}
            count, total = conn.execute(
                "SELECT count(*), coalesce(sum(size_bytes), 0) FROM profiles"
            ).fetchone()
        return {"entries": int(count), "bytes": int(total)}


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    if "database is locked" in text:
        return f"locked by another process (waited {BUSY_TIMEOUT_S:g} s); try again later"
    if "file is not a database" in text:
        return "not a ddtui profile history (not an SQLite file); ddtui leaves it as it is"
    return safe_text(text.splitlines()[0], limit=300)


_SELECT = (
    "SELECT id, metastore, dag_id, task_id, run_id, table_name, recorded_at, run_after, "
    "profile_json, samples_zjson FROM profiles"
)


def _stored(row: tuple[Any, ...]) -> StoredProfile:
    entry_id, metastore, dag_id, task_id, run_id, table, recorded_at, run_after = row[:8]
    profile_json, samples = row[8:]
    return StoredProfile(
        key=HistoryKey(metastore, dag_id, task_id, run_id, table),
        recorded_at=datetime.fromisoformat(recorded_at),
        profile=profile_from_dict(json.loads(profile_json)),
        samples_blob=samples,
        entry_id=int(entry_id),
        run_after=datetime.fromisoformat(run_after) if run_after else None,
    )


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _masked(key: HistoryKey) -> HistoryKey:
    masked = mask_url(key.metastore)
    if masked == key.metastore:
        return key
    return HistoryKey(masked, key.dag_id, key.task_id, key.run_id, key.table)


def _key_values(key: HistoryKey) -> tuple[str, str, str, str, str]:
    return (key.metastore, key.dag_id, key.task_id, key.run_id, key.table)


def _filters(
    metastore: str | None, dag_id: str | None, task_id: str | None
) -> tuple[str, tuple[str, ...]]:
    clauses: list[str] = []
    params: list[str] = []
    for column, value in (
        ("metastore", mask_url(metastore) if metastore else None),
        ("dag_id", dag_id),
        ("task_id", task_id),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)
