"""Failures of a stream target, each saying what went wrong and what to do about it."""

from __future__ import annotations

from emitter.errors import ConfigError, EmitterError


class TargetError(EmitterError):
    """A target (Kafka, Event Hubs) could not take or deliver events."""


class TargetConfigError(TargetError, ConfigError):
    """Target settings are invalid: a malformed connection string, a refused producer property."""


class DeliveryError(TargetError):
    """An event the target accepted was not delivered; raised on the next send or flush."""


class FlushTimeoutError(TargetError):
    """Events were still in flight when the flush timeout ran out; they are not dropped."""


class TopicSetupError(TargetError):
    """Topics could not be listed or created."""


class MissingDependencyError(TargetError):
    """An optional package a target needs is not installed."""
