"""The documents every framework test stores, and what "the same answer" means when comparing
agentlake with PostgreSQL: ids and their order equal, distances (or scores) equal to 1e-4."""

from __future__ import annotations

from typing import Any

DOCUMENTS = [
    ("there are cats in the pond", "pond", "animals"),
    ("ducks are also found in the pond", "pond", "animals"),
    ("fresh apples are available at the market", "market", "food"),
    ("the market also sells fresh oranges", "market", "food"),
    ("the new art exhibit is fascinating", "museum", "art"),
    ("a sculpture exhibit is also at the museum", "museum", "art"),
    ("a new coffee shop opened on Main Street", "Main Street", "food"),
    ("the book club meets at the library", "library", "reading"),
    ("the library hosts a weekly story time for kids", "library", "reading"),
    ("a cooking class for beginners is offered at the community center", "community center", "classes"),
]
"""(text, location, topic): LangChain's PGVector quickstart documents."""


def assert_same_hits(ours: list[tuple[Any, float]], theirs: list[tuple[Any, float]]) -> None:
    assert [hit for hit, _ in ours] == [hit for hit, _ in theirs]
    for (hit, mine), (_, reference) in zip(ours, theirs):
        assert abs(mine - reference) <= 1e-4, (hit, mine, reference)


def assert_same_steps(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    """Every step's answer equal; a list of (id, distance) pairs compared by ``assert_same_hits``."""
    assert list(ours) == list(theirs)
    for step, answer in ours.items():
        reference = theirs[step]
        if (
            isinstance(answer, list)
            and answer
            and isinstance(answer[0], tuple)
            and len(answer[0]) == 2
            and isinstance(answer[0][1], float)
        ):
            assert_same_hits(answer, reference)
        else:
            assert answer == reference, step
