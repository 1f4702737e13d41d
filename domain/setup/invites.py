"""Inviting people by deep link and redeeming the links (SPEC §3, §4).

An invite names a person. A name nobody has yet makes a new person; a name of someone
who exists never silently makes a second one: someone invited before and not linked
yet gets a fresh link for the same record, anyone else is refused with what to do
instead (`/appoint`, or `Anna Berg (new)` for another person of the same name)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain import invites
from domain.errors import DomainError
from domain.permissions import require_admin
from domain.ports import UnitOfWork
from domain.roles import ROLE_WORDS, Person, Role
from domain.setup.names import InviteName, SetupError, match, person_labels
from domain.setup.people import require_may_appoint
from domain.studio import Studio
from domain.wording import N_, Wording, of_data, said, to_data


@dataclass(frozen=True)
class Link:
    person: Person
    token: str
    until: datetime
    label: str  # the name to show: with `#id` when someone else has the same name
    fresh: bool = False  # a new link for someone invited before, not a new person


class AlreadyInStudio(DomainError):
    """An invite names someone who exists and cannot be sent a link; the message says
    what to do instead. Nobody was invited."""


async def invite(studio: Studio, actor_id: int, role: Role, names: list[str]) -> list[Link]:
    return await studio.change(lambda uow: invite_in(uow, studio, actor_id, role, names))


async def invite_in(uow: UnitOfWork, studio: Studio, actor_id: int, role: Role, names: list[str]) -> list[Link]:
    """A link per name — or, when any name is someone who cannot be invited, nothing
    at all and a message for each of them."""
    actor = require_admin(await uow.people.get(actor_id))
    require_may_appoint(actor, role)
    wanted = [InviteName.parse(name) for name in names]
    if not wanted:
        raise SetupError(N_("Name who to invite."))
    _no_repeats(wanted)
    everyone = await uow.people.everyone()
    found = _invitable(wanted, everyone, role)
    now = studio.now()
    people = [old or await uow.people.add(name.text, [role], now) for name, old in zip(wanted, found, strict=True)]
    labels = person_labels({p.id: p for p in [*everyone, *people]}.values())
    links = []
    for person, old in zip(people, found, strict=True):
        token = invites.new_token()
        await uow.invites.add(person.id, role, invites.token_hash(token), now, now + invites.VALIDITY)
        links.append(Link(person, token, now + invites.VALIDITY, labels[person.id], fresh=old is not None))
    return links


def _invitable(wanted: list[InviteName], everyone: list[Person], role: Role) -> list[Person | None]:
    """Who each name is (None: a new person), when everyone named may get a link."""
    found = [None if name.new else _existing(name, everyone) for name in wanted]
    labels = person_labels(everyone)
    refusals = [_refusal(person, role, labels) for person in found if person is not None]
    if any(refusals):
        raise AlreadyInStudio.lines(said(N_("Nobody was invited:")), *filter(None, refusals))
    return found


def _no_repeats(wanted: list[InviteName]) -> None:
    seen: set[str] = set()
    for name in wanted:
        key = name.text.casefold()
        if key in seen and not name.new:
            raise SetupError(N_("“{name}” is named twice; write “{name} (new)” for a second person."), name=name.text)
        seen.add(key)


class SeveralCalled(AlreadyInStudio):
    """An invite's name that several people bear: which of them is meant? Its values
    are kept apart for a review's line (`review_line`)."""

    def __init__(self, name: str, which: str, example: str) -> None:
        super().__init__(
            N_(
                "Nobody was invited: several people are called {name} ({which}). Name the one you mean, "
                "e.g. “{example}”, or write “{name} (new)” for yet another person."
            ),
            name=name,
            which=which,
            example=example,
        )
        self.values = {"name": name, "which": which, "example": example}

    def review_line(self) -> Wording:
        return said(
            N_(
                "• several people are called {name} ({which}). Name the one you mean, "
                "e.g. “{example}”, or write “{name} (new)” for yet another person."
            ),
            **self.values,
        )


def _existing(name: InviteName, everyone: list[Person]) -> Person | None:
    """The person the name is: `Anna Berg #14`, or the one person called exactly so;
    None when nobody is. Several of that name must be told apart first."""
    if name.number is not None:
        return match(name.text, [(p.name, p) for p in everyone], "person")
    same = [p for p in everyone if p.name.casefold() == name.text.casefold()]
    if len(same) > 1:
        labels = person_labels(everyone)
        raise SeveralCalled(name.text, ", ".join(labels[p.id] for p in same), labels[same[0].id])
    return same[0] if same else None


LINKED_ALREADY = {
    Role.MEMBER: N_("• {label} is a member already and has linked Telegram: no link is needed. {other}"),
    Role.TRAINER: N_("• {label} is a trainer already and has linked Telegram: no link is needed. {other}"),
    Role.ADMIN: N_("• {label} is an admin already and has linked Telegram: no link is needed. {other}"),
    Role.OWNER: N_("• {label} is an owner already and has linked Telegram: no link is needed. {other}"),
}


