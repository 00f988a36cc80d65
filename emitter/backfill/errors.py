"""Backfill failures a user can act on; each message says what happened and what to do next."""

from __future__ import annotations

from emitter.errors import EmitterError


class ManifestMismatch(EmitterError):
    """The output directory holds data generated under a different configuration, or in another format."""


class ManifestUnreadable(EmitterError):
    """The output directory's _manifest.json can't be parsed."""


class BackfillInterrupted(EmitterError):
    """Ctrl-C or SIGTERM stopped the run; every completed day is recorded and a re-run resumes."""

    exit_code = 130
