"""The domain's sentences are English message ids: `N_` marks one for the translation
catalog (`pybabel extract` finds it) and returns it unchanged. The bot translates it
where it is shown, in the reader's language (bot/i18n.py); the domain never needs to
know who reads."""

from __future__ import annotations


def N_(message: str) -> str:
    return message
