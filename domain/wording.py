"""The domain's sentences are English message ids: `N_` marks one for the translation
catalog (`pybabel extract` finds it) and returns it unchanged. The bot translates it
where it is shown, in the reader's language (bot/i18n.py); the domain never needs to
know who reads.

A sentence the domain hands over whole (an error's line, a refusal in a review) is a
`Wording`: the template and its values apart. A value may be a Wording itself (a part
a translator words as a whole, e.g. a list of names with how to pick one) or a tuple
of values (rendered each, joined with ", "). `ngettext` marks a counted sentence
(`pybabel` extracts both forms; the bot picks the reader's form for the count), and
`pgettext` a short word whose translation depends on where it stands (a role's name).
The names are gettext's, so that `pybabel extract` finds them with its default keywords;
nothing here translates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


def N_(message: str) -> str:
    return message


@dataclass(frozen=True)
class Wording:
    template: str
    params: Mapping[str, Any] = field(default_factory=dict)
    plural: str | None = None  # a counted sentence: the English plural; `count` picks the form
    count: int = 1
    context: str | None = None  # pgettext's context of a short word

    def __str__(self) -> str:
        return english(self)

    def __contains__(self, text: str) -> bool:
        """Whether the English holds `text` (logs and tests look into a sentence as into a string)."""
        return text in english(self)


def said(template: str, /, **params: Any) -> Wording:
    """A sentence of `template` (marked with N_ where written) and its values."""
    return Wording(template, params)


def ngettext(singular: str, plural: str, n: int, /, **params: Any) -> Wording:
    """A counted sentence, `{n}` its count: "{n} session" / "{n} sessions"."""
    return Wording(singular, {"n": n, **params}, plural, n)


def pgettext(context: str, message: str) -> Wording:
    """A short word told apart by `context`: `pgettext("role", "member")`."""
    return Wording(message, context=context)


class Catalog(Protocol):
    """What a translation catalog offers (gettext.NullTranslations and Babel's do)."""

    def gettext(self, message: str, /) -> str: ...
    def ngettext(self, singular: str, plural: str, n: int, /) -> str: ...
    def pgettext(self, context: str, message: str, /) -> str: ...


def render(value: Any, catalog: Catalog) -> str:
    """`value` in the language of `catalog`, its values filled in."""
    if not isinstance(value, Wording):
        return str(value)
    if value.plural is not None:
        template = catalog.ngettext(value.template, value.plural, value.count)
    elif value.context is not None:
        template = catalog.pgettext(value.context, value.template)
    else:
        template = catalog.gettext(value.template)
    if not value.params:
        return template
    return template.format(**{name: _filled(v, catalog) for name, v in value.params.items()})


def _filled(value: Any, catalog: Catalog) -> Any:
    if isinstance(value, Wording):
        return render(value, catalog)
    if isinstance(value, tuple):
        return ", ".join(render(item, catalog) for item in value)
    return value  # as it is: a format spec in the template may shape it ({day:%d.%m.%Y})


class _English:
    """The message ids themselves: the source language."""

    def gettext(self, message: str, /) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int, /) -> str:
        return singular if n == 1 else plural

    def pgettext(self, context: str, message: str, /) -> str:
        return message


def english(value: Any) -> str:
    """The English source: for logs, `str(error)` and the tests."""
    return render(value, _English())


# -- kept in a chat's data (JSON) until confirmed: a review's wordings -------------------


def to_data(value: Any) -> Any:
    """Plain JSON data of a Wording (its values str, int, Wording or tuples of them)."""
    if isinstance(value, Wording):
        return {
            "template": value.template,
            "params": {name: to_data(v) for name, v in value.params.items()},
            "plural": value.plural,
            "count": value.count,
            "context": value.context,
        }
    if isinstance(value, tuple):
        return {"tuple": [to_data(item) for item in value]}
    return value


def of_data(data: Any) -> Any:
    if isinstance(data, dict) and "tuple" in data:
        return tuple(of_data(item) for item in data["tuple"])
    if isinstance(data, dict):
        params = {name: of_data(v) for name, v in data["params"].items()}
        return Wording(data["template"], params, data["plural"], data["count"], data["context"])
    return data
