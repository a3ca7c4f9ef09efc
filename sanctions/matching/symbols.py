"""Person-name symbols of one token from rigour's own name data, without rigour's tagger.

:func:`person_name_symbols` answers what rigour's person-name tagger
(``analyze_names(NameTypeTag.PER, [token])``) says of a single token, keeping the
single-part spans of the ``NAME`` and ``NICK`` categories: ``william`` ->
``{[NAME:Q12344159], [NICK:BILL], ...}``. The tagger itself is an Aho-Corasick
automaton over rigour's whole person-name corpus (~680,000 forms) that rigour
builds once per process: 6.5-11 s of CPU holding the GIL, paid by a one-shot
``sanctions screen``, an incremental resolve that meets a new word and every test
process. For one token the automaton's answer is a dictionary lookup:

* rigour 2.6 builds the person tagger from two data files compiled into its
  Rust core as zstd frames: ``person_names.txt`` (lines ``form, form, ... =>
  Q123``; a line whose forms normalise to fewer than two distinct keys is skipped)
  and ``symbols.json`` (``person_name_parts`` -> ``NAME``, ``person_nick`` ->
  ``NICK``; ``person_symbols`` gives ``SYMBOL``, not kept). Both are read here
  from rigour's installed module, never copied into this repository;
* every form is normalised as the tagger normalises its needles and its
  haystack (``rigour.text.normalize`` with ``CASEFOLD | NAME``: casefold, then
  rigour's ``tokenize_name`` joined by spaces). A form that normalises to several
  words can only make a span of several parts, so only one-word keys are kept;
* a token is normalised the same way; each of its words (one, almost always)
  is looked up, and the symbols are united, as the tagger tags every matching part.

``tests/matching/test_symbols.py`` checks the table against the tagger on every
token of three real lists and on other scripts. Building the table takes ~2 s,
so it is kept as a signed cache file (:mod:`sanctions.cache`) in
the cache folder of :func:`sanctions.config.cache_dir`, named by rigour's version, its
compiled module's size and time and :data:`TABLE_FORMAT`; a missing, stale,
tampered or unreadable file is rebuilt. Loading it takes ~50 ms. When rigour's
data cannot be found in its module (a rigour that ships it otherwise), the answer
comes from rigour's tagger as before, with a warning: slower, never different. So
does a rigour release the table was not checked against (:data:`VERIFIED_RIGOUR`).
"""

from __future__ import annotations

import json
import logging
import threading
from array import array
from collections.abc import Iterable, Iterator
from importlib.metadata import version
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import zstandard
from rigour import _core as rigour_core  # its file (the data compiled in), ordinals_dict
from rigour.names import NameTypeTag, Symbol, analyze_names
from rigour.text.normalize import Normalize, normalize

from sanctions import config
from sanctions.cache import gc_paused, read_cache, write_cache

log = logging.getLogger(__name__)

__all__ = [
    "TABLE_FORMAT",
    "VERIFIED_RIGOUR",
    "PersonSymbolTable",
    "build_person_symbol_table",
    "load_person_symbol_table",
    "person_name_symbols",
    "read_or_build_table",
    "rigour_number_spellings",
    "rigour_verified",
    "tagger_person_symbols",
]

#: Bump when the way the table is built changes: older cache files are then rebuilt.
TABLE_FORMAT = 1

#: The normalisation rigour's taggers apply to their needles and to the text they tag.
TAGGER_FLAGS = Normalize.CASEFOLD | Normalize.NAME

PERSON_NAME_CATEGORIES = frozenset({Symbol.Category.NAME, Symbol.Category.NICK})

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_SYMBOL_KEYS = {"org_symbols", "org_domains", "person_symbols", "person_nick", "person_name_parts"}
#: rigour releases whose tagger this table was checked against (the slow test of
#: tests/matching/test_symbols.py). Another release may build its tagger differently:
#: it gets rigour's tagger, with a warning, until the test has been run and it is added.
#: tests/matching/test_query_speed.py must pass too before a release is added (the number
#: words of :func:`rigour_number_spellings` stand for rigour's tagger there).
VERIFIED_RIGOUR = ("2.6.",)

_MIN_CORPUS_LINES = 10_000  # rigour 2.6 has ~160,000: fewer means the data is not the corpus
_SEP = "\x1f"  # between the symbols of one key (symbol ids hold no control characters)


