"""Bad input gets a clear error naming the file and place, and the store keeps its last good version."""

from __future__ import annotations

import resource
import zipfile
from pathlib import Path

import pytest

from sanctions.errors import (
    EncodingError,
    FormatError,
    SourceError,
    UnknownFormatError,
    UnsafeInputError,
)
from sanctions.store import Store

UN = "un_sc_sanctions"
UK = "gb_fcdo_sanctions"


@pytest.fixture()
def store(tmp_path: Path, fixtures: Path) -> Store:
    """A store holding one good UN version and one good UK version."""
    s = Store.open(tmp_path / "store.db")
    s.load(fixtures / "un" / "consolidated_small.xml", dataset=UN)
    s.load(Path(__file__).parents[1] / "sanctions" / "data" / "samples" / "uk_fcdo.csv", dataset=UK)
    yield s
    s.close()


def _assert_kept(store: Store, dataset: str) -> None:
    versions = store.versions(dataset)
    assert len(versions) == 1, "a failed load must not add a version"
    current = store.current_version(dataset)
    assert current is not None and current.id == versions[0].id
    assert len(list(store.iter_entities([dataset]))) == current.entity_count


def _fails(store: Store, path: Path, dataset: str, error: type[SourceError]) -> SourceError:
    with pytest.raises(error) as info:
        store.load(path, dataset=dataset)
    assert str(path) in str(info.value), f"error does not name the file: {info.value}"
    _assert_kept(store, dataset)
    return info.value


def test_truncated_xml_names_the_line(store: Store, fixtures: Path, tmp_path: Path) -> None:
    data = (fixtures / "un" / "consolidated_small.xml").read_bytes()
    bad = tmp_path / "truncated.xml"
    bad.write_bytes(data[: len(data) // 2])
    err = _fails(store, bad, UN, FormatError)
    assert err.line == data[: len(data) // 2].count(b"\n") + 1  # the line where the cut file ends


def test_xml_in_the_wrong_encoding(store: Store, fixtures: Path, tmp_path: Path) -> None:
    text = (fixtures / "un" / "consolidated_small.xml").read_text("utf-8")
    text = text.replace(
        "<FIRST_NAME>FICTIONAL</FIRST_NAME>", "<FIRST_NAME>FICTIONAL JOSÉ</FIRST_NAME>", 1
    )
    bad = tmp_path / "latin1.xml"
    bad.write_bytes(text.encode("latin-1", errors="replace"))  # declared UTF-8, written Latin-1
    err = _fails(store, bad, UN, FormatError)
    assert err.line == text[: text.index("JOSÉ")].count("\n") + 1  # the line of the bad byte


def test_csv_in_the_wrong_encoding_names_the_line(store: Store, tmp_path: Path) -> None:
    sample = Path(__file__).parents[1] / "sanctions" / "data" / "samples" / "uk_fcdo.csv"
    lines = sample.read_text("utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace("Fictional", "Fictionàl", 1)
    bad = tmp_path / "cp1252.csv"
    bad.write_bytes("".join(lines).encode("cp1252", errors="replace"))
    err = _fails(store, bad, UK, EncodingError)
    assert err.line == 4


def test_csv_with_a_missing_column_names_the_field(store: Store, fixtures: Path) -> None:
    err = _fails(store, fixtures / "uk" / "fcdo_missing_type.csv", UK, FormatError)
    assert err.field is not None or "column" in str(err)


def test_empty_file(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "empty.xml"
    bad.write_bytes(b"")
    err = _fails(store, bad, UN, FormatError)
    assert "empty" in str(err)


def test_unknown_format(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("Minutes of the meeting\nNothing to see here.\n")
    err = _fails(store, bad, UN, UnknownFormatError)
    assert "unknown format" in str(err)


def test_xml_entity_expansion_bomb_is_refused(store: Store, tmp_path: Path) -> None:
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY lol0 "lol">'
        + entities
        + ']>\n<CONSOLIDATED_LIST dateGenerated="2030-01-01"><INDIVIDUALS><INDIVIDUAL>'
        "<FIRST_NAME>&lol9;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>\n"
    )
    bad = tmp_path / "bomb.xml"
    bad.write_text(bomb)
    err = _fails(store, bad, UN, UnsafeInputError)
    assert "entit" in str(err)


def test_xml_external_entity_is_refused(store: Store, tmp_path: Path) -> None:
    xxe = (
        '<?xml version="1.0"?>\n<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        '<CONSOLIDATED_LIST dateGenerated="2030-01-01"><INDIVIDUALS><INDIVIDUAL>'
        "<FIRST_NAME>&xxe;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>\n"
    )
    bad = tmp_path / "xxe.xml"
    bad.write_text(xxe)
    _fails(store, bad, UN, UnsafeInputError)


def test_zip_with_path_traversal_is_refused(store: Store, fixtures: Path, tmp_path: Path) -> None:
    bad = tmp_path / "evil.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr(
            "../../etc/consolidated.xml", (fixtures / "un" / "consolidated_small.xml").read_bytes()
        )
    err = _fails(store, bad, UN, UnsafeInputError)
    assert "../../etc/consolidated.xml" in str(err)
    assert not (tmp_path.parent.parent / "etc" / "consolidated.xml").exists()


def test_file_over_the_size_limit_is_refused_without_reading(store: Store, tmp_path: Path) -> None:
    big = tmp_path / "huge.xml"
    with open(big, "wb") as fh:  # sparse: 3 GiB on paper, nothing on disk
        fh.write(b'<?xml version="1.0"?>\n<CONSOLIDATED_LIST>')
        fh.truncate(3 * 1024**3)
    err = _fails(store, big, UN, UnsafeInputError)
    assert "over the limit" in str(err)


def test_multi_gigabyte_file_is_streamed_not_read_whole(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANCTIONS_MAX_FILE_SIZE", str(8 * 1024**3))
    big = tmp_path / "huge.xml"
    header = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<CONSOLIDATED_LIST dateGenerated="2030-01-01">\n'
    )
    with open(big, "wb") as fh:
        fh.write(header + b"<INDIVIDUALS>\n" + b" " * 1024 + b"\n")
        fh.truncate(3 * 1024**3)  # then 3 GiB of NUL bytes
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    err = _fails(store, big, UN, FormatError)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 500, f"memory grew by {grown_mb:.0f} MB: the file was not streamed"
    assert err.line is not None
