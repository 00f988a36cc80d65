"""The error hierarchy: every user-facing failure is an EmitterError with a readable message."""


class EmitterError(Exception):
    """Root of all errors emitter raises on purpose; the CLI prints the message and exits 1."""


class ConfigError(EmitterError):
    """The configuration (file, environment or flags) is invalid."""


class SchemaError(EmitterError):
    """A schema file is missing or does not match what a batch holds."""


class OutputError(EmitterError):
    """The output location can't be written."""
