"""Hostile data for the terminal-safety tests: an output table and a metastore whose names and
values carry escape sequences, built from real parts (pandas/SQLite, a copy of the real
Airflow test metastore edited the way an attacker with write access would)."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd
import sqlalchemy as sa

from ddtui.demo.home import AirflowHome

ESC_CLEAR = "\x1b[2J\x1b[H"  # clears the screen, cursor home
OSC_TITLE = "\x1b]0;PWNED-TITLE\x07"  # sets the window title
OSC_CLIPBOARD = "\x1b]52;c;aGVsbG8=\x07"  # writes "hello" to the user's clipboard
OSC_LINK = "\x1b]8;;https://example.invalid/\x1b\\link\x1b]8;;\x1b\\"  # a hidden hyperlink
C1_CSI = "\x9b2J"  # one-byte CSI on terminals that honour 8-bit controls
MARKUP = "[bold red]markup[/]"  # Rich/Textual markup that must stay literal
WIDE = "表🙂"
HOSTILE_TEXT = f"{ESC_CLEAR}{OSC_TITLE}{OSC_CLIPBOARD}{OSC_LINK}{C1_CSI}\x00\x7f\n{MARKUP}{WIDE}"
HUGE_CELL = ("y" * 500_000) + OSC_TITLE + ("z" * 500_000)  # a 1 MB string

# Names in the data source and in the metastore.
TABLE = f"out{ESC_CLEAR}{OSC_CLIPBOARD}{C1_CSI}{MARKUP}{WIDE}\nend"
BASELINE_TABLE = TABLE + "_base"
TEXT_COLUMN = f"name{ESC_CLEAR}"
NUMBER_COLUMN = f"score{OSC_TITLE}"
CATEGORY_COLUMN = f"{MARKUP}{C1_CSI}kind"
WIDE_COLUMN = f"{WIDE}\nline{OSC_LINK}"
DAG_ID = f"evil{OSC_TITLE}{MARKUP}dag"
TASK_ID = f"clean{OSC_CLIPBOARD}{MARKUP}\x9b"  # the graph shows an id's end: a control there
TAG = f"tag{ESC_CLEAR}{C1_CSI}"
RUN_ID = f"manual{OSC_LINK}"
FOLDER = f"evil{OSC_TITLE}dir"
OWNER = f"owner{OSC_CLIPBOARD}"

# Terminal control characters: C0 (but newline and tab, which ddtui's own layout writes on a
# plain stream), DEL and C1. ESC is checked separately (ddtui's own colours use SGR).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f\x80-\x9f]")
_SGR = re.compile(r"\x1b\[[0-9;]*m")


def terminal_problems(output: str, *, color: bool) -> list[str]:
    """What in `output` would act on a terminal: nothing for terminal-safe output.

    With `color`, ESC may only start SGR colour sequences (ddtui's own styling); without it,
    there must be no ESC at all.
    """
    problems = [f"control {m.group()!r} at {m.start()}" for m in _CONTROLS.finditer(output)]
    rest = _SGR.sub("", output) if color else output
    problems += [f"ESC at {m.start()}: {rest[m.start():m.start() + 12]!r}" for m in
                 re.finditer("\x1b", rest)]  # fmt: skip
    return problems[:10]


def hostile_frame(rows: int = 12, scale: float = 1.0, constant: bool = False) -> pd.DataFrame:
    """Cells with every hostile string, a 1 MB cell and markup; numbers to profile.
    `constant`: the category column holds one value (a drift health flag naming it)."""
    categories = (OSC_CLIPBOARD,) if constant else (OSC_CLIPBOARD, MARKUP, ESC_CLEAR)
    texts = [HOSTILE_TEXT, HUGE_CELL, MARKUP, WIDE, OSC_TITLE, "plain\ttab", "a\nb", C1_CSI]
    return pd.DataFrame(
        {
            TEXT_COLUMN: [texts[i % len(texts)] for i in range(rows)],
            NUMBER_COLUMN: [scale * (i % 5) + 0.5 for i in range(rows)],
            CATEGORY_COLUMN: [categories[i % len(categories)] for i in range(rows)],
            WIDE_COLUMN: [f"{WIDE}{i}{OSC_LINK}" for i in range(rows)],
        }
    )


def write_hostile_tables(data_url: str) -> None:
    """The hostile output table of the latest run and a shifted one for the baseline run."""
    engine = sa.create_engine(data_url)
    with engine.begin() as conn:
        hostile_frame(constant=True).to_sql(TABLE, conn, index=False, if_exists="replace")
        hostile_frame(rows=9, scale=3.0).to_sql(
            BASELINE_TABLE, conn, index=False, if_exists="replace"
        )
    engine.dispose()


@dataclass(frozen=True)
class HostileHome:
    """A copy of the test Airflow home where one DAG, task, tag, run and output are hostile."""

    home: AirflowHome
    metastore_db: Path

    @property
    def metastore_url(self) -> str:
        return self.home.metastore_url

    def env(self) -> dict[str, str]:
        return self.home.env()


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy (the source may have a write-ahead log beside it)."""
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def _renamed(value: Any, names: dict[str, str]) -> Any:
    """A serialized-DAG document with ids renamed wherever they appear (values and keys)."""
    if isinstance(value, dict):
        return {names.get(k, k): _renamed(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, names) for v in value]
    if isinstance(value, str):
        return names.get(value, value)
    return value


def _update_everywhere(
    conn: sqlite3.Connection, column: str, new: str, where: dict[str, str]
) -> None:
    """Set `column` to `new` in every metastore table that has it (and the `where` columns)."""
    tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    for table in tables:
        names = {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}
        if column in names and set(where) <= names:
            condition = " AND ".join(f"{name} = ?" for name in where)
            conn.execute(
                f'UPDATE "{table}" SET {column} = ? WHERE {condition}', (new, *where.values())
            )


def _edit_metastore(conn: sqlite3.Connection, data_db: Path, success: str, failed: str) -> None:
    """Rename the DAG, task and run, point the XComs at the hostile tables, tag and move it."""
    _update_everywhere(conn, "task_id", TASK_ID, {"dag_id": "titanic", "task_id": "clean"})
    _update_everywhere(conn, "run_id", RUN_ID, {"dag_id": "titanic", "run_id": success})
    for run_id, table in ((RUN_ID, BASELINE_TABLE), (failed, TABLE)):
        uri = f"sqlite:///{data_db}/{quote(table, safe='')}"
        conn.execute(
            "UPDATE xcom SET value = ? WHERE dag_id = ? AND task_id = ? AND run_id = ? "
            "AND key = 'return_value'",
            (json.dumps(uri), "titanic", TASK_ID, run_id),
        )
    documents = conn.execute("SELECT id, data FROM serialized_dag WHERE dag_id = 'titanic'")
    for row_id, data in documents.fetchall():
        document = _renamed(json.loads(data), {"titanic": DAG_ID, "clean": TASK_ID})
        document["dag"]["tags"] = [TAG]
        conn.execute(
            "UPDATE serialized_dag SET data = ? WHERE id = ?", (json.dumps(document), row_id)
        )
    conn.execute("DELETE FROM dag_tag WHERE dag_id = 'titanic' AND name <> 'ml'")
    conn.execute("UPDATE dag_tag SET name = ? WHERE dag_id = 'titanic'", (TAG,))
    conn.execute(
        "UPDATE dag SET owners = ?, relative_fileloc = ?, fileloc = ? WHERE dag_id = 'titanic'",
        (OWNER, f"{FOLDER}/titanic.py", f"/dags/{FOLDER}/titanic.py"),
    )
    _update_everywhere(conn, "dag_id", DAG_ID, {"dag_id": "titanic"})


def build_hostile_home(source: AirflowHome, root: Path) -> HostileHome:
    """Copy `source` into `root` and edit the copy: `titanic` becomes DAG_ID, its `clean` task
    TASK_ID, its tags TAG, its file FOLDER, its successful run RUN_ID, and the task's XComs
    name the hostile tables (as SQLite URIs, which ddtui reads)."""
    root.mkdir(parents=True, exist_ok=True)
    metastore_db, data_db = root / "airflow.db", root / "data.db"
    _copy_sqlite(source.home / "airflow.db", metastore_db)
    _copy_sqlite(Path(source.data_url.removeprefix("sqlite:///")), data_db)
    data_url = f"sqlite:///{data_db}"
    write_hostile_tables(data_url)
    success = next(r for r in source.runs_of("titanic") if r.state == "success")
    failed = next(r for r in source.runs_of("titanic") if r.state == "failed")
    with sqlite3.connect(metastore_db) as conn:
        _edit_metastore(conn, data_db, success.run_id, failed.run_id)
    (root / "airflow.cfg").write_text(f"[database]\nsql_alchemy_conn = sqlite:///{metastore_db}\n")
    runs = tuple(
        replace(r, dag_id=DAG_ID, run_id=RUN_ID if r.run_id == success.run_id else r.run_id)
        if r.dag_id == "titanic"
        else r
        for r in source.runs
    )
    home = replace(
        source,
        home=root,
        metastore_url=f"sqlite:///{metastore_db}",
        data_url=data_url,
        dag_ids=tuple(DAG_ID if d == "titanic" else d for d in source.dag_ids),
        runs=runs,
    )
    return HostileHome(home, metastore_db)
