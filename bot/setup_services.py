"""The setup-side domain services for a handler: built per call from the context's
unit of work, clock and zone, so tests that swap the studio's clock swap theirs too."""

from __future__ import annotations

from bot.context import TraineryContext
from domain.setup import Invitations, StudioSetup
from storage.unit_of_work import SqlUnitOfWork


def setup_of(context: TraineryContext) -> StudioSetup:
    studio, sessions = context.studio, context.sessionmaker
    return StudioSetup(lambda: SqlUnitOfWork(sessions), studio.clock, studio.zone)


def invitations_of(context: TraineryContext) -> Invitations:
    sessions = context.sessionmaker
    return Invitations(lambda: SqlUnitOfWork(sessions), context.studio.clock)
