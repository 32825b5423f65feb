"""ddtui's exact profile against polars and DuckDB (issue 16), measured beside pandas.

The peers run in the same repetitions as ddtui and the pandas baseline (one run of each
peer after each ddtui run), each in a fresh process (see peers.py for what each does).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.util import find_spec
from typing import TYPE_CHECKING

from tests.bench.measure import Sample, run_probe

if TYPE_CHECKING:
    from tests.bench.cases import Figure


@dataclass(frozen=True)
class Peer:
    probe: str
    label: str  # how the figure names it
    modules: tuple[str, ...]  # what must be installed (`pip install -e .[bench]`)


PEERS = (
    Peer("polars_profile", "polars", ("polars", "connectorx")),
    Peer("duckdb_summarize", "DuckDB SUMMARIZE", ("duckdb",)),
    Peer("duckdb_exact", "DuckDB exact aggregates", ("duckdb",)),
)
SCANNER_MODULES = {
    "sqlite": "duckdb_extension_sqlite_scanner",
    "postgresql": "duckdb_extension_postgres_scanner",
}
SCANS = {"sqlite": "sqlite_scan", "postgresql": "postgres_scan", "duckdb": "the DuckDB table"}
NOTES = {
    "polars_profile": "polars.read_database_uri (connectorx) + describe + null_count + n_unique",
    "duckdb_summarize": "DuckDB SUMMARIZE over {scan} (approximate quantiles and distinct counts)",
    "duckdb_exact": "DuckDB count, count(DISTINCT), min, max, avg, stddev_samp, exact "
    "quantile_cont, mode, in one query over {scan}",
}


@dataclass
class PeerRuns:
    """Time and peak RSS of each installed peer, over the repetitions."""

    backend: str  # "sqlite", "postgresql" or "duckdb"
    rows: int
    only: tuple[str, ...] | None = None  # the probes to run (default: every peer)
    seconds: dict[str, Sample] = field(default_factory=dict)
    peak_mb: dict[str, Sample] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for peer in PEERS:
            if self.only is not None and peer.probe not in self.only:
                continue
            needed = [*peer.modules]
            if peer.probe.startswith("duckdb") and self.backend in SCANNER_MODULES:
                needed.append(SCANNER_MODULES[self.backend])
            absent = [m for m in needed if find_spec(m) is None]
            if absent:
                self.missing.append(f"{peer.label} (no {', '.join(absent)})")
            else:
                self.seconds[peer.probe], self.peak_mb[peer.probe] = Sample(), Sample()

    def measure(self, url: str, table: str) -> None:
        """One run of each peer."""
        for probe in self.seconds:
            run = run_probe(probe, url=url, table=table)
            if run.result["rows"] != self.rows:
                raise RuntimeError(f"{probe} counted {run.result['rows']} rows, not {self.rows}")
            self.seconds[probe].add(run.result["seconds"])
            self.peak_mb[probe].add(run.peak_rss_mb)


@dataclass(frozen=True)
class PeerTargets:
    """The issue's targets: ddtui's figure at most this many times the peer's."""

    time: dict[str, float]
    memory: dict[str, float]


TARGETS = {
    "sqlite": PeerTargets(
        time={"polars_profile": 1.0, "duckdb_summarize": 1.0}, memory={"polars_profile": 0.5}
    ),
    "postgresql": PeerTargets(
        time={"polars_profile": 1.0, "duckdb_summarize": 1.0}, memory={"polars_profile": 0.1}
    ),
    "duckdb": PeerTargets(time={}, memory={}),  # issue 15: report the ratio
}


def peer_figures(key: str, label: str, time: Sample, peak: Sample, runs: PeerRuns) -> list[Figure]:
    """Figures of ddtui's time and peak RSS against each peer measured in `runs`."""
    from tests.bench.cases import Figure

    targets = TARGETS[runs.backend]
    scan = SCANS[runs.backend]
    figures = []
    for peer in PEERS:
        if peer.probe not in runs.seconds:
            continue
        note = NOTES[peer.probe].format(scan=scan)
        figures += [
            Figure(key, f"  {label}: time vs {peer.label}", "s", time, runs.seconds[peer.probe],
                   max_ratio=targets.time.get(peer.probe), note=note),
            Figure(key, f"  {label}: peak RSS vs {peer.label}", "MB", peak,
                   runs.peak_mb[peer.probe], max_ratio=targets.memory.get(peer.probe)),
        ]  # fmt: skip
    return figures
