"""Read a scenario's tables back out of a warehouse, typed and ordered as the generator wrote them.

``emitter validate --warehouse`` and ``emitter report --warehouse`` judge loaded rows with the same rules
as files, so the rows come back under the catalog's Arrow schemas (lineage columns dropped), sorted by
the table's event time and then its event id: the order a day's batch has, whatever order the sink's
partitions or the load's files put them in.
"""

from __future__ import annotations

from collections.abc import Collection

import pyarrow as pa

from emitter.scenarios.tables import Catalog, TableSpec
from emitter.sink.destinations import Destination, TableName
from emitter.sink.destinations.interface import quote


def present_tables(destination: Destination, catalog: Catalog) -> list[TableSpec]:
    """The scenario's tables the warehouse holds, in the scenario's order."""
    landed = set(destination.data_tables(catalog.namespaces))
    return [spec for spec in catalog.tables if TableName(spec.namespace, spec.name) in landed]


def read_table(destination: Destination, catalog: Catalog, spec: TableSpec) -> pa.Table:
    """One table's rows under its schema, in event order (tables without an event time by their first column)."""
    schema = catalog.arrow(spec)
    order = [c for c in (spec.event_time, spec.event_id) if c] or [schema.names[0]]
    columns = ", ".join(quote(name) for name in schema.names)
    sql = (
        f"SELECT {columns} FROM {quote(spec.namespace)}.{quote(spec.name)} "
        f"ORDER BY {', '.join(quote(c) for c in order)}"
    )
    rows = destination.query(sql, spec.namespace)
    return pa.Table.from_arrays(
        [rows.column(name).cast(f.type) for name, f in zip(schema.names, schema, strict=True)], schema=schema
    )


def read_tables(
    destination: Destination, catalog: Catalog, tables: Collection[str] | None = None
) -> dict[str, pa.Table]:
    """Every table of the scenario the warehouse holds (or only ``tables``, by id), by table id."""
    return {
        spec.id: read_table(destination, catalog, spec)
        for spec in present_tables(destination, catalog)
        if tables is None or spec.id in tables
    }
