"""Profiles as text, markdown and JSON: describe tables, plotext charts, head and tail.

No Textual here. Column charts are drawn as text by ddtui.render.chart_text, as
ddtui.render.chart_choice picks them.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from ddtui.profile.models import PROFILE_SCHEMA_VERSION, ColumnProfile, TableProfile
from ddtui.render.chart_choice import Bins, Chart, NoChart, ValueBars, choose_chart
from ddtui.render.chart_text import histogram_lines, value_bar_lines
from ddtui.render.tables import describe_table, rows_table, truncate
from ddtui.terminal_text import safe_text

if TYPE_CHECKING:
    from ddtui.usecases.describe import Description

Format = Literal["text", "markdown"]

CHART_HEIGHT = 12  # lines per column chart in `render_profile`
MAX_CHARTS = 40  # plotext takes ~10-40 ms a chart: a 300-column table would take seconds


def _title(col: ColumnProfile, chart: Chart, width: int) -> str:
    """The chart's first line: the column, its kind, and how it is drawn."""
    if isinstance(chart, ValueBars):
        how = "by frequency" if chart.by_frequency else "one bar per value"
    elif isinstance(chart, Bins):
        how = f"{len(chart.counts)} bins"
    else:
        how = ""
    return truncate(f"{col.name} ({col.kind}{', ' + how if how else ''})", width)


def chart_lines(col: ColumnProfile, height: int) -> int:
    """How many lines `render_column_chart` needs to show `col` whole (at least `height`):
    one bar per value (numbers, booleans) takes a line each."""
    chart = choose_chart(col)
    if isinstance(chart, ValueBars) and not chart.by_frequency:
        return max(height, len(chart.bars) + 1)  # every value, in order
    return height  # the most frequent values, the rest folded into "other"


def render_column_chart(col: ColumnProfile, width: int, height: int, color: bool) -> str:
    """One column's chart (see ddtui.render.chart_choice) in at most `height` lines."""
    chart = choose_chart(col)
    if isinstance(chart, NoChart):
        return truncate(chart.reason, width)
    width = max(width, 12)
    lines = [_title(col, chart, width)]
    if isinstance(chart, ValueBars):
        lines += value_bar_lines(chart, width, max(height - 1, 1), color)
    else:
        lines += histogram_lines(chart, width, max(height - 1, 4), color)
    return "\n".join(lines)


def _facts(col: ColumnProfile) -> str:
    """The extra per-column numbers describe lacks, as one line (raw: `truncate` makes it
    safe)."""
    parts: list[str] = [f"{col.name} [{col.db_type}]"]
    if col.kind == "number" and col.count:
        parts += [f"zeros {col.zeros}", f"negatives {col.negatives}"]
        parts += [f"infinities {col.infinities}"] if col.infinities else []
    if col.kind == "boolean":
        parts += [f"true {col.true_count}", f"false {col.false_count}"]
    if col.min_length is not None:
        unit = "bytes" if col.kind == "binary" else "chars"
        parts.append(
            f"length {col.min_length}/{col.mean_length:.1f}/{col.max_length} {unit} (min/mean/max)"
        )
    if col.top_values and col.kind != "boolean":
        shown = len(col.top_values)
        parts.append(f"top {shown} of {col.distinct} values")
    return " · ".join(parts)


def _header(profile: TableProfile, width: int) -> list[str]:
    if profile.method:
        why = f": {profile.method_reason}" if profile.method_reason != "--approx" else ""
        extent = f"approximate quantiles and distinct counts ({profile.method}{why})"
    else:
        extent = "exact" if profile.exact else f"sample of {profile.sample_size:,} rows"
    table = safe_text(profile.table, width)
    return [
        f"{table}: {profile.row_count:,} rows x {profile.column_count} columns",
        f"{extent} · strategy {profile.strategy} · {profile.elapsed_seconds:.2f} s",
    ]


def render_profile(
    profile: TableProfile, *, width: int, color: bool, fmt: Format, max_charts: int = MAX_CHARTS
) -> str:
    """The whole profile: header, describe table, one chart per column, head and tail."""
    markdown = fmt == "markdown"
    color = color and not markdown
    width = max(width, 20)
    header = _header(profile, width)
    out = [f"## {header[0]}", "", header[1], ""] if markdown else [*header, ""]
    if profile.columns:
        out += ["### describe", ""] if markdown else []
        out += describe_table(profile.columns, width, markdown)
        out.append("")
    for col in profile.columns[:max_charts]:
        out += [f"### {truncate(col.name, width)}", ""] if markdown else []
        out.append(truncate(_facts(col), width))
        height = chart_lines(col, CHART_HEIGHT)
        chart = render_column_chart(col, width, height, color)
        drawn = not isinstance(choose_chart(col), NoChart)
        out += ["```", chart, "```"] if markdown and drawn else [chart]
        out.append("")
    if len(profile.columns) > max_charts:
        out += [f"(charts for the first {max_charts} of {profile.column_count} columns)", ""]
    names = [c.name for c in profile.columns]
    for title, rows in (("head", profile.head), ("tail", profile.tail)):
        if rows:
            out += [f"### {title}", ""] if markdown else [f"{title}:"]
            out += rows_table(rows, names, width, markdown)
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def json_value(value: Any) -> Any:
    """A profile value as JSON: NaN -> null, infinities as "inf"/"-inf", datetimes ISO."""
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return ("inf" if value > 0 else "-inf") if math.isinf(value) else value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return json_value(float(value))
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if value is None or isinstance(value, str | int):
        return value
    item = getattr(value, "item", None)  # numpy scalars
    return json_value(item()) if callable(item) else str(value)


def profile_to_dict(profile: TableProfile) -> dict[str, Any]:
    """The profile as JSON-ready data with a `schema_version` (no NaN, no infinities)."""
    data = profile.to_dict()
    data["schema_version"] = PROFILE_SCHEMA_VERSION
    result: dict[str, Any] = json_value(data)
    return result


def profile_to_json(profile: TableProfile) -> str:
    """The profile as stable, indented JSON (keys in a fixed order)."""
    return json.dumps(profile_to_dict(profile), indent=2, ensure_ascii=False, allow_nan=False)


# Version of the JSON document `ddtui describe --format json` prints (see README).
DESCRIBE_SCHEMA_VERSION = 1


def description_to_dict(description: Description) -> dict[str, Any]:
    """What `ddtui describe --format json` prints: the task, its output and its profile."""
    from ddtui.backends.engines import mask_url

    target, output = description.target, description.output
    run = target.run.run if target.run else None
    return {
        "schema_version": DESCRIBE_SCHEMA_VERSION,
        "dag_id": target.structure.dag_id,
        "task_id": target.task.task_id if target.task else None,
        "run_id": run.run_id if run else None,
        "run_state": run.state if run else None,
        "output": {
            "table": output.table,
            "schema": output.schema,
            "partition": output.partition.to_dict() if output.partition else None,
            "source": output.source,
            "reason": output.reason,
            "data_source": mask_url(output.data_url) if output.data_url else None,
            "read_through": output.data_source or None,
        },
        "profile": profile_to_dict(description.profile),
        "drift": description.drift.to_dict() if description.drift else None,
    }
