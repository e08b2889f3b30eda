"""LISTEN and NOTIFY between embedded connections of one repository: Connection.notifications()
returns what arrived, with the sender's backend pid; handlers receive them as they commit."""

from __future__ import annotations

import agentlake


def test_embedded_connections_notify_each_other(repo_url):
    listener, sender = agentlake.connect(repo_url), agentlake.connect(repo_url)
    listener.execute("LISTEN memories")
    sender.execute("NOTIFY memories, 'remembered'")
    first = listener.notifications()
    sender.execute("BEGIN")
    sender.execute("SELECT pg_notify('memories', 'in a block')")
    assert listener.notifications() == []  # not before the commit
    sender.execute("COMMIT")
    received = first + listener.notifications()
    assert [(n.channel, n.payload) for n in received] == [("memories", "remembered"), ("memories", "in a block")]
    assert {n.pid for n in received} == {sender.execute("SELECT pg_backend_pid()").fetchone()[0]}
    assert listener.notifications() == []


def test_handlers_receive_notifications_and_closing_stops_them(repo_url):
    listener, sender = agentlake.connect(repo_url), agentlake.connect(repo_url)
    heard: list[str] = []
    listener.add_notification_handler(lambda n: heard.append(n.payload))
    listener.execute("LISTEN plans")
    sender.execute("NOTIFY plans, 'ready'")
    listener.close()
    sender.execute("NOTIFY plans, 'after close'")
    assert heard == ["ready"]
