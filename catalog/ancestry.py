"""Generation numbers, ancestor sets and merge bases of commits, cached per process.

A merge base search must not cost a walk of the whole history: a fleet of
agents branches from one commit of main and merges back one after another, so
main's history grows by a commit per merge. Commits carry a generation number
(1 + the largest of their parents'; older commits get it computed once), so a
walk ordered by generation can stop as soon as nothing left to visit can be the
answer. The ancestors of a target head are kept, extended downwards only as far
as a query needs and carried forward when the target moves to a descendant, so
the next merge into it pays only for the commits added since.
"""

from __future__ import annotations

import heapq
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

from .objects import Commit

CACHED_HEADS = 16
CACHED_BASES = 4096


@dataclass
class _Reach:
    """Every ancestor of ``head`` (itself included) whose generation is at least ``floor``.

    ``frontier`` holds (-generation, id) of commits below the floor whose child is a member:
    where the walk resumes when a query needs older ancestors.
    """

    head: str
    floor: int
    members: set[str] = field(default_factory=set)
    frontier: list[tuple[int, str]] = field(default_factory=list)


class Ancestry:
    """Answers "which generation", "is an ancestor" and "merge base" from few commit loads."""

    def __init__(self, load: Callable[[str], Commit]) -> None:
        self._load = load
        self._info: dict[str, tuple[int, tuple[str, ...]]] = {}  # id -> (generation, parents)
        self._reaches: OrderedDict[str, _Reach] = OrderedDict()
        self._bases: OrderedDict[tuple[str, str], str | None] = OrderedDict()  # (source, target) -> merge base
        self._lock = threading.RLock()

    def note(self, commit_id: str, commit: Commit) -> None:
        """Record a commit this process has in hand (one it just wrote), sparing a load."""
        with self._lock:
            self._learn(commit_id, commit)

    def _learn(self, commit_id: str, commit: Commit) -> None:
        """What a commit says of itself, and a merge of its source's commits."""
        if commit.generation is not None:
            self._info[commit_id] = (commit.generation, commit.parents)
        for carried_id, generation, parents in commit.ancestry:
            self._info.setdefault(carried_id, (generation, parents))

    def generation(self, commit_id: str) -> int:
        """The commit's generation: stored in it, or computed from its parents' (format 1)."""
        with self._lock:
            info = self._info.get(commit_id)
            if info is not None:
                return info[0]
            stack = [commit_id]
            while stack:  # depth first, without recursion: a format-1 history may be long
                current = stack[-1]
                if current in self._info:
                    stack.pop()
                    continue
                commit = self._load(current)
                self._learn(current, commit)
                if commit.generation is not None:
                    stack.pop()
                    continue
                missing = [p for p in commit.parents if p not in self._info]
                if missing:
                    stack.extend(missing)
                    continue
                self._info[current] = (1 + max((self._info[p][0] for p in commit.parents), default=0), commit.parents)
                stack.pop()
            return self._info[commit_id][0]

    def since(self, base: str | None, head: str, limit: int) -> tuple[tuple[str, int, tuple[str, ...]], ...]:
        """(id, generation, parents) of up to ``limit`` commits reachable from ``head`` and above
        ``base``'s generation, highest first: what a merge of ``head`` records for its readers."""
        with self._lock:
            floor = self.generation(base) if base is not None else 0
            heap, seen, out = [self._entry(head)], set(), []
            while heap and len(out) < limit:
                negative, commit_id = heapq.heappop(heap)
                if commit_id in seen or -negative <= floor:
                    continue
                seen.add(commit_id)
                parents = self._parents(commit_id)
                out.append((commit_id, -negative, parents))
                for parent in parents:
                    heapq.heappush(heap, self._entry(parent))
            return tuple(out)

    def _parents(self, commit_id: str) -> tuple[str, ...]:
        self.generation(commit_id)
        return self._info[commit_id][1]

    def _entry(self, commit_id: str) -> tuple[int, str]:
        return -self.generation(commit_id), commit_id

    # ancestor sets -----------------------------------------------------------
    def _reach(self, head: str) -> _Reach:
        """The cached ancestor set of ``head``: found, carried forward from an ancestor head, or new."""
        reach = self._reaches.get(head)
        if reach is not None:
            self._reaches.move_to_end(head)
            return reach
        for old_head, older in reversed(list(self._reaches.items())[-2:]):
            if self._advance(older, head):
                del self._reaches[old_head]
                reach = older
                break
        else:
            reach = _Reach(head, self.generation(head), {head}, [self._entry(p) for p in self._parents(head)])
            heapq.heapify(reach.frontier)
        self._reaches[head] = reach
        while len(self._reaches) > CACHED_HEADS:
            self._reaches.popitem(last=False)
        return reach

    def _advance(self, reach: _Reach, head: str) -> bool:
        """Make ``reach`` describe ``head`` if its head is an ancestor of it, visiting only the commits
        between the two (and stopping at its floor); False, and ``reach`` untouched, otherwise."""
        visited: set[str] = set()
        below: list[tuple[int, str]] = []
        found = False
        heap = [self._entry(head)]
        while heap:
            entry = heapq.heappop(heap)
            commit_id = entry[1]
            if commit_id in visited:
                continue
            if commit_id in reach.members:  # it and all it reaches down to the floor are known
                found |= commit_id == reach.head
                continue
            if -entry[0] < reach.floor:
                below.append(entry)
                continue
            visited.add(commit_id)
            for parent in self._parents(commit_id):
                heapq.heappush(heap, self._entry(parent))
        if not found:
            return False
        reach.head = head
        reach.members |= visited
        for entry in below:
            heapq.heappush(reach.frontier, entry)
        return True

    def _contains(self, reach: _Reach, commit_id: str) -> bool:
        generation = self.generation(commit_id)
        while reach.frontier and -reach.frontier[0][0] >= generation:
            _, current = heapq.heappop(reach.frontier)
            if current not in reach.members:
                reach.members.add(current)
                for parent in self._parents(current):
                    heapq.heappush(reach.frontier, self._entry(parent))
        reach.floor = min(reach.floor, generation)
        return commit_id in reach.members

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """Whether ``ancestor`` is reachable from ``descendant`` (a commit is its own ancestor)."""
        with self._lock:
            return self._contains(self._reach(descendant), ancestor)

    def merge_base(self, source: str, target: str) -> str | None:
        """A best common ancestor: of all commits reachable from both, the one of highest generation
        (ties broken by id), so no other common ancestor descends from it.

        A branch's background compaction asks after every commit on it, so answers are kept: a
        commit with one parent that the target does not reach has its parent's merge base (their
        common ancestors are the same), and a branch's new head is answered from its previous one
        instead of walking all the branch's commits again.
        """
        with self._lock:
            reach = self._reach(target)
            chain, current = [], source
            while True:
                if (current, target) in self._bases:
                    self._bases.move_to_end((current, target))
                    base = self._bases[(current, target)]
                    break
                if self._contains(reach, current):
                    base = current
                    break
                parents = self._parents(current)
                chain.append(current)
                if len(parents) != 1:
                    base = self._search(current, reach)
                    break
                current = parents[0]
            for commit_id in chain:
                self._bases[(commit_id, target)] = base
            while len(self._bases) > CACHED_BASES:
                self._bases.popitem(last=False)
            return base

    def _search(self, source: str, reach: _Reach) -> str | None:
        """Walk down from ``source`` by generation, so every commit with a higher generation than the
        answer is seen first; each is tested against the target's cached ancestor set."""
        heap, seen = [self._entry(source)], set()
        while heap:
            _, commit_id = heapq.heappop(heap)
            if commit_id in seen:
                continue
            seen.add(commit_id)
            if self._contains(reach, commit_id):
                return commit_id
            for parent in self._parents(commit_id):
                heapq.heappush(heap, self._entry(parent))
        return None


__all__ = ["Ancestry"]
