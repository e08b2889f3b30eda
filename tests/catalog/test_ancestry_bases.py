"""Merge bases answered from earlier answers equal a brute-force search of the commit graph.

``Ancestry.merge_base`` keeps what it found: a commit with one parent that the target does not
reach has its parent's merge base, so a branch's background compaction, which asks after every
commit, does not walk all the branch's commits each time. Random graphs of branches, merges and
criss-crosses, queried in random order and again as branches grow, must give exactly the best
common ancestor that a search of every ancestor gives (highest generation, then lowest id).
"""

from __future__ import annotations

import random

import pytest

from catalog.ancestry import Ancestry
from catalog.objects import Commit


class _Graph:
    def __init__(self) -> None:
        self.commits: dict[str, Commit] = {}

    def add(self, parents: tuple[str, ...]) -> str:
        commit_id = f"c{len(self.commits):04d}"
        generation = 1 + max((self.commits[p].generation for p in parents), default=0)
        self.commits[commit_id] = Commit(parents, {}, generation=generation)
        return commit_id

    def load(self, commit_id: str) -> Commit:
        return self.commits[commit_id]

    def ancestors(self, commit_id: str) -> set[str]:
        out, stack = set(), [commit_id]
        while stack:
            current = stack.pop()
            if current not in out:
                out.add(current)
                stack.extend(self.commits[current].parents)
        return out

    def best_common_ancestor(self, a: str, b: str) -> str | None:
        common = self.ancestors(a) & self.ancestors(b)
        return min(common, key=lambda c: (-self.commits[c].generation, c), default=None)


def _grow(graph: _Graph, rng: random.Random, heads: list[str], steps: int) -> None:
    for _ in range(steps):
        roll = rng.random()
        i = rng.randrange(len(heads))
        if roll < 0.1:
            heads.append(heads[i])  # a new branch from a head
        elif roll < 0.25 and len(heads) > 1:
            j = rng.choice([k for k in range(len(heads)) if k != i])
            heads[i] = graph.add((heads[i], heads[j]))  # a merge of another branch
        elif roll < 0.28:
            heads.append(graph.add(()))  # an unrelated root
        else:
            heads[i] = graph.add((heads[i],))


@pytest.mark.parametrize("seed", range(6))
def test_merge_bases_equal_a_search_of_every_ancestor_as_branches_grow(seed):
    rng = random.Random(seed)
    graph = _Graph()
    heads = [graph.add(())]
    ancestry = Ancestry(graph.load)
    for _ in range(8):
        _grow(graph, rng, heads, 40)
        everything = list(graph.commits)
        for _ in range(60):
            a = rng.choice(heads) if rng.random() < 0.6 else rng.choice(everything)
            b = rng.choice(heads) if rng.random() < 0.6 else rng.choice(everything)
            assert ancestry.merge_base(a, b) == graph.best_common_ancestor(a, b), (a, b)
