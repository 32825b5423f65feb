"""Fail a test that runs the app when it swallowed a failure: a worker that ended in error, an
exception a handler raised, or an error the history paths turned into a note.

Workers run with `exit_on_error=False` (the app shows their errors in panes), so without
this guard a crashing worker leaves a pane that never fills and the test still passes.
A test that provokes a failure on purpose says which one:
`@pytest.mark.expect_worker_error("text in the error")`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from textual.worker import Worker, WorkerState
from textual.worker_manager import WorkerManager

from ddtui.tui.app import DdtuiApp
from ddtui.tui.main_screen import MainScreen
from ddtui.tui.messages import HistoryNoted

MARKER = "expect_worker_error"


@dataclass
class WorkerGuard:
    """What the apps of one test did wrong, and what the test said it expects."""

    expected: list[str]
    workers: list[Worker[Any]] = field(default_factory=list)
    raised: list[str] = field(default_factory=list)  # handlers' exceptions, history notes

    def failures(self) -> list[str]:
        ended = [
            f"worker {w.name!r} ({w.description}) failed: {w.error!r}"
            for w in self.workers
            if w.state == WorkerState.ERROR
        ]
        return ended + self.raised

    def check(self) -> None:
        failures = self.failures()
        unexpected = [f for f in failures if not any(e in f for e in self.expected)]
        missing = [e for e in self.expected if not any(e in f for f in failures)]
        problems = [f"unexpected: {f}" for f in unexpected]
        problems += [f"expected a failure with {e!r}, none happened" for e in missing]
        if problems:
            pytest.fail("the app swallowed failures:\n" + "\n".join(problems), pytrace=False)


def install_worker_guard(monkeypatch: pytest.MonkeyPatch, expected: list[str]) -> WorkerGuard:
    """Watch every `DdtuiApp` made from now on (until `monkeypatch` undoes it)."""
    guard = WorkerGuard(expected)
    add_worker = WorkerManager.add_worker
    handle_exception = DdtuiApp._handle_exception
    history_noted = MainScreen.on_history_noted

    def watched_add_worker(self: WorkerManager, worker: Worker[Any], *args: Any, **kw: Any) -> None:
        # Every worker of the app, its screens' and widgets' too, is added here.
        guard.workers.append(worker)
        add_worker(self, worker, *args, **kw)

    def watched_handle_exception(self: DdtuiApp, error: Exception) -> None:
        guard.raised.append(f"a handler raised {error!r}")
        handle_exception(self, error)

    def watched_history_noted(self: MainScreen, message: HistoryNoted) -> None:
        guard.raised.append(f"history note: {message.note}")
        history_noted(self, message)

    monkeypatch.setattr(WorkerManager, "add_worker", watched_add_worker)
    monkeypatch.setattr(DdtuiApp, "_handle_exception", watched_handle_exception)
    monkeypatch.setattr(MainScreen, "on_history_noted", watched_history_noted)
    return guard


GUARD_KEY = pytest.StashKey[WorkerGuard]()
