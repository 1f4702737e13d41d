"""The bot process's scan for due timed notices (issue 13): every `SCAN_INTERVAL` a
PTB job asks `Services.send_due_notices` to queue what is due. The job only wakes the
scan; what is due and what was queued live in the database (domain/reminders/due.py),
so a restart loses nothing and repeats nothing. The commit that queues a notice wakes
the dispatcher at once."""

from __future__ import annotations

import logging

from bot.context import TraineryApplication, TraineryContext
from domain.reminders.due import SCAN_INTERVAL, DueReport

log = logging.getLogger(__name__)
JOB_NAME = "trainery-due-notices"


def start(application: TraineryApplication) -> None:
    queue = application.job_queue
    if queue is None:  # PTB without its job-queue extra: the dependency is declared, so never here
        log.warning("No job queue: reminders, trainer's days and pass warnings are not sent")
        return
    if not queue.get_jobs_by_name(JOB_NAME):
        # The first scan right after start: what fell due while the bot was down goes out now.
        queue.run_repeating(scan, interval=SCAN_INTERVAL, first=1, name=JOB_NAME)


async def scan(context: TraineryContext) -> None:
    log_report(await context.services.send_due_notices())


def log_report(report: DueReport) -> None:
    """One INFO line when a scan queued or recorded something (also `trainery dispatch`'s)."""
    if report.queued or report.unsent:
        queued = ", ".join(f"{count} {kind.value}" for kind, count in sorted(report.queued.items())) or "none"
        unsent = ", ".join(f"{count} {outcome.value}" for outcome, count in sorted(report.unsent.items()))
        log.info("Timed notices queued: %s%s", queued, f"; recorded unsent: {unsent}" if unsent else "")
