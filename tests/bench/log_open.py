"""The `log-open` figure: `l` on a task whose log is 200 MB, until its end is on screen.

The log is the scheduler-written one of `tests/task_logs_support.py`, grown to 200 MB
(its own lines repeated). Targets from the issue: under 1 s, under 100 MB more RSS.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from tests.bench.measure import Sample, run_probe

if TYPE_CHECKING:
    from tests.bench.cases import Bench

LOG_MB = 200


def big_log_folder(cache: Path) -> tuple[str, str]:
    """(metastore URL, log folder whose chatty log is LOG_MB): built once in the cache."""
    from tests.task_logs_support import cached_task_logs_home

    home = cached_task_logs_home(cache)
    folder = cache / f"task-logs-{LOG_MB}mb"
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(home.log_folder, folder)
        path = next(folder.rglob("task_id=chatty/attempt=1.log"))
        block = path.read_bytes()
        with path.open("ab") as handle:
            while handle.tell() < LOG_MB * 2**20:
                handle.write(block)
        done.touch()
    return home.metastore_url, str(folder)


def log_open(b: Bench) -> None:
    """Seconds from `l` to the log's last screen, and the RSS that opening added."""
    from tests.bench.cases import Figure

    metastore_url, folder = big_log_folder(b.fixtures.cache)
    seconds, added = Sample(), Sample()
    for _ in range(b.reps):
        result = run_probe("tui_log_open", metastore_url=metastore_url, log_folder=folder).result
        seconds.add(result["seconds"])
        added.add(result["rss_added_mb"])
    b.profile_once("log-open", "tui_log_open", metastore_url=metastore_url, log_folder=folder)
    b.figures.append(
        Figure(
            "log-open",
            f"Open a {LOG_MB} MB task log (l to its end on screen)",
            "s",
            seconds,
            max_abs=1.0,
        )
    )
    b.figures.append(
        Figure(
            "log-open-rss", f"RSS added by opening a {LOG_MB} MB task log", "MB", added, max_abs=100
        )
    )
