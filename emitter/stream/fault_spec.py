"""Fault specs: which share of a table's events goes wrong, and how.

Syntax, comma-separated (shares are fractions of the table's events, 0–1, summing to at most 1):
  late=SHARE[:DELAY]           held back DELAY (default 30s) of real time, keeping their event time
  out_of_order=SHARE[:WINDOW]  held back behind 1..WINDOW (default 100) later events of the topic
  duplicate=SHARE              sent twice, the same key and bytes
  malformed=SHARE              preceded by a broken copy: truncated, a bad magic byte, or a wrong schema id
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from emitter.errors import ConfigError
from emitter.stream.rate_profile import parse_duration

KINDS = ("malformed", "duplicate", "late", "out_of_order")
USAGE = "late=0.02:30s,out_of_order=0.01:100,duplicate=0.005,malformed=0.001"
DEFAULT_DELAY_S = 30.0
DEFAULT_WINDOW = 100


@dataclass(frozen=True)
class FaultSpec:
    """The shares of one table's events that go wrong, by kind; all zero means no faults."""

    late: float = 0.0
    out_of_order: float = 0.0
    duplicate: float = 0.0
    malformed: float = 0.0
    delay_s: float = DEFAULT_DELAY_S
    window: int = DEFAULT_WINDOW

    @property
    def off(self) -> bool:
        return not any(self.share(kind) for kind in KINDS)

    def share(self, kind: str) -> float:
        value: float = getattr(self, kind)
        return value

    def __str__(self) -> str:
        parts = []
        for kind in KINDS:
            if self.share(kind):
                extra = f":{self.delay_s:g}s" if kind == "late" else f":{self.window}" if kind == "out_of_order" else ""
                parts.append(f"{kind}={self.share(kind):g}{extra}")
        return ",".join(parts) or "none"


def parse_faults(text: str, where: str = "--faults") -> FaultSpec:
    """Parse a spec; every mistake names the part and shows the syntax."""

    def bad(why: str) -> ConfigError:
        return ConfigError(f"{where}: {why} in {text!r}; expected e.g. {USAGE}")

    values: dict[str, float | int] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        kind, sep, rest = part.partition("=")
        kind = kind.strip().lower().replace("-", "_")
        if kind not in KINDS:
            raise bad(f"unknown fault {kind!r} (kinds: {', '.join(KINDS)})")
        if not sep:
            raise bad(f"{kind} needs a share, e.g. {kind}=0.01")
        if kind in values:
            raise bad(f"{kind} is given twice")
        share_text, _, param = rest.partition(":")
        try:
            share = float(share_text)
        except ValueError:
            raise bad(f"{share_text!r} is not a share") from None
        if not math.isfinite(share) or not 0 <= share <= 1:
            raise bad(f"{kind}={share_text} is not a share between 0 and 1")
        values[kind] = share
        if param and kind == "late":
            try:
                values["delay_s"] = parse_duration(param, where)
            except ConfigError:
                raise bad(f"{param!r} is not a delay (e.g. 500ms, 30s)") from None
        elif param and kind == "out_of_order":
            if not param.isdigit() or int(param) < 1:
                raise bad(f"{param!r} is not a window of 1 or more events")
            values["window"] = int(param)
        elif param:
            raise bad(f"{kind} takes no parameter after ':'")
    total = sum(float(values.get(kind, 0.0)) for kind in KINDS)
    if total > 1 + 1e-9:
        raise bad(f"the shares add up to {total:g}, more than 1")
    return FaultSpec(**values)  # type: ignore[arg-type]


def faults_by_table(config_faults: dict[str, str], flag: str | None, tables: tuple[str, ...]) -> dict[str, FaultSpec]:
    """Each streamed table's spec: the flag's (for every table), else the config's entry for it or for ``*``."""
    unknown = sorted(set(config_faults) - {*tables, "*"})
    if unknown:
        raise ConfigError(
            f"stream.faults: {', '.join(unknown)} is not a streamed table; use one of {', '.join(tables)} or *"
        )
    out = {}
    for table in tables:
        text = flag if flag is not None else config_faults.get(table, config_faults.get("*"))
        if text is not None:
            spec = parse_faults(text, "--faults" if flag is not None else f"stream.faults.{table}")
            if not spec.off:
                out[table] = spec
    return out
