"""A database-per-namespace URL: ``postgresql://user@host:5432/bank_{namespace}`` names one database per namespace.

Also the scope such a warehouse works in: which namespaces it may hold (the first is home to what belongs
to no table) and which namespace each topic's table is in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote as url_quote
from urllib.parse import urlsplit, urlunsplit

from emitter.sink.destinations.errors import DestinationError, DestinationURLError
from emitter.urls import masked

PLACEHOLDER = "{namespace}"
EXAMPLE = "postgresql://user@localhost:5432/{namespace} (or .../bank_{namespace})"
SCHEMES = ("postgresql", "postgres")
MAINTENANCE_DATABASE = "postgres"  # every PostgreSQL server has it: where databases are listed and created
MAX_DATABASE_NAME = 63  # bytes: PostgreSQL's identifier limit, which would silently truncate


def is_template(url: str) -> bool:
    """Whether ``url`` asks for a database per namespace (it holds a brace, as only the template does)."""
    return "{" in url or "}" in url


def _no_table(topic: str) -> str | None:
    return None


@dataclass(frozen=True)
class NamespaceScope:
    """The namespaces a warehouse may hold, and the namespace of the table each topic carries.

    Only a database per namespace asks: it reads bookkeeping from these namespaces' databases, and keeps
    a topic's offsets and dead letters in its table's database (a topic of no table, and the runs ``load``
    records, in the first namespace's: the home database).
    """

    namespaces: tuple[str, ...] = ()
    topic_namespace: Callable[[str], str | None] = _no_table

    @property
    def home(self) -> str | None:
        return self.namespaces[0] if self.namespaces else None


@dataclass(frozen=True)
class DatabaseTemplate:
    """A PostgreSQL URL whose database name holds ``{namespace}`` once, with any prefix and suffix."""

    url: str
    prefix: str
    suffix: str

    @classmethod
    def parse(cls, url: str) -> DatabaseTemplate:
        """Raises DestinationURLError unless ``{namespace}`` is the only placeholder, once, in the database name."""
        problem = (
            f"{masked(url)!r}: a database-per-namespace URL has {PLACEHOLDER} once in its database name, e.g. {EXAMPLE}"
        )
        try:
            parts = urlsplit(url)
        except ValueError as exc:
            raise DestinationURLError(problem) from exc
        if parts.scheme not in SCHEMES:
            raise DestinationURLError(
                f"{masked(url)!r}: {PLACEHOLDER} (a database per namespace) is for PostgreSQL URLs only, e.g. {EXAMPLE}"
            )
        name = parts.path.removeprefix("/")
        prefix, found, suffix = name.partition(PLACEHOLDER)
        if (
            not found
            or "/" in name
            or is_template(prefix + suffix)
            or is_template(parts.netloc + parts.query + parts.fragment)
        ):
            raise DestinationURLError(problem)
        return cls(url, prefix, suffix)

    @property
    def where(self) -> str:
        return masked(self.url)

    def database(self, namespace: str) -> str:
        """The name of ``namespace``'s database; one PostgreSQL would truncate is refused."""
        name = f"{self.prefix}{namespace}{self.suffix}"
        if len(name.encode()) > MAX_DATABASE_NAME:
            raise DestinationError(
                f"{self.where}: database name {name!r} for namespace {namespace} is {len(name.encode())} bytes, "
                f"PostgreSQL allows {MAX_DATABASE_NAME}; use a shorter prefix or suffix"
            )
        return name

    def url_for(self, namespace: str) -> str:
        """The URL of ``namespace``'s database (query, such as ``?schema=``, kept)."""
        return self._with_database(url_quote(self.database(namespace), safe=""))

    def maintenance_url(self) -> str:
        """The server's ``postgres`` database, without ``?schema=`` (a plain libpq URL)."""
        parts = urlsplit(self._with_database(MAINTENANCE_DATABASE))
        kept = "&".join(pair for pair in parts.query.split("&") if pair and not pair.startswith("schema="))
        return urlunsplit(parts._replace(query=kept))

    def _with_database(self, database: str) -> str:
        return urlunsplit(urlsplit(self.url)._replace(path=f"/{database}"))
