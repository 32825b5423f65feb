"""Tasks whose logs the tests read: a failure with a traceback, a retry, a mapped task, a long log.

Run by a real scheduler (LocalExecutor) in `tests/task_logs_support.py`, so Airflow itself
writes the log files. `@once` and unpaused at creation: the scheduler starts the one run.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from airflow.sdk import dag, task

log = logging.getLogger(__name__)
LONG_LOG_LINES = 3000


def _load_scores(path: str) -> dict[str, float]:
    raise ValueError(f"scores file {path!r} has no header row")


@dag(
    schedule="@once",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    is_paused_upon_creation=False,
    tags=["logs"],
)
def task_logs() -> None:
    @task
    def explode() -> None:
        log.info("reading the scores")
        log.warning("the scores file looks empty")
        _load_scores("/data/scores.csv")

    @task(retries=1, retry_delay=timedelta(seconds=1))
    def flaky(**context: object) -> str:
        try_number = context["ti"].try_number  # type: ignore[attr-defined]
        log.info("flaky try %s", try_number)
        if try_number < 2:
            raise RuntimeError("the warehouse did not answer; retrying")
        return "ok"

    @task
    def square(x: int) -> int:
        log.info("squaring %s", x)
        return x * x

    @task
    def chatty() -> None:
        for line in range(LONG_LOG_LINES):
            print(f"progress line {line}: processed {line * 17} rows")
        print("\x1b]0;pwned\x07 a title escape from task output")

    explode()
    flaky()
    square.expand(x=[1, 2, 3])
    chatty()


task_logs()
