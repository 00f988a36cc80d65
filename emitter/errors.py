"""The error hierarchy: every user-facing failure is an EmitterError with a readable message."""


class EmitterError(Exception):
    """Root of all errors emitter raises on purpose; the CLI prints the message and exits 1."""


class ConfigError(EmitterError):
    """The configuration (file, environment or flags) is invalid."""


class SchemaError(EmitterError):
    """A schema file is missing or does not match what a batch holds."""


class OutputError(EmitterError):
    """The output location can't be written."""


def first_line(exc: BaseException) -> str:
    """A third-party error's first non-empty line (drivers and clients add detail below it)."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
