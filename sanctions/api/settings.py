"""Settings of the HTTP API, from arguments or ``SANCTIONS_API_*`` environment variables.

``sanctions serve`` puts its options into the environment so that every uvicorn
worker process builds the same application (see :func:`ApiSettings.from_env`).

=================================== ========= ==================================================
variable                            default   meaning
=================================== ========= ==================================================
``SANCTIONS_DB``                    data dir  the store (SQLite path or postgresql:// URL)
``SANCTIONS_API_OPEN_LOCALHOST``    ``0``     ``1``: requests from 127.0.0.1/::1 need no key
``SANCTIONS_API_RATE_LIMIT``        ``20``    requests per second per key (0: no limit)
``SANCTIONS_API_RATE_BURST``        ``40``    requests a key may make at once
``SANCTIONS_API_RATE_STORE``        ``auto``  where the buckets are: ``store`` (shared by every
                                              server over the store), ``memory`` (this
                                              process), ``auto`` (store on PostgreSQL)
``SANCTIONS_API_MAX_BODY``          ``2097152`` largest request body in bytes (413 above)
``SANCTIONS_API_CORS_ORIGINS``      (none)    comma-separated origins allowed by CORS
``SANCTIONS_API_POLL_SECONDS``      ``2``     how often each worker checks for new list versions
``SANCTIONS_API_KEY_CACHE_SECONDS`` ``5``     how long a checked key is trusted (revocation delay)
``SANCTIONS_API_MAX_BATCH``         ``100``   most queries in one /match request
``SANCTIONS_API_TIME_BUDGET``       ``10``    seconds of screening one request may use (0: none)
``SANCTIONS_API_AUTH_FAILURES``     ``10``    failed authentications per minute per address
``SANCTIONS_API_MAX_REMOVALS``      ``0.1``   share of watched records an import may remove
                                              without ``confirm_removals``
``SANCTIONS_API_WARM_TAGGERS``      ``0``     ``1``: each worker builds rigour's name taggers
                                              (~10 s of CPU, GIL held) before it is ready,
                                              not at the first query with an unlisted word
``SANCTIONS_API_PAYMENT_POLICY``    (none)    the payment policy file of /screen/payment (and
                                              its good-guy list); default: the shipped one
``SANCTIONS_MIRROR``                (none)    where /updatez fetches the lists from
=================================== ========= ==================================================
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from sanctions.errors import ConfigError
from sanctions.watch import DEFAULT_MAX_REMOVAL_SHARE

from .limits import RATE_STORES

__all__ = ["ApiSettings"]


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r}: expected a number") from exc
    if value < 0:
        raise ConfigError(f"{name}={raw!r}: expected a number >= 0")
    return value


def _choice(name: str, choices: tuple[str, ...]) -> str:
    raw = os.environ.get(name, "").strip().lower() or choices[0]
    if raw not in choices:
        raise ConfigError(f"{name}={raw!r}: expected one of {', '.join(choices)}")
    return raw


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


@dataclass
class ApiSettings:
    """What the application needs to know; defaults are safe for production."""

    db: str | None = None
    open_localhost: bool = False
    rate_limit: float = 20.0
    rate_burst: float = 40.0
    rate_store: str = "auto"
    max_body_bytes: int = 2 * 1024 * 1024
    cors_origins: list[str] = field(default_factory=list)
    poll_seconds: float = 2.0
    key_cache_seconds: float = 5.0
    max_batch: int = 100
    mirror: str | None = None
    time_budget: float = 10.0
    auth_failures_per_minute: float = 10.0
    max_removal_share: float = DEFAULT_MAX_REMOVAL_SHARE
    warm_taggers: bool = False
    payment_policy: str | None = None

    @classmethod
    def from_env(cls) -> ApiSettings:
        origins = os.environ.get("SANCTIONS_API_CORS_ORIGINS", "")
        return cls(
            db=os.environ.get("SANCTIONS_DB") or None,
            open_localhost=_flag("SANCTIONS_API_OPEN_LOCALHOST"),
            rate_limit=_float("SANCTIONS_API_RATE_LIMIT", 20.0),
            rate_burst=_float("SANCTIONS_API_RATE_BURST", 40.0),
            rate_store=_choice("SANCTIONS_API_RATE_STORE", RATE_STORES),
            max_body_bytes=int(_float("SANCTIONS_API_MAX_BODY", 2 * 1024 * 1024)),
            cors_origins=[o.strip() for o in origins.split(",") if o.strip()],
            poll_seconds=_float("SANCTIONS_API_POLL_SECONDS", 2.0),
            key_cache_seconds=_float("SANCTIONS_API_KEY_CACHE_SECONDS", 5.0),
            max_batch=max(1, int(_float("SANCTIONS_API_MAX_BATCH", 100))),
            mirror=os.environ.get("SANCTIONS_MIRROR") or None,
            time_budget=_float("SANCTIONS_API_TIME_BUDGET", 10.0),
            auth_failures_per_minute=_float("SANCTIONS_API_AUTH_FAILURES", 10.0),
            max_removal_share=_float("SANCTIONS_API_MAX_REMOVALS", DEFAULT_MAX_REMOVAL_SHARE),
            warm_taggers=_flag("SANCTIONS_API_WARM_TAGGERS"),
            payment_policy=os.environ.get("SANCTIONS_API_PAYMENT_POLICY") or None,
        )

    def to_env(self) -> dict[str, str]:
        """The environment that makes :meth:`from_env` return these settings."""
        env = {
            "SANCTIONS_API_OPEN_LOCALHOST": "1" if self.open_localhost else "0",
            "SANCTIONS_API_RATE_LIMIT": str(self.rate_limit),
            "SANCTIONS_API_RATE_BURST": str(self.rate_burst),
            "SANCTIONS_API_RATE_STORE": self.rate_store,
            "SANCTIONS_API_MAX_BODY": str(self.max_body_bytes),
            "SANCTIONS_API_CORS_ORIGINS": ",".join(self.cors_origins),
            "SANCTIONS_API_POLL_SECONDS": str(self.poll_seconds),
            "SANCTIONS_API_KEY_CACHE_SECONDS": str(self.key_cache_seconds),
            "SANCTIONS_API_MAX_BATCH": str(self.max_batch),
            "SANCTIONS_API_TIME_BUDGET": str(self.time_budget),
            "SANCTIONS_API_AUTH_FAILURES": str(self.auth_failures_per_minute),
            "SANCTIONS_API_MAX_REMOVALS": str(self.max_removal_share),
            "SANCTIONS_API_WARM_TAGGERS": "1" if self.warm_taggers else "0",
        }
        if self.db:
            env["SANCTIONS_DB"] = self.db
        if self.mirror:
            env["SANCTIONS_MIRROR"] = self.mirror
        if self.payment_policy:
            env["SANCTIONS_API_PAYMENT_POLICY"] = self.payment_policy
        return env
