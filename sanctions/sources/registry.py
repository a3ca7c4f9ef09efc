"""The one registry of datasets: who publishes each list, where, and in what format.

Every dataset has one or more files to fetch. Most are one file; OFAC's legacy
CSV lists are a *set* of four files that form one version together and are
fetched into one folder (``sdn.csv``, ``add.csv``, ``alt.csv``,
``sdn_comments.csv``), which the ``ofac_csv`` parser reads as a whole.

Where each file comes from, first match wins:

1. a mirror passed by the caller (``sanctions update --mirror DIR_OR_URL``);
2. ``SANCTIONS_URL_<DATASET>__<FILE>``: one file of a multi-file set, e.g.
   ``SANCTIONS_URL_US_OFAC_SDN__SDN_CSV`` (file name upper-cased, ``.`` → ``_``);
3. ``SANCTIONS_URL_<DATASET>``, e.g. ``SANCTIONS_URL_UN_SC_SANCTIONS``: the URL of
   the file for a one-file dataset; for a multi-file set, a *base* URL to which
   each file's official name is appended (``<base>/SDN.CSV``, ...);
4. ``SANCTIONS_MIRROR``: a mirror for every dataset;
5. the official URL below.

A value may be an ``http(s)://`` URL, a ``file://`` URL or a local path.

Mirror layout
-------------

A mirror, local folder or ``http(s)`` base URL, holds each dataset's files under
its dataset id, with the local file names of this registry::

    <mirror>/un_sc_sanctions/consolidated.xml
    <mirror>/us_ofac_sdn/sdn.csv
    <mirror>/us_ofac_sdn/add.csv
    <mirror>/us_ofac_sdn/alt.csv
    <mirror>/us_ofac_sdn/sdn_comments.csv
    <mirror>/us_ofac_cons/cons_prim.csv        (+ cons_add, cons_alt, cons_comments)
    <mirror>/eu_fsf/eu_fsf.xml
    <mirror>/gb_fcdo_sanctions/UK-Sanctions-List.xml
    <mirror>/gb_hmt_sanctions/ConList.csv
    <mirror>/ca_dfatd_sema_sanctions/sema-lmes.xml
    <mirror>/au_dfat_sanctions/regulation8_consolidated.xlsx
    <mirror>/ch_seco_sanctions/ch_seco.xml

:func:`mirror_layout` prints this list from the registry itself.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sanctions.errors import ConfigError
from sanctions.model import DATASETS

__all__ = [
    "RemoteFile",
    "DatasetSource",
    "REGISTRY",
    "get_source",
    "list_sources",
    "env_var",
    "resolve_files",
    "ResolvedFile",
    "is_remote",
    "local_path",
    "mirror_layout",
]

_OFAC = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports"


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset: its local name and its official URL."""

    name: str  # local file name (also its name in a mirror)
    url: str  # official URL

    @property
    def remote_name(self) -> str:
        """The last segment of the official URL path (appended to a base URL override)."""
        return urlsplit(self.url).path.rsplit("/", 1)[-1] or self.name


@dataclass(frozen=True)
class DatasetSource:
    """Where and how one dataset is published."""

    id: str
    title: str
    publisher: str
    jurisdiction: str  # "us", "un", "eu", "gb", "ca", "au", "ch"
    format: str  # the FORMAT name of the parser in sanctions.sources
    files: tuple[RemoteFile, ...]
    folder: str | None = None  # multi-file sets: the folder the files are fetched into
    notes: str = ""

    @property
    def is_set(self) -> bool:
        """True when the dataset is several files fetched into one folder."""
        return self.folder is not None

    @property
    def urls(self) -> tuple[str, ...]:
        return tuple(f.url for f in self.files)


def _one(
    dataset: str,
    publisher: str,
    jurisdiction: str,
    fmt: str,
    name: str,
    url: str,
    notes: str = "",
) -> DatasetSource:
    return DatasetSource(
        id=dataset,
        title=DATASETS[dataset],
        publisher=publisher,
        jurisdiction=jurisdiction,
        format=fmt,
        files=(RemoteFile(name, url),),
        notes=notes,
    )


