"""Manifests are content-addressed by the canonical JSON of their content: the encoding assembled
from cached per-file text must be that JSON byte for byte, or equal versions would get different
ids (and ``_same`` checks, merges and object dedup would see changes that are not there)."""

from __future__ import annotations

import json

import numpy as np
from catalog_helpers import items, repo_with_items

from catalog import Repository
from catalog.objects import Manifest, content_id
from catalog.storage.base import dumps


def stored_manifests(repo: Repository, ref: str = "main") -> list[tuple[str, bytes]]:
    commit = repo.commit(repo.resolve(ref))
    return [repo.manifest(manifest_id).encoded for manifest_id in commit.tables.values()]


def test_written_manifests_are_their_canonical_json(repo_url):
    repo = repo_with_items(repo_url, n=5)
    for batch in range(3):  # several files, then deletion vectors on them
        tx = repo.begin("main")
        tx.append("items", items(range(10 + batch * 3, 13 + batch * 3), name="é"))
        tx.commit("more")
    tx = repo.begin("main")
    tx.delete_rowids("items", np.array([1, 11], dtype=np.int64))
    tx.alter_table("items", properties={"files": [], "note": "ü"})
    tx.commit("delete")
    reopened = Repository.open(repo_url)
    for manifest_id, payload in stored_manifests(reopened):
        decoded = Manifest.from_json(json.loads(payload))
        assert decoded.encoded[1] == dumps(decoded.to_json()) == payload
        assert content_id(payload) == manifest_id


def test_a_stored_manifest_keeps_each_entrys_text_for_the_next_version(repo_url):
    """Decoded from storage, a manifest's file entries keep their stored text; a version derived
    from it (one more file, a deletion) encodes to the canonical JSON all the same."""
    repo = repo_with_items(repo_url, n=5)
    for batch in range(3):
        tx = repo.begin("main")
        tx.append("items", items(range(10 + batch * 3, 13 + batch * 3), name="é"))
        tx.commit("more")
    reopened = Repository.open(repo_url)
    for _manifest_id, payload in stored_manifests(reopened):
        decoded = Manifest.decode(payload)
        assert decoded.to_json() == json.loads(payload)
        assert [f.json_text for f in decoded.files] == [dumps(f.to_json()).decode() for f in decoded.files]
    tx = reopened.begin("main")
    tx.append("items", items([99]))
    tx.delete_rowids("items", np.array([2], dtype=np.int64))
    tx.commit("derived")
    for manifest_id, payload in stored_manifests(Repository.open(repo_url)):
        assert payload == dumps(Manifest.from_json(json.loads(payload)).to_json())
        assert content_id(payload) == manifest_id


def test_a_manifest_laid_out_otherwise_still_decodes(repo_url):
    repo = repo_with_items(repo_url, n=5)
    _manifest_id, payload = stored_manifests(repo)[0]
    pretty = json.dumps(json.loads(payload), indent=2).encode()
    assert Manifest.decode(pretty).to_json() == Manifest.decode(payload).to_json() == json.loads(payload)


def test_an_unchanged_table_keeps_its_manifest_id(repo_url):
    repo = repo_with_items(repo_url, n=5)
    before = stored_manifests(repo)
    tx = repo.begin("main")
    tx.create_table("other", items([]).schema)
    tx.commit("another table")
    after = dict(zip(repo.commit(repo.resolve("main")).tables, stored_manifests(repo)))
    assert after["items"] == before[0]
