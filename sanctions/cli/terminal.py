"""Text from list files and queries is shown on a terminal as text, never as commands.

A listed name, an alias, a customer name or a message quoting a bad file can
carry terminal escape sequences (``ESC [ 2 J`` clears the screen, ``ESC ] 0 ;``
retitles the window, OSC 8 writes a hyperlink, ``\\r`` overwrites what was
printed), 8-bit C1 controls (``\\x9b`` is CSI on many terminals) or bidi
controls that reorder what the analyst reads (``\\u202e``). Rich markup in data
(``[link=...]``, ``[black on black]``, ``[conceal]``) would also be obeyed.

:func:`safe_text` is the one function that makes text safe: each such character
becomes a visible escape, ``\\u`` and four hex digits (in JSON text, that is the same character
written as a JSON escape, so JSON output stays exact). :class:`SafeConsole` runs
every string rich renders (``print`` arguments, table cells) through it, and
lets markup through only for the plain styles the CLI itself uses, so a name
can at most be coloured, never hidden, linked or turned into control codes.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

import click
from rich.console import Console
from rich.text import Text

__all__ = ["SafeConsole", "SafeFormatter", "safe_text", "echo_data"]

# C0 controls except tab and newline, DEL, C1 controls, bidi controls, line/paragraph separators.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)

# The styles the CLI writes in its own markup; any other tag is shown as text.
_STYLE_WORDS = frozenset({"bold", "dim", "italic", "red", "green", "yellow", "blue", "cyan"})
_TAG = re.compile(r"(?<!\\)\[(/?)([^\[\]]*)\]")


def safe_text(text: str) -> str:
    """``text`` with every terminal control, C1 and bidi character as a visible escape."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _tame_markup(text: str) -> str:
    """Escape every markup tag but plain styles (``[bold red]``) and the tags closing them."""
    open_tags = 0

    def keep_or_escape(match: re.Match[str]) -> str:
        nonlocal open_tags
        closing, words = match.group(1), match.group(2).split()
        if not closing and words and set(words) <= _STYLE_WORDS:
            open_tags += 1
            return match.group()
        if closing and open_tags and (not words or set(words) <= _STYLE_WORDS):
            open_tags -= 1
            return match.group()
        return "\\" + match.group()

    return _TAG.sub(keep_or_escape, text)


class SafeConsole(Console):
    """A rich console that shows data as text (see the module docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("emoji", False)  # ":flag_ru:" in a name is text, not a flag
        super().__init__(**kwargs)
        self._allow_markup = kwargs.get("markup", True)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        markup = kwargs.get("markup")
        text = safe_text(text)
        if markup or (markup is None and self._allow_markup):
            text = _tame_markup(text)
        return super().render_str(text, **kwargs)


class SafeFormatter(logging.Formatter):
    """Log lines on the terminal pass through :func:`safe_text` too."""

    def format(self, record: logging.LogRecord) -> str:
        return safe_text(super().format(record))


def echo_data(text: str, nl: bool = True) -> None:
    """Write machine-readable output (CSV): exact into a file or pipe, made safe on a terminal."""
    click.echo(safe_text(text) if sys.stdout.isatty() else text, nl=nl)
