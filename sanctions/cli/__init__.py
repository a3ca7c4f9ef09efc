"""The `sanctions` command. Thin: parses arguments, calls the library, prints.

Each command group lives in its own module and registers itself on :data:`main`
when imported; :data:`COMMAND_MODULES` lists them.
"""

from __future__ import annotations

import importlib

from .app import main

COMMAND_MODULES = (
    "lists",
    "versions",
    "update",
    "demo",
    "screen",
    "serve",
    "watch",
    "coordination",
    "doctor",
    "payments",
    "spark",
)

for _name in COMMAND_MODULES:  # a missing or broken module fails loudly, never drops commands
    importlib.import_module(f"{__name__}.{_name}")

__all__ = ["main"]