class PersonSymbolTable:
    """Sorted ``key<TAB>symbols`` lines in one bytes object, looked up by binary search.

    One object of ~17 MB instead of half a million strings and sets: quick to read
    from the cache, small in memory, shared untouched by forked workers.
    """

    def __init__(self, blob: bytes, starts: array[int]) -> None:
        self.blob = blob
        self.starts = starts

    @classmethod
    def from_mapping(cls, mapping: dict[str, set[str]]) -> PersonSymbolTable:
        """A table of these keys (normalised words, no tab or newline) and their symbols."""
        # Code point order is UTF-8 byte order: the bytes compared in :meth:`get`.
        text = "".join([f"{key}\t{_SEP.join(mapping[key])}\n" for key in sorted(mapping)])
        blob = text.encode("utf-8")
        ends = np.flatnonzero(np.frombuffer(blob, dtype=np.uint8) == ord("\n"))
        starts = array("q")
        if len(ends):
            starts.frombytes(np.concatenate(([0], ends[:-1] + 1)).astype(np.int64).tobytes())
        return cls(blob, starts)

    def __len__(self) -> int:
        return len(self.starts)

    def get(self, key: str) -> frozenset[str]:
        """The symbols of one normalised word (empty if rigour's corpus does not know it)."""
        wanted = key.encode("utf-8")
        blob, starts = self.blob, self.starts
        low, high = 0, len(starts)
        while low < high:
            mid = (low + high) // 2
            start = starts[mid]
            tab = blob.index(b"\t", start)
            found = blob[start:tab]
            if found < wanted:
                low = mid + 1
            elif found > wanted:
                high = mid
            else:
                end = blob.index(b"\n", tab)
                return frozenset(blob[tab + 1 : end].decode("utf-8").split(_SEP))
        return frozenset()

    def symbols_of(self, token: str) -> frozenset[str]:
        """The symbols of a token as written: normalised as rigour's tagger does, each word."""
        key = _normalised(token)
        if not key:
            return frozenset()
        if " " not in key:
            return self.get(key)
        found: set[str] = set()
        for word in key.split(" "):
            found |= self.get(word)
        return frozenset(found)

    def items(self) -> Iterator[tuple[str, frozenset[str]]]:
        """Every key and its symbols, in key order."""
        for line in self.blob.decode("utf-8").split("\n")[:-1]:
            key, value = line.split("\t", 1)
            yield key, frozenset(value.split(_SEP))


def tagger_person_symbols(token: str) -> frozenset[str]:
    """The reference answer, from rigour's person tagger (builds it: seconds, once)."""
    found = set()
    for name in analyze_names(
        NameTypeTag.PER, [token], consolidate=False, phonetics=False, rewrite=False
    ):
        for span in name.spans:
            if len(span.parts) == 1 and span.symbol.category in PERSON_NAME_CATEGORIES:
                found.add(str(span.symbol))
    return frozenset(found)


def _rigour_module() -> Path:
    return Path(rigour_core.__file__ or "")


def rigour_verified() -> bool:
    """Is the installed rigour a release this module's shortcuts were checked against
    (:data:`VERIFIED_RIGOUR`)?"""
    return version("rigour").startswith(VERIFIED_RIGOUR)


def rigour_number_spellings() -> list[str] | None:
    """Every spelling of a number rigour's tagger knows (``eighty``, ``ochenta``,
    ``lxxxv``...: its ``ordinals_dict``); None when its compiled module gives none."""
    ordinals = getattr(rigour_core, "ordinals_dict", None)
    if ordinals is None:
        return None
    return [spelling for spellings in ordinals().values() for spelling in spellings]


def _fingerprint() -> str:
    """rigour's version and its compiled module's size and time: what the table comes from."""
    info = _rigour_module().stat()
    return f"{version('rigour')}-{info.st_size}-{info.st_mtime_ns}"


def _frames(data: bytes) -> Iterator[bytes]:
    """Every zstd frame embedded in a binary, decompressed."""
    view = memoryview(data)
    decompressor = zstandard.ZstdDecompressor()
    at = data.find(_ZSTD_MAGIC)
    while at >= 0:
        try:
            yield decompressor.decompressobj().decompress(view[at:])
        except zstandard.ZstdError:
            pass  # the magic bytes by chance, not a frame
        at = data.find(_ZSTD_MAGIC, at + len(_ZSTD_MAGIC))


def _rigour_person_data() -> tuple[str, dict[str, dict[str, list[str]]]] | None:
    """rigour's person-name corpus and symbol tables, read from its compiled module."""
    corpus: str | None = None
    symbols: dict[str, Any] | None = None
    for frame in _frames(_rigour_module().read_bytes()):
        head = frame[:4096]
        if corpus is None and b" => " in head and not head.lstrip().startswith((b"{", b"[")):
            text = frame.decode("utf-8", errors="replace")
            first = text.split("\n", 1)[0]
            if first.rsplit(" => ", 1)[-1][:1] in ("Q", "X"):
                corpus = text
        elif symbols is None and head.lstrip().startswith(b"{") and b'"person_nick"' in frame:
            loaded = json.loads(frame)
            if isinstance(loaded, dict) and set(loaded) == _SYMBOL_KEYS:
                symbols = loaded
    if corpus is None or symbols is None or corpus.count("\n") < _MIN_CORPUS_LINES:
        return None
    return corpus, symbols


