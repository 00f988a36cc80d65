"""Open a warehouse for a scenario: a database per namespace needs to know the scenario's namespaces and topics."""

from __future__ import annotations

from emitter.scenarios import scenario_class, scenario_names
from emitter.scenarios.tables import Catalog
from emitter.sink.destinations import Destination, NamespaceScope, open_destination


def catalog_scope(catalog: Catalog) -> NamespaceScope:
    """The scenario's namespaces (the first is home), and each topic's table's namespace by the sink's own rule."""

    def namespace_of(topic: str) -> str | None:
        spec = catalog.for_topic(topic)
        return None if spec is None else spec.namespace

    return NamespaceScope(catalog.namespaces, namespace_of)


def every_scenario_scope() -> NamespaceScope:
    """Every registered scenario's namespaces: for reading a warehouse before knowing which scenario it holds."""
    namespaces = (n for name in scenario_names() for n in scenario_class(name).catalog().namespaces)
    return NamespaceScope(tuple(dict.fromkeys(namespaces)))


def open_warehouse(url: str, catalog: Catalog | None = None) -> Destination:
    """Open ``url`` to write or read ``catalog``'s scenario; None reads whichever scenario it holds."""
    return open_destination(url, catalog_scope(catalog) if catalog is not None else every_scenario_scope())
