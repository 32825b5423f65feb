"""The printed result: one table of figures against targets, one of growth with size."""

from __future__ import annotations

from tests.bench.cases import Bench, Figure, Growth
from tests.bench.measure import Sample


def _num(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.2f}" if value < 10 else f"{value:.1f}"
    if unit == "ms":
        return f"{value:.0f}" if value >= 10 else f"{value:.1f}"
    return f"{value:.0f}"


def _sample(sample: Sample | None, unit: str) -> str:
    if not sample:
        return "—"
    lo, hi = _num(sample.min, unit), _num(sample.max, unit)
    return f"{_num(sample.median, unit)} {unit} [{lo}-{hi}]"


def _met(figure: Figure) -> str:
    met = figure.met
    return "" if met is None else ("yes" if met else "NO")


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def figures_table(figures: list[Figure]) -> str:
    header = [
        "what",
        "ddtui median [min-max]",
        "baseline median [min-max]",
        "ratio",
        "target",
        "met?",
    ]
    rows = [
        [
            f.what,
            _sample(f.ddtui, f.unit),
            _sample(f.baseline, f.unit),
            f"{f.ratio:.3f} x" if f.ratio is not None else "—",
            f.target,
            _met(f),
        ]
        for f in figures
    ]
    return _table(header, rows)


def growth_table(growth: list[Growth]) -> str:
    header = ["ddtui figure", "small", "large", "growth", "size x", "expected", "ok?"]
    rows = [
        [
            g.what,
            f"{g.small_label}: {_num(g.small.median, g.unit)} {g.unit}",
            f"{g.large_label}: {_num(g.large.median, g.unit)} {g.unit}",
            f"{g.growth:.2f} x",
            f"{g.size_ratio:g} x",
            g.allowed_text,
            "yes" if g.ok else "NO",
        ]
        for g in growth
    ]
    return _table(header, rows)


def render(bench: Bench) -> str:
    parts = [figures_table(bench.figures)]
    notes = [f"- {f.what.strip()}: {f.note}" for f in bench.figures if f.note]
    notes += [
        f"- {f.what.strip()}: process CPU time ddtui {_sample(f.cpu[0], 's')}, "
        f"baseline {_sample(f.cpu[1], 's')}"
        for f in bench.figures
        if f.cpu
    ]
    if bench.growth:
        parts += ["", "Growth with size (medians):", growth_table(bench.growth)]
    if notes or bench.notes:
        parts += ["", "Notes:", *notes, *(f"- {n}" for n in bench.notes)]
    return "\n".join(parts)
