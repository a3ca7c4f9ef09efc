"""Rendering a page, or its JSON twin, from one view dict.

Every page handler builds a plain dict of view data; :func:`page` renders it
with the page's Jinja2 template (autoescaped: every list-supplied string is
text, never markup) or, with ``?format=json``, returns the same dict as JSON.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from sanctions import __version__

from .security import ADMIN, ANALYSE, READ, SCREEN, Viewer

__all__ = ["page", "wants_json", "env", "query_url"]

NAV = (  # (section, label, link, roles that may open it)
    ("screen", "Screen", "/ui/screen", SCREEN),
    ("lists", "Lists", "/ui/lists", READ),
    ("alerts", "Alerts", "/ui/alerts", READ),
    ("audit", "Audit", "/ui/audit", ADMIN),
    ("coordination", "Coordination", "/ui/coordination/coverage", ANALYSE),
)

env = Environment(
    loader=PackageLoader("sanctions.web", "templates"),
    autoescape=select_autoescape(["html", "svg"], default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def query_url(path: str, params: dict[str, Any], **changes: Any) -> str:
    """``path`` with the query ``params`` (lists repeat), some changed or removed (None)."""
    merged = {**params, **changes}
    pairs = []
    for key, value in merged.items():
        if value is None or value == "" or value == []:
            continue
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, str(item)))
    return f"{path}?{urlencode(pairs)}" if pairs else path


def _day(value: Any) -> str:
    text = str(value or "")
    return text[:10] if len(text) >= 10 else text


env.filters["day"] = _day
env.globals["query_url"] = query_url
env.globals["version"] = __version__


def wants_json(request: Request) -> bool:
    return request.query_params.get("format") == "json"


def page(
    request: Request,
    template: str,
    data: dict[str, Any],
    viewer: Viewer | None,
    status: int = 200,
    section: str = "",
) -> Response:
    """The page (HTML) or, with ``?format=json``, its JSON twin: the same ``data``."""
    if wants_json(request):
        return JSONResponse(data, status)
    params = dict(request.query_params)
    json_url = query_url(request.url.path, {**params, "format": "json"})
    context = {
        **data,
        "viewer": viewer,
        "nav": NAV,
        "section": section,
        "json_url": json_url,
        "now": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    html = env.get_template(template).render(context)
    return HTMLResponse(html, status)
