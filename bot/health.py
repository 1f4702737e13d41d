"""Operations endpoints (README "Running in production"): `/healthz` and `/metrics`.

They run on a small tornado server of their own on TRAINERY_HEALTH_PORT, in polling and
webhook mode alike: PTB's webhook server is a tornado application it builds privately,
with no public way to add routes, so sharing its port would mean reaching into PTB.
Tornado comes with PTB's `webhooks` extra, so this costs no new dependency.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

import tornado.httpserver
import tornado.web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from telegram import Update

from bot.context import TraineryApplication, TraineryContext

log = logging.getLogger(__name__)

PING_TIMEOUT = 3.0  # seconds; a database slower than this counts as not answering


async def count_update(update: Update, context: TraineryContext) -> None:
    """Group -1, before every other handler; it only counts and lets the update go on."""
    context.bot_data.metrics.updates.inc()


async def healthy(application: TraineryApplication) -> tuple[bool, str]:
    """The database answers and the notification dispatcher runs."""
    data = application.bot_data
    if data.dispatcher is None or not data.dispatcher.running:
        return False, "notification dispatcher not running"
    try:
        await asyncio.wait_for(data.services.ping(), PING_TIMEOUT)
    except Exception as error:  # whatever the driver raises: the database does not answer
        log.warning("Health check: the database does not answer: %s", type(error).__name__)
        return False, "database not answering"
    return True, "ok"


async def metrics_text(application: TraineryApplication) -> bytes:
    data = application.bot_data
    figures = await data.services.outbox_figures(datetime.now(UTC))
    for state in ("queued", "retrying", "sent", "failed"):
        data.metrics.notifications.labels(state=state).set(figures[state])
    data.metrics.oldest_pending.set(figures["oldest_pending_age"])
    return generate_latest(data.metrics.registry)


class _Healthz(tornado.web.RequestHandler):
    def initialize(self, bot_application: TraineryApplication) -> None:
        self.bot_application = bot_application

    async def get(self) -> None:
        ok, reason = await healthy(self.bot_application)
        self.set_status(200 if ok else 503)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(reason + "\n")


class _Metrics(tornado.web.RequestHandler):
    def initialize(self, bot_application: TraineryApplication) -> None:
        self.bot_application = bot_application

    async def get(self) -> None:
        try:
            body = await metrics_text(self.bot_application)
        except Exception:  # the outbox cannot be read: say so instead of half the figures
            log.warning("Metrics: the outbox cannot be read", exc_info=True)
            self.set_status(503)
            self.finish("outbox not readable\n")
            return
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.finish(body)


class HealthServer:
    def __init__(self, application: TraineryApplication, listen: str, port: int) -> None:
        self.listen, self.port = listen, port
        routes: list[Any] = [
            (r"/healthz", _Healthz, {"bot_application": application}),
            (r"/metrics", _Metrics, {"bot_application": application}),
        ]
        self._app = tornado.web.Application(routes)
        self._server: tornado.httpserver.HTTPServer | None = None

    async def start(self) -> None:
        self._server = self._app.listen(self.port, self.listen)
        log.info("Health and metrics at http://%s:%d/healthz and /metrics", self.listen, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None


async def start(application: TraineryApplication) -> None:
    settings = application.bot_data.settings
    if settings.health_port is None or application.bot_data.health is not None:
        return
    application.bot_data.health = HealthServer(application, settings.health_listen, settings.health_port)
    await application.bot_data.health.start()


async def stop(application: TraineryApplication) -> None:
    if application.bot_data.health is not None:
        await application.bot_data.health.stop()
        application.bot_data.health = None