def _refusal(person: Person, role: Role, labels: dict[int, str]) -> Wording | None:
    """Why `person` gets no link for `role` and what to do instead; None when they may
    have a fresh one (invited before, not linked yet)."""
    label = labels[person.id]
    held = tuple(ROLE_WORDS[r] for r in sorted(person.roles, key=lambda r: r.value)) or said(N_("no role"))
    command = _command(role)
    other = said(
        N_("For another person of that name: /invite_{command} {name} (new)."), command=command, name=person.name
    )
    if person.telegram_user_id is not None and role in person.roles:
        return said(LINKED_ALREADY[role], label=label, other=other)
    if person.telegram_user_id is not None:
        return said(
            N_(
                "• {label} is in the studio already ({roles}) and has linked Telegram: "
                "/appoint {role}; {label} gives them the role, no link needed. {other}"
            ),
            label=label,
            roles=held,
            role=role.value,
            other=other,
        )
    if role not in person.roles:
        return said(
            N_(
                "• {label} is in the studio already ({roles}), not linked yet: /appoint {role}; {label} "
                "gives them the role, then /invite_{command} {label} sends a fresh link. {other}"
            ),
            label=label,
            roles=held,
            role=role.value,
            command=command,
            other=other,
        )
    return None


def _command(role: Role) -> str:
    return "admin" if role in (Role.ADMIN, Role.OWNER) else role.value


# -- many names at once: a review first (issue 14) ---------------------------------------


@dataclass(frozen=True)
class InviteReview:
    """What an invite of many names would do, before anything is created: who is new,
    who exists (invited before and not linked: a fresh link; anyone else: no link, and
    why), and which names repeat one earlier in the list (invited once)."""

    new: tuple[str, ...] = ()
    fresh: tuple[str, ...] = ()  # labels of people invited before, not linked yet
    existing: tuple[Wording, ...] = ()  # why each of them gets no link, and what to do instead
    repeated: tuple[str, ...] = ()
    to_invite: tuple[str, ...] = ()  # the names as written, for invite_in: new and fresh ones

    def as_data(self) -> dict[str, list[Any]]:
        """Plain lists, for keeping the review in a chat's data until it is confirmed."""
        fields = ("new", "fresh", "existing", "repeated", "to_invite")
        return {name: [to_data(value) for value in getattr(self, name)] for name in fields}

    @classmethod
    def of_data(cls, data: dict[str, list[Any]]) -> InviteReview:
        return cls(**{name: tuple(of_data(value) for value in values) for name, values in data.items()})


class ReviewChanged(DomainError):
    """Someone changed the studio between a review and its confirmation: nothing was
    created; `review` is how the line reads now."""

    message = N_("The studio changed since that review. Nothing was created yet: check it again.")

    def __init__(self, review: InviteReview) -> None:
        super().__init__()
        self.review = review


async def review_invites(studio: Studio, actor_id: int, role: Role, names: list[str]) -> InviteReview:
    return await studio.read(lambda uow: review_in(uow, actor_id, role, names))


async def review_in(uow: UnitOfWork, actor_id: int, role: Role, names: list[str]) -> InviteReview:
    actor = require_admin(await uow.people.get(actor_id))
    require_may_appoint(actor, role)
    everyone = await uow.people.everyone()
    labels = person_labels(everyone)
    new: list[str] = []
    fresh: list[str] = []
    existing: list[Wording] = []
    repeated: list[str] = []
    invite: list[str] = []
    seen: set[str] = set()
    for written in names:
        name = InviteName.parse(written)
        key = name.text.casefold()
        if key in seen and not name.new:
            repeated.append(name.text)
            continue
        seen.add(key)
        try:
            person = None if name.new else _existing(name, everyone)
        except SeveralCalled as ambiguous:
            existing.append(ambiguous.review_line())
            continue
        refusal = None if person is None else _refusal(person, role, labels)
        if refusal is not None:
            existing.append(refusal)
            continue
        (new if person is None else fresh).append(name.text if person is None else labels[person.id])
        invite.append(written)
    return InviteReview(tuple(new), tuple(fresh), tuple(existing), tuple(repeated), tuple(invite))


async def confirm_invites(
    studio: Studio, actor_id: int, role: Role, names: list[str], reviewed: InviteReview
) -> list[Link]:
    """The links of a review as it was shown — or ReviewChanged, creating nothing,
    when the same line reads differently now."""

    async def command(uow: UnitOfWork) -> list[Link]:
        review = await review_in(uow, actor_id, role, names)
        if review != reviewed:
            raise ReviewChanged(review)
        if not review.to_invite:
            raise SetupError(N_("Nobody in that line can be invited."))
        return await invite_in(uow, studio, actor_id, role, list(review.to_invite))

    return await studio.change(command)


@dataclass(frozen=True)
class Redeemed:
    person: Person
    role: Role
    already: bool = False  # the chat was linked to this person before: nothing changed


async def redeem(studio: Studio, token: str, telegram_user_id: int, chat_id: int) -> Redeemed:
    async def command(uow: UnitOfWork) -> Redeemed:
        invite = await uow.invites.by_hash(invites.token_hash(token))
        person = await uow.people.get(invite.person_id) if invite else None
        if invite is not None and person is not None and person.telegram_user_id == telegram_user_id:
            return Redeemed(person, invite.role, already=True)  # their own link, opened again
        now = studio.now()
        usable = invites.check_usable(invite, now, person.name if person else "")
        assert person is not None
        linked = await uow.people.by_telegram_user(telegram_user_id)
        if linked is not None and linked.id != person.id:
            raise invites.InviteRefused(
                N_(
                    "This Telegram account is linked to {name} already. "
                    "Ask the studio's admin to add the role with /appoint instead."
                ),
                name=linked.name,
            )
        if person.telegram_user_id not in (None, telegram_user_id):
            raise invites.InviteRefused(N_("{name} is linked to another Telegram account already."), name=person.name)
        if not await uow.invites.use(usable.id, now):  # the database decides who was first
            raise invites.InviteRefused(N_("This invite for {name} was used already."), name=person.name)
        person = await uow.people.link(person.id, telegram_user_id, chat_id)
        return Redeemed(person, usable.role)

    return await studio.change(command)
