"""SPEC §4 in the domain: admins set the studio up; bad input is refused and changes nothing."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from domain.errors import NotAllowed
from domain.roles import Role
from domain.setup.names import SetupError
from domain.schedule_review import ScheduleWarningKind
from domain.setup.schedules import ScheduleDraft, ScheduleNeedsConfirmation
from tests.world import World
from domain.setup.passes import add_template, passes_of, templates
from domain.setup.people import appoint
from domain.setup.schedules import add_schedule, list_schedules
from domain.setup.spaces import add_space, list_spaces


def draft(**changes: object) -> ScheduleDraft:
    values: dict[str, object] = dict(
        title="Pilates", rrule="FREQ=WEEKLY;BYDAY=MO,WE", starts_on=date(2026, 12, 7), start_time=time(9),
        duration=timedelta(minutes=50), capacity=8, space="studio b", trainer="Sue",
    )
    values.update(changes)
    return ScheduleDraft(**values)  # type: ignore[arg-type]


async def test_spaces(world: World) -> None:
    space = await add_space(world.studio, world.admin, "  Outdoor   court ", 30)
    assert (space.name, space.max_capacity) == ("Outdoor court", 30)
    for name, maximum, message in [("outdoor COURT", None, "exists already"), ("", None, "needs a name"), ("Gym", 0, "above zero")]:
        with pytest.raises(SetupError, match=message):
            await add_space(world.studio, world.admin, name, maximum)
    with pytest.raises(NotAllowed):
        await add_space(world.studio, world.trainer, "Gym")
    assert [s.name for s in await list_spaces(world.studio, world.admin)] == ["Outdoor court", "Studio A", "Studio B"]


async def test_schedules(world: World) -> None:
    schedule = await add_schedule(world.studio, world.admin, draft())
    assert (schedule.default_space_id, schedule.default_trainer_id, schedule.closed) == (world.studio_b, world.substitute, False)
    rehab_pass = await add_template(world.studio, world.admin, "Rehab pass", 4, 30, [])  # its own (issue 12)
    rehab = draft(title="Rehab", closed_with="rehab")  # Pilates' slot: Studio B and Sue are busy then
    with pytest.raises(ScheduleNeedsConfirmation) as needed:
        await add_schedule(world.studio, world.admin, rehab)
    assert {(w.kind, w.other.title if w.other else None) for w in needed.value.warnings} == {
        (ScheduleWarningKind.SPACE_BUSY, "Pilates"),
        (ScheduleWarningKind.TRAINER_BUSY, "Pilates"),
    }
    assert "Rehab" not in [s.title for s in await list_schedules(world.studio, world.admin)]
    closed = await add_schedule(world.studio, world.admin, rehab, confirmed=True)
    assert closed.closed and closed.pass_template_id == rehab_pass.id
    assert "Rehab" in [s.title for s in await list_schedules(world.studio, world.admin)]


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
async def test_bad_schedules_are_refused(world: World, changes: dict[str, object], message: str) -> None:
    with pytest.raises(SetupError, match=message):
        await add_schedule(world.studio, world.admin, draft(**changes))
    assert [s.title for s in await list_schedules(world.studio, world.admin)] == ["Back course", "Yoga"]


async def test_templates(world: World) -> None:
    template = await add_template(world.studio, world.admin, "Monthly unlimited", None, 30, ["yoga"])
    assert template.sessions is None and template.covered_schedule_ids == frozenset({world.yoga.id})  # type: ignore[union-attr]
    with pytest.raises(SetupError, match="exists already"):
        await add_template(world.studio, world.admin, "monthly UNLIMITED", 5, 30, [])
    with pytest.raises(SetupError, match="No schedule"):
        await add_template(world.studio, world.admin, "Other", 5, 30, ["Zumba"])
    with pytest.raises(SetupError, match="Validity"):
        await add_template(world.studio, world.admin, "Other", 5, 0, [])
    assert [t.name for t in await templates(world.studio, world.admin)] == ["10 classes", "Course pass", "Monthly unlimited"]


async def test_appointing(world: World) -> None:
    person = await appoint(world.studio, world.admin, "member 1", Role.TRAINER)
    assert person.roles == frozenset({Role.MEMBER, Role.TRAINER})
    with pytest.raises(NotAllowed, match="Only an owner"):
        await appoint(world.studio, world.admin, "member 2", Role.ADMIN)
    with pytest.raises(SetupError, match="already a trainer"):
        await appoint(world.studio, world.admin, "member 1", Role.TRAINER)
    member, passes = await passes_of(world.studio, world.admin, "Member 0")
    assert member.id == world.members[0] and [p.sessions_left for p in passes] == [10]
