"""The process's Prometheus figures (served by bot.health at /metrics)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class Metrics:
    """The process's figures, each in its own registry (a test may build many applications)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter("trainery_updates", "Updates received from Telegram", registry=self.registry)
        self.errors = Counter(
            "trainery_handler_errors", "Errors that reached the error handler", registry=self.registry
        )
        self.notifications = Gauge(
            "trainery_notifications",
            "Notifications in the outbox by state: queued (never tried or not yet failed), "
            "retrying (pending after an error), sent, failed",
            ["state"],
            registry=self.registry,
        )
        self.oldest_pending = Gauge(
            "trainery_oldest_pending_notification_age_seconds",
            "Age of the oldest notification not yet sent (0 when none waits)",
            registry=self.registry,
        )
