"""agentlake.torch.dataloader streams: one pinned commit read a Parquet row group at a time, so what
it holds stays bounded and commits made while it runs change nothing it yields."""

from __future__ import annotations

import weakref

import pyarrow as pa
import pytest

import catalog.datafiles

torch = pytest.importorskip("torch")

from agentlake.torch import dataloader  # noqa: E402
from agentlake.torch.sources import RowGroups  # noqa: E402

GROUPS, PER_GROUP = 40, 25


@pytest.fixture
def notes(db, monkeypatch):
    """One data file of GROUPS row groups of PER_GROUP rows, each row with 4 KB of text (Parquet row
    groups are made small here so that a few thousand rows make many)."""
    monkeypatch.setattr(catalog.datafiles, "ROW_GROUP_ROWS", PER_GROUP)
    db.execute("CREATE TABLE notes (id int PRIMARY KEY, label int, body text)")
    rows = GROUPS * PER_GROUP
    db.execute(
        "INSERT INTO notes VALUES " + ", ".join(["(%s, %s, %s)"] * rows),
        [v for i in range(rows) for v in (i, i % 5, str(i % 10) * 4000)],
    )
    return db


def _ids(loader) -> list[int]:
    return [int(i) for batch in loader for i in batch["id"]]


def test_streams_row_groups_with_deletes_filters_ranks_and_workers(notes):
    notes.execute("DELETE FROM notes WHERE id % 7 = 0")
    sql = "SELECT id, label FROM notes WHERE label <> 4"
    expected = sorted(i for i in range(GROUPS * PER_GROUP) if i % 7 and i % 5 != 4)
    per_rank = []
    for rank in range(3):
        loader = dataloader(notes, sql, batch_size=16, shuffle=True, seed=5, num_workers=2, rank=rank, world_size=3)
        assert loader.dataset.streaming and len(loader.dataset) == len(expected) // 3
        per_rank.append(_ids(loader))
    seen = [i for ids in per_rank for i in ids]
    assert [len(ids) for ids in per_rank] == [len(expected) // 3] * 3
    assert len(seen) == len(set(seen)) and set(seen) <= set(expected)
    assert len(set(expected) - set(seen)) == len(expected) % 3  # as DistributedSampler's drop_last


def test_commits_while_iterating_change_nothing_yielded(notes):
    loader = dataloader(notes, "SELECT id, body FROM notes", batch_size=10, shuffle=True, seed=1)
    before = _ids(loader)
    pinned = loader.dataset.commit
    batches = iter(loader)
    seen = [int(i) for i in next(batches)["id"]]
    notes.execute("DELETE FROM notes WHERE id < 500")
    notes.execute("UPDATE notes SET body = 'changed', label = -1")
    notes.execute("INSERT INTO notes VALUES (5000, 0, 'new')")
    for batch in batches:
        seen += [int(i) for i in batch["id"]]
        assert all(len(body) == 4000 for body in batch["body"])
    assert seen == before and sorted(seen) == list(range(GROUPS * PER_GROUP))
    assert pinned == loader.dataset.commit != notes.log(limit=1).column(0)[0].as_py()
    assert _ids(loader) == before  # the next epoch too (same seed and epoch: same order)


def test_holds_one_row_group_at_a_time(notes, monkeypatch):
    """Every row group is read once per epoch and let go before the next: between batches no query
    answer over a row group is alive, and the Arrow memory held (this worker's rows taken from the
    current group, and the block of them being handed out) stays within three groups of a 40-group table."""
    answers = []
    read = RowGroups.rows
    monkeypatch.setattr(RowGroups, "rows", lambda self, unit: _tracked(answers, read(self, unit)))
    group_bytes = PER_GROUP * 4000
    loader = dataloader(notes, "SELECT id, body FROM notes WHERE label < 5", batch_size=5, shuffle=True)
    assert loader.dataset.streaming and len(loader.dataset.source.counts) == GROUPS
    baseline = pa.total_allocated_bytes()
    alive, held, count = [], [], 0
    for batch in loader:
        alive.append(sum(ref() is not None for ref in answers))
        held.append(pa.total_allocated_bytes() - baseline)
        count += len(batch["id"])
    assert count == GROUPS * PER_GROUP and len(answers) == GROUPS
    assert max(alive) == 0
    assert 0 < max(held) < 3 * group_bytes < GROUPS * group_bytes / 10


def _tracked(answers: list, table: pa.Table) -> pa.Table:
    answers.append(weakref.ref(table))
    return table


def test_a_query_over_all_rows_at_once_is_held_not_streamed(notes):
    loader = dataloader(notes, "SELECT id FROM notes ORDER BY id DESC LIMIT 30", batch_size=8)
    assert not loader.dataset.streaming
    assert _ids(loader) == list(range(GROUPS * PER_GROUP - 1, GROUPS * PER_GROUP - 31, -1))
