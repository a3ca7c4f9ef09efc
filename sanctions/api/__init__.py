"""The HTTP API: yente-compatible screening routes with API keys and live index swaps.

    from sanctions.api import ApiSettings, create_app
    app = create_app(ApiSettings(db="lists.db"))

Modules: :mod:`.app` (factory, errors, body limit), :mod:`.auth` (keys, roles,
rate limit), :mod:`.keys` and :mod:`.tables` (stored keys), :mod:`.holder` (the
served index and its swap), :mod:`.routes` (match; search and entities; system).
"""

from __future__ import annotations

from .app import create_app, create_app_from_env
from .holder import IndexHolder, Snapshot
from .keys import ROLES, ApiKey, KeyStore
from .settings import ApiSettings

__all__ = [
    "ApiSettings",
    "ApiKey",
    "IndexHolder",
    "KeyStore",
    "ROLES",
    "Snapshot",
    "create_app",
    "create_app_from_env",
]
