"""Parsers of the official list formats, one module per format.

Each format module defines:

* ``FORMAT``: the format's name (e.g. ``"un_xml"``);
* ``DEFAULT_DATASET``: the dataset id its files usually belong to;
* ``detect(head: bytes) -> bool``: recognise the format from the first bytes of
  the (decompressed) content, never from the file name;
* ``parse(path: Path, dataset: str | None = None) -> Iterator[Entity]``: stream
  the entities; raise :class:`~sanctions.errors.SourceError` subclasses naming
  the file and place on bad input;

and optionally:

* ``detect_dir(path: Path) -> bool``: recognise a folder holding a file set
  (OFAC's headerless sdn/add/alt/sdn_comments CSVs);
* ``dataset_for(path: Path) -> str``: the dataset id of a given file when one
  format serves several datasets;
* ``published(path: Path) -> str | None``: the publication date the file states.

:func:`detect_format` picks the module for a path; :func:`parse_path` parses it.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from sanctions.errors import FormatError, SanctionsError, UnknownFormatError
from sanctions.model import Entity

from .base import (
    ParseReport,
    check_xml_head,
    collect_report,
    decode_head,
    file_incomplete,
    keep_country_codes,
    not_understood,
    sniff,
)

log = logging.getLogger(__name__)

__all__ = [
    "discover_paths",
    "FORMAT_MODULES",
    "SourceFormat",
    "detect_format",
    "parse_path",
    "parse_with_report",
    "list_formats",
    "ParseReport",
    "collect_report",
    "file_incomplete",
    "not_understood",
]

# Order matters only where two detectors could both answer yes: more specific first.
FORMAT_MODULES = (
    "ofac_csv",
    "ofac_xml",
    "ofac_advanced",
    "ofac_enhanced",
    "un_xml",
    "eu_xml",
    "eu_csv",
    "uk_fcdo",
    "uk_ofsi",
    "ca_sema",
    "au_dfat",
    "ch_seco",
    "us_csl",
    "us_bis_dpl",
    "ftm",
)
# Modules that read XML only: never offered content that is not XML.
XML_ONLY = {"ofac_xml", "ofac_advanced", "ofac_enhanced", "un_xml", "eu_xml", "ch_seco"}


@dataclass(frozen=True)
class SourceFormat:
    """A format module, wrapped."""

    module: ModuleType

    @property
    def name(self) -> str:
        return str(self.module.FORMAT)

    def dataset_for(self, path: Path) -> str:
        fn = getattr(self.module, "dataset_for", None)
        return str(fn(path)) if fn else str(self.module.DEFAULT_DATASET)

    def published(self, path: Path) -> str | None:
        fn = getattr(self.module, "published", None)
        return fn(path) if fn else None

    def parse(self, path: Path, dataset: str | None = None) -> Iterator[Entity]:
        """The format's entities; a country value no parser could code goes to notes, counted."""
        for entity in self.module.parse(path, dataset=dataset):
            yield keep_country_codes(entity)


def _modules() -> list[ModuleType]:
    """Every format module; one that is missing fails loudly (a format never drops silently)."""
    return [importlib.import_module(f"{__name__}.{name}") for name in FORMAT_MODULES]


def list_formats() -> list[SourceFormat]:
    """Every available format."""
    return [SourceFormat(m) for m in _modules()]


def detect_format(path: str | Path) -> SourceFormat:
    """The format of a file or folder, from its content."""
    path = Path(path)
    if not path.exists():
        raise FormatError("no such file or folder", path)
    modules = _modules()
    if path.is_dir():
        for module in modules:
            detect_dir = getattr(module, "detect_dir", None)
            if detect_dir is not None and detect_dir(path):
                return SourceFormat(module)
        raise UnknownFormatError("folder holds no list file set this tool knows", path)
    head = sniff(path)
    if not head.strip():
        raise FormatError("file is empty", path)
    check_xml_head(path, head)
    is_xml = decode_head(head).lstrip().startswith("<")
    for module in modules:
        if not is_xml and module.__name__.rsplit(".", 1)[-1] in XML_ONLY:
            continue
        if module.detect(head):
            return SourceFormat(module)
    raise UnknownFormatError(
        "unknown format: the content matches none of the official list formats "
        f"({', '.join(m.FORMAT for m in modules)})",
        path,
    )


def parse_path(path: str | Path, dataset: str | None = None) -> Iterator[Entity]:
    """Detect the format of ``path`` and stream its entities."""
    path = Path(path)
    fmt = detect_format(path)
    return fmt.parse(path, dataset=dataset or fmt.dataset_for(path))


def parse_with_report(
    path: str | Path, dataset: str | None = None
) -> tuple[list[Entity], ParseReport]:
    """Parse ``path`` whole: its entities and what the parser could not place."""
    with collect_report() as report:
        entities = list(parse_path(path, dataset=dataset))
    return entities, report


def _is_set_dir(path: Path, modules: list[ModuleType]) -> ModuleType | None:
    for module in modules:
        detect_dir = getattr(module, "detect_dir", None)
        if detect_dir is not None and detect_dir(path):
            return module
    return None


def discover_paths(root: str | Path) -> list[Path]:
    """Every loadable list under a folder: file sets as folders, other list files one by one.

    Files no parser recognises (READMEs, evaluation CSVs) are skipped. Paths come
    in sorted order, so dated folders load oldest first.
    """
    root = Path(root)
    if not root.is_dir():
        return [root]
    modules = _modules()
    found: list[Path] = []
    set_module = _is_set_dir(root, modules)
    if set_module is not None:
        found.append(root)
    for child in sorted(root.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_dir():
            found.extend(discover_paths(child))
            continue
        try:
            fmt = detect_format(child)
        except SanctionsError as exc:
            log.info("skipping %s: %s", child, exc)
            continue
        if set_module is None or fmt.module is not set_module:
            found.append(child)
    return found
