"""SPEC §4 in the domain: admins set the studio up; bad input is refused and changes nothing."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from domain.errors import NotAllowed
from domain.roles import Role
from domain.setup import ScheduleDraft, SetupError, StudioSetup
from storage.unit_of_work import SqlUnitOfWork
from tests.world import World


@pytest.fixture
def setup(world: World) -> StudioSetup:
    return StudioSetup(lambda: SqlUnitOfWork(world.sessions), world.studio.clock, world.studio.zone)


def draft(**changes: object) -> ScheduleDraft:
    values: dict[str, object] = dict(
        title="Pilates", rrule="FREQ=WEEKLY;BYDAY=MO,WE", starts_on=date(2026, 12, 7), start_time=time(9),
        duration=timedelta(minutes=50), capacity=8, space="studio b", trainer="Sue",
    )
    values.update(changes)
    return ScheduleDraft(**values)  # type: ignore[arg-type]


async def test_spaces(setup: StudioSetup, world: World) -> None:
    space = await setup.add_space(world.admin, "  Outdoor   court ", 30)
    assert (space.name, space.max_capacity) == ("Outdoor court", 30)
    for name, maximum, message in [("outdoor COURT", None, "exists already"), ("", None, "needs a name"), ("Gym", 0, "above zero")]:
        with pytest.raises(SetupError, match=message):
            await setup.add_space(world.admin, name, maximum)
    with pytest.raises(NotAllowed):
        await setup.add_space(world.trainer, "Gym")
    assert [s.name for s in await setup.spaces(world.admin)] == ["Outdoor court", "Studio A", "Studio B"]


async def test_schedules(setup: StudioSetup, world: World) -> None:
    schedule = await setup.add_schedule(world.admin, draft())
    assert (schedule.default_space_id, schedule.default_trainer_id, schedule.closed) == (world.studio_b, world.substitute, False)
    closed = await setup.add_schedule(world.admin, draft(title="Rehab", closed_with="course"))
    assert closed.closed and closed.pass_template_id == world.closed_template
    assert "Rehab" in [s.title for s in await setup.schedules(world.admin)]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"starts_on": date(2026, 11, 1)}, "in the past"),
        ({"capacity": 9}, "holds at most 8"),
        ({"capacity": 0}, "above zero"),
        ({"space": "Nowhere"}, "No space is called"),
        ({"space": "studio"}, "fits several spaces"),
        ({"trainer": "Member 0"}, "No trainer is called"),
        ({"duration": timedelta(0)}, "duration"),
        ({"closed_with": "Nope"}, "No pass template"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=MO;UNTIL=20261201T000000"}, "no session from the first date"),
    ],
)
async def test_bad_schedules_are_refused(setup: StudioSetup, world: World, changes: dict[str, object], message: str) -> None:
    with pytest.raises(SetupError, match=message):
        await setup.add_schedule(world.admin, draft(**changes))
    assert [s.title for s in await setup.schedules(world.admin)] == ["Back course", "Yoga"]


async def test_templates(setup: StudioSetup, world: World) -> None:
    template = await setup.add_template(world.admin, "Monthly unlimited", None, 30, ["yoga"])
    assert template.sessions is None and template.covered_schedule_ids == frozenset({world.yoga.id})  # type: ignore[union-attr]
    with pytest.raises(SetupError, match="exists already"):
        await setup.add_template(world.admin, "monthly UNLIMITED", 5, 30, [])
    with pytest.raises(SetupError, match="No schedule"):
        await setup.add_template(world.admin, "Other", 5, 30, ["Zumba"])
    with pytest.raises(SetupError, match="Validity"):
        await setup.add_template(world.admin, "Other", 5, 0, [])
    assert [t.name for t in await setup.templates(world.admin)] == ["10 classes", "Course pass", "Monthly unlimited"]


async def test_appointing(setup: StudioSetup, world: World) -> None:
    person = await setup.appoint(world.admin, "member 1", Role.TRAINER)
    assert person.roles == frozenset({Role.MEMBER, Role.TRAINER})
    with pytest.raises(NotAllowed, match="Only an owner"):
        await setup.appoint(world.admin, "member 2", Role.ADMIN)
    with pytest.raises(SetupError, match="already a trainer"):
        await setup.appoint(world.admin, "member 1", Role.TRAINER)
    member, passes = await setup.passes_of(world.admin, "Member 0")
    assert member.id == world.members[0] and [p.sessions_left for p in passes] == [10]
