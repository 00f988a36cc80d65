"""Where files go: ``master/<table>.<ext>`` and hive-style ``facts/<table>/dt=YYYY-MM-DD/`` partitions.

``path`` is the table's path from its catalog: ``receipts``, or ``accounts_db/customers`` for a
scenario with several namespaces.
"""

from __future__ import annotations

from datetime import date

MASTER_DIR = "master"
FACTS_DIR = "facts"
MANIFEST_NAME = "_manifest.json"
LOCK_NAME = ".emitter.lock"


def master_file(path: str, extension: str) -> str:
    """Path of a reference table's file, relative to the output directory."""
    return f"{MASTER_DIR}/{path}.{extension}"


def fact_file(path: str, day: date, extension: str) -> str:
    """Path of one day's partition file of a per-day table, relative to the output directory."""
    leaf = path.rsplit("/", 1)[-1]
    return f"{FACTS_DIR}/{path}/dt={day.isoformat()}/{leaf}_{day:%Y%m%d}.{extension}"