def _normalised(form: str) -> str | None:
    return normalize(form, TAGGER_FLAGS)


def _keys(forms: Iterable[str]) -> set[str]:
    """The distinct non-empty normalised forms."""
    keys = set(map(normalize, forms, repeat(TAGGER_FLAGS)))
    keys.discard(None)
    return keys  # type: ignore[return-value]


def _add(mapping: dict[str, set[str]], keys: Iterable[str], symbol: str) -> None:
    for key in keys:
        if " " not in key:  # a form of several words only makes spans of several parts
            mapping.setdefault(key, set()).add(symbol)


def build_person_symbol_table() -> PersonSymbolTable | None:
    """The table from rigour's data (~2 s); None when its module holds no such data."""
    data = _rigour_person_data()
    if data is None:
        return None
    corpus, symbols = data
    mapping: dict[str, set[str]] = {}
    with gc_paused():
        for group, category in (("person_name_parts", "NAME"), ("person_nick", "NICK")):
            for key, aliases in symbols[group].items():
                keys = _keys(aliases)
                _add(mapping, keys, f"[{category}:{key.upper()}]")
        for line in corpus.splitlines():
            forms, sep, group_id = line.strip().rpartition(" => ")
            if not sep:
                continue
            keys = _keys(forms.split(", "))
            if len(keys) >= 2:  # as rigour: one form mapped to itself adds nothing
                _add(mapping, keys, f"[NAME:{group_id}]")
        return PersonSymbolTable.from_mapping(mapping)


def _cache_file(folder: Path, fingerprint: str) -> Path:
    return folder / f"person-name-symbols-{fingerprint}-v{TABLE_FORMAT}.cache"


def _read_cached(path: Path, fingerprint: str) -> PersonSymbolTable | None:
    payload = read_cache(path, "person-name symbol table")
    if not isinstance(payload, dict):
        return None
    blob, starts = payload.get("blob"), payload.get("starts")
    same = payload.get("fingerprint") == fingerprint and payload.get("format") == TABLE_FORMAT
    if not same or not isinstance(blob, bytes) or not isinstance(starts, array) or not starts:
        log.warning("person-name symbol table %s is not for this rigour; rebuilding", path)
        return None
    return PersonSymbolTable(blob, starts)


def read_or_build_table(cache_dir: Path | None = None) -> PersonSymbolTable | None:
    """The table from its cache file, or built and cached; None: use rigour's tagger."""
    if not rigour_verified():
        log.warning(
            "rigour %s: the person-name symbol table is checked against rigour %s only; "
            "name symbols come from rigour's tagger (seconds of CPU to build in each process)",
            version("rigour"),
            ", ".join(f"{v}x" for v in VERIFIED_RIGOUR),
        )
        return None
    fingerprint = _fingerprint()
    path = _cache_file(cache_dir or config.cache_dir(), fingerprint)
    table = _read_cached(path, fingerprint)
    if table is not None:
        return table
    table = build_person_symbol_table()
    if table is None:
        log.warning(
            "rigour %s: its person-name data was not found in %s; name symbols come "
            "from rigour's tagger (seconds of CPU to build in each process)",
            version("rigour"),
            _rigour_module(),
        )
        return None
    payload = {
        "format": TABLE_FORMAT,
        "fingerprint": fingerprint,
        "blob": table.blob,
        "starts": table.starts,
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.warning("cannot create %s (%s): the symbol table is not cached", path.parent, exc)
        return table
    write_cache(path, payload, "person-name symbol table")
    return table


_LOCK = threading.Lock()
_LOADED: list[PersonSymbolTable | None] = []  # one entry once loaded (None: no table)


def load_person_symbol_table() -> PersonSymbolTable | None:
    """This process's table, read or built on first need (once, whichever thread asks)."""
    if not _LOADED:
        with _LOCK:
            if not _LOADED:
                _LOADED.append(read_or_build_table())
    return _LOADED[0]


def person_name_symbols(token: str) -> frozenset[str]:
    """``NAME`` and ``NICK`` symbols rigour's person tagger gives a token alone.

    Equal to ``analyze_names(NameTypeTag.PER, [token])``'s one-part spans of those
    categories, without building the tagger.
    """
    table = load_person_symbol_table()
    if table is None:
        return tagger_person_symbols(token)
    return table.symbols_of(token)
