"""Sample customers for `sanctions demo`: news names of January 2022 and look-alikes.

The look-alike spellings are of names in the project's shipped sample lists
(``sanctions/data/samples``) and of well-known listed people, written the way a
customer file might hold them: transliterated differently, reordered, misspelt.
"""

from __future__ import annotations

from typing import Any

__all__ = ["demo_customers"]

_CUSTOMERS: list[tuple[str, str, str | None, str | None]] = [
    # (id, name, birth date, nationality) - people in the news in January 2022
    ("cust-blinken", "Antony Blinken", "1962-04-16", "us"),
    ("cust-joly", "Mélanie Joly", "1979-01-16", "ca"),
    ("cust-sherman", "Wendy Sherman", "1949-06-07", "us"),
    ("cust-ryabkov", "Sergei Ryabkov", "1960-07-08", "ru"),
    ("cust-anand", "Anita Anand", "1967-05-20", "ca"),
    # look-alike spellings of listed names
    ("cust-putin", "Wladimir Putin", "1952-10-07", "ru"),
    ("cust-putin-cyr", "Путин Владимир Владимирович", None, None),
    ("cust-lavrov", "LAVROV, Sergey Viktorovich", "1950-03-21", None),
    ("cust-kim", "Kim Jong-Un", None, "kp"),
    ("cust-maduro", "MADURO MOROS, Nicolás", None, "ve"),
    ("cust-haqqani", "Ezatulah Hakkani", None, "af"),
    ("cust-acme", "Acme Trading LLC", None, None),
]


def demo_customers() -> list[dict[str, Any]]:
    """Sample customer queries (FtM-shaped dicts, ``Person`` unless a company)."""
    out = []
    for cid, name, birth, nationality in _CUSTOMERS:
        schema = "Company" if name.endswith("LLC") else "Person"
        props: dict[str, list[str]] = {"name": [name]}
        if birth:
            props["birthDate"] = [birth]
        if nationality:
            props["nationality"] = [nationality]
        out.append({"id": cid, "schema": schema, "properties": props})
    return out
