"""CSV that a spreadsheet opens as data, never as formulas (CSV/formula injection).

A list file or a customer record may carry a name such as ``=HYPERLINK("http://x",
"click")`` or ``@SUM(1+1)*cmd|' /C calc'!A0``. Written to a CSV cell as is, Excel,
LibreOffice or Google Sheets evaluate it when an analyst opens the export. The
OWASP rule applies to every CSV this project writes: a text cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with ``'`` so
the spreadsheet shows it as text. Numbers (``int``/``float`` values, e.g. scores)
are written as they are.

Use :func:`csv_writer` / :class:`SafeDictWriter` in place of ``csv.writer`` /
``csv.DictWriter``: header names are ours and are written unchanged.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import IO, Any

__all__ = ["FORMULA_PREFIXES", "safe_cell", "SafeWriter", "SafeDictWriter", "csv_writer"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose cells go through :func:`safe_cell`."""

    def __init__(self, out: IO[str], **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writeheader(self, names: Iterable[str]) -> None:
        """Write our own column names unchanged."""
        self._writer.writerow(list(names))

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter(csv.DictWriter):  # type: ignore[type-arg]
    """``csv.DictWriter`` whose values go through :func:`safe_cell` (header unchanged)."""

    def writeheader(self) -> Any:
        return self.writer.writerow(list(self.fieldnames))

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({k: safe_cell(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for row in rowdicts:
            self.writerow(row)


def csv_writer(out: IO[str], **kwargs: Any) -> SafeWriter:
    """A formula-safe replacement for ``csv.writer(out, **kwargs)``."""
    return SafeWriter(out, **kwargs)
