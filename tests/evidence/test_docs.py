"""Every `sanctions ...` command and option that docs name exists (issue 16, "Done when")."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from sanctions.cli import main

DOCS = Path(__file__).resolve().parents[2] / "docs"
CHECKED = ("evidence.md", "screening.md", "watch.md", "api.md", "web.md", "replicas.md")
COMMAND = re.compile(r"(?<![\w.-])sanctions((?:\s+--db\s+\S+)?(?:\s+[a-z][a-z-]*)+)([^`\n#|;<>]*)")


def _mentions(text: str) -> list[tuple[list[str], list[str]]]:
    """(command words, options) of each `sanctions ...` mention in code."""
    spans = re.findall(r"`([^`\n]+)`", text) + re.findall(r"```(?:sh|bash)?\n(.*?)```", text, re.S)
    out = []
    for span in spans:
        for line in span.splitlines():
            for m in COMMAND.finditer(line):
                words = re.sub(r"--db\s+\S+", "", m[1]).split()
                options = re.findall(r"(?<![\w-])(--[a-z][\w-]*)", m[2])
                out.append((words, options))
    return out


def _resolve(words: list[str]) -> tuple[click.Command, list[str]]:
    command: click.Command = main
    used = []
    for word in words:
        if isinstance(command, click.Group) and word in command.commands:
            command = command.commands[word]
            used.append(word)
        else:
            break
    return command, used


@pytest.mark.parametrize("name", CHECKED)
def test_documented_commands_and_options_exist(name: str) -> None:
    text = (DOCS / name).read_text()
    problems = []
    for words, options in _mentions(text):
        command, used = _resolve(words)
        if not used:
            problems.append(f"sanctions {' '.join(words)}: no such command")
            continue
        known = {opt for p in command.params for opt in (*p.opts, *p.secondary_opts)}
        known |= {"--help", "--db", "--version", "--verbose"}
        problems += [
            f"sanctions {' '.join(used)} {opt}: no such option"
            for opt in options
            if opt not in known and not isinstance(command, click.Group)
        ]
    assert not problems, "\n".join(sorted(set(problems)))


def test_the_docs_check_sees_the_evidence_commands() -> None:
    mentions = _mentions((DOCS / "evidence.md").read_text())
    seen = {(" ".join(_resolve(w)[1]), o) for w, opts in mentions for o in opts}
    assert ("screen", "--file") in seen and ("alerts", "--by-record") in seen