_SOURCES = (
    DatasetSource(
        id="us_ofac_sdn",
        title=DATASETS["us_ofac_sdn"],
        publisher="US Department of the Treasury, Office of Foreign Assets Control (OFAC)",
        jurisdiction="us",
        format="ofac_csv",
        files=(
            RemoteFile("sdn.csv", f"{_OFAC}/SDN.CSV"),
            RemoteFile("add.csv", f"{_OFAC}/ADD.CSV"),
            RemoteFile("alt.csv", f"{_OFAC}/ALT.CSV"),
            RemoteFile("sdn_comments.csv", f"{_OFAC}/SDN_COMMENTS.CSV"),
        ),
        folder="sdn_csv",
        notes="legacy CSV set; the four files are one version",
    ),
    DatasetSource(
        id="us_ofac_cons",
        title=DATASETS["us_ofac_cons"],
        publisher="US Department of the Treasury, Office of Foreign Assets Control (OFAC)",
        jurisdiction="us",
        format="ofac_csv",
        files=(
            RemoteFile("cons_prim.csv", f"{_OFAC}/CONS_PRIM.CSV"),
            RemoteFile("cons_add.csv", f"{_OFAC}/CONS_ADD.CSV"),
            RemoteFile("cons_alt.csv", f"{_OFAC}/CONS_ALT.CSV"),
            RemoteFile("cons_comments.csv", f"{_OFAC}/CONS_COMMENTS.CSV"),
        ),
        folder="cons_csv",
        notes="legacy CSV set; the four files are one version",
    ),
    _one(
        "un_sc_sanctions",
        "United Nations Security Council",
        "un",
        "un_xml",
        "consolidated.xml",
        "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
    ),
    _one(
        "eu_fsf",
        "European Commission, DG FISMA (Financial Sanctions Files)",
        "eu",
        "eu_fsf_xml",
        "eu_fsf.xml",
        "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/"
        "content?token=dG9rZW4tMjAxNw",
        notes="XML v1.1; the token is the public one the EU publishes",
    ),
    _one(
        "gb_fcdo_sanctions",
        "UK Foreign, Commonwealth & Development Office (FCDO)",
        "gb",
        "uk_fcdo",
        "UK-Sanctions-List.xml",
        "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml",
    ),
    _one(
        "gb_hmt_sanctions",
        "UK HM Treasury, Office of Financial Sanctions Implementation (OFSI)",
        "gb",
        "uk_ofsi_csv",
        "ConList.csv",
        "https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv",
        notes="being retired in favour of the FCDO UK Sanctions List",
    ),
    _one(
        "ca_dfatd_sema_sanctions",
        "Global Affairs Canada",
        "ca",
        "ca_sema",
        "sema-lmes.xml",
        "https://www.international.gc.ca/world-monde/assets/office_docs/"
        "international_relations-relations_internationales/sanctions/sema-lmes.xml",
    ),
    _one(
        "au_dfat_sanctions",
        "Australia Department of Foreign Affairs and Trade (DFAT)",
        "au",
        "au_dfat_xlsx",
        "regulation8_consolidated.xlsx",
        "https://www.dfat.gov.au/sites/default/files/regulation8_consolidated.xlsx",
        notes="DFAT renames the file from time to time: override the URL when it moves",
    ),
    _one(
        "ch_seco_sanctions",
        "Swiss State Secretariat for Economic Affairs (SECO)",
        "ch",
        "ch_seco",
        "ch_seco.xml",
        "https://www.sesam.search.admin.ch/sesam-search-web/pages/downloadXmlGesamtliste.xhtml"
        "?lang=en&action=downloadXmlGesamtlisteAction",
    ),
)

REGISTRY: dict[str, DatasetSource] = {s.id: s for s in _SOURCES}


def list_sources() -> list[DatasetSource]:
    """Every downloadable dataset, in registry order."""
    return list(_SOURCES)


def get_source(dataset_id: str) -> DatasetSource:
    """The registry entry of a dataset; :class:`ConfigError` for an unknown id."""
    try:
        return REGISTRY[dataset_id]
    except KeyError:
        raise ConfigError(
            f"unknown dataset {dataset_id!r}: downloadable datasets are {', '.join(REGISTRY)}"
        ) from None


def env_var(dataset_id: str, file_name: str | None = None) -> str:
    """The environment variable overriding a dataset's URL (or one file of a set)."""
    name = f"SANCTIONS_URL_{dataset_id.upper()}"
    if file_name is not None:
        name += "__" + re.sub(r"[^A-Za-z0-9]", "_", file_name).upper()
    return name


@dataclass(frozen=True)
class ResolvedFile:
    """One file to fetch: its local name and where it comes from (URL or local path)."""

    name: str
    location: str
    origin: str  # "mirror", "env", "official": for messages and reports


def is_remote(location: str) -> bool:
    """True for ``http://`` and ``https://`` locations."""
    return location.lower().startswith(("http://", "https://"))


def local_path(location: str) -> Path:
    """The local path of a ``file://`` URL or a plain path."""
    if location.lower().startswith("file://"):
        return Path(unquote(urlsplit(location).path))
    return Path(location).expanduser()


def _join(base: str, *parts: str) -> str:
    if is_remote(base):
        return base.rstrip("/") + "/" + "/".join(parts)
    return str(local_path(base).joinpath(*parts))


def resolve_files(
    dataset_id: str,
    mirror: str | Path | None = None,
    env: Mapping[str, str] | None = None,
) -> list[ResolvedFile]:
    """Where to fetch each file of a dataset, applying mirror and env overrides."""
    source = get_source(dataset_id)
    env = os.environ if env is None else env
    if mirror is not None and str(mirror):
        return [
            ResolvedFile(f.name, _join(str(mirror), dataset_id, f.name), "mirror")
            for f in source.files
        ]
    dataset_value = env.get(env_var(dataset_id)) or None
    global_mirror = env.get("SANCTIONS_MIRROR") or None
    resolved = []
    for f in source.files:
        file_value = env.get(env_var(dataset_id, f.name)) if source.is_set else None
        if file_value:
            resolved.append(ResolvedFile(f.name, file_value, "env"))
        elif dataset_value and source.is_set:
            resolved.append(ResolvedFile(f.name, _join(dataset_value, f.remote_name), "env"))
        elif dataset_value:
            resolved.append(ResolvedFile(f.name, dataset_value, "env"))
        elif global_mirror:
            resolved.append(
                ResolvedFile(f.name, _join(global_mirror, dataset_id, f.name), "mirror")
            )
        else:
            resolved.append(ResolvedFile(f.name, f.url, "official"))
    return resolved


def mirror_layout() -> list[str]:
    """The relative paths a complete mirror holds (``<dataset_id>/<file name>``)."""
    return [f"{s.id}/{f.name}" for s in _SOURCES for f in s.files]
