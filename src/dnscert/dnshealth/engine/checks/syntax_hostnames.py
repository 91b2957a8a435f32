"""Message building shared by SYNTAX04, SYNTAX07 and SYNTAX08 (host name checks)."""

from __future__ import annotations

from collections.abc import Callable

import dns.name

from dnscert.dnshealth.engine.checks.syntax_rules import hostname_problems, label_text
from dnscert.dnshealth.engine.model import Message

MessageFactory = Callable[..., Message]


def hostname_messages(
    msg: MessageFactory, prefix: str, name: dns.name.Name, argument: str
) -> list[Message]:
    """``<prefix>_NON_ALLOWED_CHARS`` / ``_DISCOURAGED_DOUBLE_DASH`` / ``_NUMERIC_TLD`` or OK."""
    problems = hostname_problems(name)
    text = name.to_text(omit_final_dot=True) or "."
    messages: list[Message] = []
    if problems.non_allowed or problems.too_long:
        messages.append(msg(f"{prefix}_NON_ALLOWED_CHARS", **{argument: text}))
    messages.extend(
        msg(f"{prefix}_DISCOURAGED_DOUBLE_DASH", label=label_text(label), **{argument: text})
        for label in problems.double_dash
    )
    if problems.numeric_tld:
        messages.append(msg(f"{prefix}_NUMERIC_TLD", **{argument: text}))
    if not messages:
        messages.append(msg(f"{prefix}_SYNTAX_OK", **{argument: text}))
    return messages
