"""Vega-Lite specs to inline SVG with vl-convert: no browser, no network, nothing for the page to load."""

from __future__ import annotations

import re
from typing import Any

import altair as alt
import vl_convert as vlc

from emitter.errors import OutputError, first_line

# Render with the Vega-Lite version Altair writes specs for, when vl-convert bundles it.
_WRITTEN = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
VL_VERSION = _WRITTEN if _WRITTEN in vlc.get_vegalite_versions() else None
# Inline SVG in HTML needs no namespace declarations; dropping them leaves no URL in the page at all.
_NAMESPACES = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')


def svg_of(chart: Any, title: str) -> str:
    """One chart as an ``<svg>`` element to place in a page (``title`` names it in an error)."""
    try:
        svg = vlc.vegalite_to_svg(chart.to_dict(validate=False), vl_version=VL_VERSION)
    except Exception as exc:  # vl-convert raises plain ValueErrors for any spec or rendering fault
        raise OutputError(f"report: the chart {title!r} could not be drawn: {first_line(exc)}") from exc
    head, sep, rest = svg.partition(">")
    return _NAMESPACES.sub("", head) + sep + rest
