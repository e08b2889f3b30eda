"""A branch's journal is padded with zeros ahead of its records (FORMAT.md, *Refs*): commits overwrite
the padding instead of growing the file, every reader still sees each one, and a torn record left
where the records end (a power loss mid-append) is ignored by readers and replaced by the next commit.

Readers are separate ``Repository`` objects, each with its own journal views, as separate processes have.
"""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import pytest
from catalog_helpers import commit_items, repo_with_items, rows

from catalog import Repository
from catalog.storage.local import read_records


def _journal(url: str, branch: str = "main") -> Path:
    return Path(url, "refs", "heads", branch)


def test_commits_land_in_the_padding_and_every_reader_sees_each(tmp_path):
    url = str(tmp_path / "repo")
    writer = repo_with_items(url, n=1)
    reader = Repository.open(url, create=False)
    sizes = []
    for i in range(1, 13):
        commit_items(writer, "main", [i])
        sizes.append(_journal(url).stat().st_size)
        assert [r["id"] for r in rows(reader)] == list(range(i + 1))
    assert len(set(sizes)) <= len(sizes) // 3  # the padding doubles: most commits keep the file's size
    assert [r["id"] for r in rows(Repository.open(url, create=False))] == list(range(13))


def _torn_record() -> bytes:
    body = json.dumps({"ref": {"commit": "f" * 32, "created": 0, "expires": None, "meta": {}}}).encode()
    return (struct.pack("<II", len(body), zlib.crc32(body)) + body)[: len(body) // 2]


@pytest.mark.parametrize("tail", ["torn", "bad_crc"])
def test_a_torn_record_where_the_records_end_is_ignored_and_replaced_by_the_next_commit(tmp_path, tail):
    url = str(tmp_path / "repo")
    writer = repo_with_items(url, n=2)
    commit_items(writer, "main", [2])
    with open(_journal(url), "r+b") as fh:
        end = read_records(fh.fileno(), 0)[1]
        fh.seek(end)
        fh.write(_torn_record() if tail == "torn" else struct.pack("<II", 40, 1) + b"x" * 40)
    reader = Repository.open(url, create=False)
    assert [r["id"] for r in rows(reader)] == [0, 1, 2]
    commit_items(reader, "main", [3])
    with open(_journal(url), "rb") as fh:
        records, end, _last = read_records(fh.fileno(), 0)
        assert not fh.read()[end:].strip(b"\0")  # nothing of the torn record is left after the new one
    assert [r["id"] for r in rows(Repository.open(url, create=False))] == [0, 1, 2, 3]
    assert [r["id"] for r in rows(writer)] == [0, 1, 2, 3]


def test_writers_taking_turns_on_one_journal_each_see_the_other_s_commits(tmp_path):
    """Each writer keeps its descriptor of the journal and reads appends through it: the other's
    append into the padding changes no size, and may land within the mtime's tick."""
    url = str(tmp_path / "repo")
    first = repo_with_items(url, n=1)
    second = Repository.open(url, create=False)
    for i in range(1, 9):
        writer, reader = (first, second) if i % 2 else (second, first)
        commit_items(writer, "main", [i])
        assert [r["id"] for r in rows(reader)] == list(range(i + 1))
