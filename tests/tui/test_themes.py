"""Themes: Textual's switcher is in the command palette, and the charts follow the theme."""

from __future__ import annotations

import pytest
from rich.color import Color
from textual.app import App
from textual.color import Color as TextualColor
from textual.command import CommandPalette

from ddtui.tui.stats.charts import MIN_CONTRAST, bar_colour, contrast
from ddtui.tui.stats.histograms import ColumnChart
from tui.helpers import press, settle


def bar_colours(chart: ColumnChart) -> set[Color]:
    text = chart.render()
    return {s.style.color for s in text.spans if hasattr(s.style, "color") and s.style.color}


async def test_theme_switcher_in_the_palette(make_app) -> None:
    app = make_app(dag_id="titanic", task_id="clean")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"theme")
        await settle(pilot)
        options = app.screen.query_one("CommandList")
        assert any("theme" in str(option.prompt).lower() for option in options.options)


@pytest.mark.parametrize(
    "theme", ["textual-dark", "textual-light", "solarized-light", "ansi-light"]
)
async def test_charts_follow_the_theme(make_app, theme: str) -> None:
    app = make_app(dag_id="titanic", task_id="clean")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.theme = theme
        await press(pilot, "2")
        chart = app.query(ColumnChart).first()
        primary = TextualColor.parse(app.current_theme.primary)
        assert bar_colours(chart) == {primary.rich_color}  # these themes' primary reads well


def test_bars_stand_out_on_every_theme() -> None:
    for name, theme in App().available_themes.items():
        colour = bar_colour(theme)
        if theme.background and colour.triplet is not None:
            bars = TextualColor.from_rich_color(colour)
            background = TextualColor.parse(theme.background)
            assert contrast(bars, background) >= MIN_CONTRAST, name
