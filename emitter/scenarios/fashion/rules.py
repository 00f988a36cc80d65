"""Fashion rules (placeholder until the rule modules land)."""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa

from emitter.scenarios.fashion.settings import FashionSettings
from emitter.scenarios.rules import RuleResult


def check_all(tables: Mapping[str, pa.Table], settings: FashionSettings) -> list[RuleResult]:
    return []
