"""Where files go: ``master/<table>.<ext>`` and hive-style ``facts/<table>/dt=YYYY-MM-DD/`` partitions."""

from __future__ import annotations

from datetime import date

MASTER_DIR = "master"
FACTS_DIR = "facts"
MANIFEST_NAME = "_manifest.json"
LOCK_NAME = ".emitter.lock"


def master_file(table: str, extension: str) -> str:
    """Path of a master table's file, relative to the output directory."""
    return f"{MASTER_DIR}/{table}.{extension}"


def fact_file(table: str, day: date, extension: str) -> str:
    """Path of one day's partition file, relative to the output directory."""
    return f"{FACTS_DIR}/{table}/dt={day.isoformat()}/{table}_{day:%Y%m%d}.{extension}"
