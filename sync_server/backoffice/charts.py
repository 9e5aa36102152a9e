"""Charts as inline SVG drawn by pygal on the server: no script, no CDN, print-friendly."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pygal
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

from sync_server.backoffice.selectors import Breakdown

_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#334155",
    foreground_strong="#0f172a",
    foreground_subtle="#cbd5e1",
    colors=("#0f766e", "#f59e0b", "#6366f1"),
    font_family="system-ui, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    value_font_size=12,
    tooltip_font_size=12,
)


def _config(chart: pygal.Graph, title: str) -> None:
    chart.title = title
    chart.show_legend = False
    chart.js = []  # pygal links its tooltip script from a CDN by default: none here
    chart.height = 260
    chart.width = 800
    chart.margin = 8
    chart.show_minor_y_labels = False
    chart.y_labels_major_count = 5


def _render(chart: pygal.Graph) -> SafeString:
    svg = str(chart.render(is_unicode=True, disable_xml_declaration=True))
    # pygal builds the SVG with an XML library, so every label in it is escaped.
    return mark_safe(svg)


def bar_chart(rows: Sequence[Breakdown], *, title: str, money: Callable[[int], str]) -> SafeString:
    """Amounts of `rows` as bars, labelled by row and valued in the tenant's money format."""
    chart = pygal.Bar(style=_STYLE, value_formatter=lambda value: money(int(value)))
    _config(chart, title)
    chart.x_labels = [row.label for row in rows]
    chart.add(title, [row.amount_minor for row in rows])
    return _render(chart)


def line_chart(rows: Sequence[Breakdown], *, title: str, money: Callable[[int], str]) -> SafeString:
    """Amounts of `rows` as a line (days of a period)."""
    chart = pygal.Line(
        style=_STYLE,
        value_formatter=lambda value: money(int(value)),
        x_label_rotation=30,
        show_minor_x_labels=False,
    )
    _config(chart, title)
    chart.x_labels = [row.label[5:] for row in rows]
    chart.x_labels_major_every = max(1, len(rows) // 10)
    chart.add(title, [row.amount_minor for row in rows])
    return _render(chart)
