"""Deterministic customer files for the scenario test and the rescreen benchmark.

Customers are (a) synthetic people from ``eval/negatives_synthetic_us.csv``
(none of them is sanctioned), optionally doubled with recombined names, and
(b) records built from real SDN entries added between 2022-02-17 and
2022-04-08, with spelling variations, which must be alerted once listed.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path
from typing import Any

SDN_DATES = ("2022-02-17", "2022-02-24", "2022-02-25", "2022-02-28", "2022-04-08")
COLUMNS = ["id", "schema", "name", "birth_date", "nationality", "gender", "source_entity"]
SCHEMAS = {"Person": "Person", "Organization": "Organization", "Company": "Company"}


def sdn_paths(shared: Path) -> list[Path]:
    return [shared / "us" / "ofac-sdn" / day / "sdn.csv" for day in SDN_DATES]


@lru_cache(maxsize=8)
def parse_list(path: Path) -> dict[str, Any]:
    """Entities of a list file, by id (parsed directly, no store)."""
    from sanctions.sources import detect_format

    fmt = detect_format(path)
    return {e.id: e for e in fmt.parse(path, dataset=fmt.dataset_for(path))}


def vary_name(name: str, variant: int) -> str:
    """A deterministic spelling variation of a name (0: unchanged)."""
    tokens = name.replace(",", " ").split()
    if not tokens or variant == 0:
        return name
    longest = max(range(len(tokens)), key=lambda i: len(tokens[i]))
    word = tokens[longest]
    if variant == 1 and len(tokens) > 1:  # reorder: last token first
        tokens = tokens[-1:] + tokens[:-1]
    elif variant == 2 and len(word) >= 6:  # drop a letter
        tokens[longest] = word[: len(word) // 2] + word[len(word) // 2 + 1 :]
    elif variant == 3:  # a transliteration habit
        for old, new in (("V", "W"), ("v", "w"), ("KH", "H"), ("Kh", "H"), ("Y", "I"), ("y", "i")):
            if old in word:
                tokens[longest] = word.replace(old, new, 1)
                break
    elif variant == 4 and len(word) >= 5:  # swap two letters
        i = len(word) // 2
        tokens[longest] = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return " ".join(tokens)


def listed_records(shared: Path, count: int) -> list[dict[str, str]]:
    """``count`` records from SDN entries added between the first and the last date."""
    paths = sdn_paths(shared)
    before = parse_list(paths[0])
    after = parse_list(paths[-1])
    added = sorted(
        eid for eid, e in after.items() if eid not in before and e.schema in SCHEMAS and e.names
    )
    step = max(1, len(added) // count)
    rows = []
    for n, eid in enumerate(added[::step][:count]):
        entity = after[eid]
        person = entity.schema == "Person"
        country = entity.first("nationality") or entity.first("country") or ""
        rows.append(
            {
                "id": f"sdn-{entity.listing.authority_id}",
                "schema": SCHEMAS[entity.schema],
                "name": vary_name(entity.caption, n % 5),
                "birth_date": (entity.first("birthDate") or "") if person else "",
                "nationality": country,
                "gender": "",
                "source_entity": eid,
            }
        )
    return rows


def negative_records(shared: Path, count: int) -> list[dict[str, str]]:
    """``count`` synthetic people; beyond the file's 50,000, recombined names and dates."""
    with open(shared / "eval" / "negatives_synthetic_us.csv", encoding="utf-8") as fh:
        people = list(csv.DictReader(fh))
    rows = []
    for i in range(count):
        base = people[i % len(people)]
        name, dob = base["full_name"], base["date_of_birth"]
        if i >= len(people):  # another person: first name of one, surname of another
            other = people[(i * 7919 + 13) % len(people)]
            name = f"{base['first_name']} {other['last_name']}"
            dob = people[(i * 31 + 7) % len(people)]["date_of_birth"]
        rows.append(
            {
                "id": f"neg-{i}",
                "schema": "Person",
                "name": name,
                "birth_date": dob,
                "nationality": base["nationality"],
                "gender": base["gender"],
                "source_entity": "",
            }
        )
    return rows


def write_customers(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def column_map() -> Any:
    from sanctions.watch import ColumnMap

    return ColumnMap(
        {"name": "name", "birthDate": "birth_date", "nationality": "nationality"},
        id_column="id",
        schema_column="schema",
        schema="Person",
    )
