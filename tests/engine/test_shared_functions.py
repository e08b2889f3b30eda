"""Functions shared by every session of a process answer as their own would.

engine/function_library.py makes the session-independent SQL functions once per process and
registers the same objects on each session's DataFusion context; the functions bound to a
session (set_config, advisory locks) or a repository (media, embed) are still made per session.
Many connections at once, and connections opened after others closed, must each get every
function family's answers, and a session's own functions must act on that session only.
"""

from __future__ import annotations

import datetime

import agentlake

FAMILIES = [
    ("SELECT embedding <-> '[3,4]' FROM docs WHERE id = 1", 5.0),  # vector
    ("SELECT extra->>'tag' FROM docs WHERE id = 1", "red"),  # json
    ("SELECT to_tsvector('english', 'running dogs') @@ to_tsquery('english', 'dog')", True),  # full text
    ("SELECT encode(decode('6869', 'hex'), 'escape')", "hi"),  # bytea
    ("SELECT format('%s-%s', 'a', to_char(timestamp '2024-03-01 10:00', 'YYYY-MM-DD'))", "a-2024-03-01"),  # formatting
    ("SELECT interval '1 hour' * 2.5", datetime.timedelta(hours=2, minutes=30)),  # interval arithmetic
    ("SELECT count(*) FROM docs WHERE id = (SELECT id FROM docs WHERE id > 1)", 1),  # scalar subquery check
]


def _answers(conn: agentlake.Connection) -> list:
    return [conn.execute(sql).fetchone()[0] for sql, _ in FAMILIES]


def _setup(repo_url: str) -> None:
    with agentlake.connect(repo_url) as db:
        db.execute("CREATE TABLE docs (id int PRIMARY KEY, embedding vector(2), extra jsonb)")
        db.execute("""INSERT INTO docs VALUES (1, '[0,0]', '{"tag": "red"}'), (2, '[1,1]', '{}')""")


def test_every_family_answers_on_many_sessions_open_at_once_and_after_others_closed(repo_url):
    _setup(repo_url)
    expected = [answer for _, answer in FAMILIES]
    first = [agentlake.connect(repo_url, branch=f"agent-{i}", create=True) for i in range(4)]
    for conn in first:
        assert _answers(conn) == expected
    for conn in first:
        conn.close()
    with agentlake.connect(repo_url) as later:
        assert _answers(later) == expected


def test_a_sessions_own_functions_act_on_that_session_only(repo_url):
    _setup(repo_url)
    with agentlake.connect(repo_url) as one, agentlake.connect(repo_url) as other:
        assert _answers(one) == _answers(other)  # both contexts made, sharing the stateless functions
        assert one.execute("SELECT set_config('agent.plan', 'explore', false)").fetchone()[0] == "explore"
        assert one.execute("SELECT current_setting('agent.plan')").fetchone()[0] == "explore"
        assert other.execute("SELECT current_setting('agent.plan', true)").fetchone()[0] is None
        assert one.execute("SELECT pg_try_advisory_lock(42)").fetchone()[0] is True
        assert other.execute("SELECT pg_try_advisory_lock(42)").fetchone()[0] is False
        one.execute("SELECT pg_advisory_unlock_all()")
        assert other.execute("SELECT pg_try_advisory_lock(42)").fetchone()[0] is True
