"""Kill a process of the running stack while chat flows, and check what docs/performance.md ("Faults") says:

* every event the gateway received is accounted for: answered, silent, moderated, dropped with a
  reason, or waiting deferred (``liveroom_deferred_questions``) — ``outcomes + deferred == events_in``;
* nothing is duplicated in chat: each question gets one answer (or is dropped as stale, counted);
* recovery is automatic: the supervisor restarts the process, the gateway notices, and questions asked
  afterwards are answered normally again;
* each fault leaves a clear line in ``var/log/`` (the supervisor's and the gateway's logs).

All three tests share the session's stack (``tests/conftest.py``); each leaves it healthy.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import pytest

from tests.conftest import Stack, record_figure
from tests.faults.common import (
    ChatFlow,
    LogCursor,
    Samples,
    delta,
    kill_group,
    scrape,
    total,
    wait_for,
    wait_settled,
)

pytestmark = pytest.mark.e2e

RESTART_TIMEOUT_S = 300  # Rasa loads its model in ~20-90 s on a busy 2-core machine


@dataclass
class FaultRun:
    flow: ChatFlow
    before: Samples
    after: Samples
    logs: LogCursor
    old_pid: int
    new_pid: int
    outage_s: float
    back: float  # time.monotonic() when the gateway (or supervisor) logged the recovery

    def delta(self, name: str, **labels: str) -> float:
        return delta(self.after, self.before, name, **labels)


async def run_fault(stack: Stack, name: str, room: str, back_line: str) -> FaultRun:
    """Chat for a few seconds, SIGKILL ``name``'s process group, keep chatting until ``back_line``
    appears in the gateway's or the supervisor's log and a while after, then wait until every event is
    accounted for."""
    logs = LogCursor(stack.var_dir / "log")
    pid_file = stack.var_dir / "run" / f"{name}.pid"
    before = await scrape(stack.gateway_url)

    def recovered() -> bool:
        return back_line in logs.new_text("gateway.log") or back_line in logs.new_text("supervisor.log")

    async with ChatFlow(stack.ws_url, room) as flow:
        await asyncio.sleep(3)
        old_pid = kill_group(pid_file)
        killed = time.monotonic()
        await wait_for(recovered, RESTART_TIMEOUT_S, f"{name} back")
        back = time.monotonic()
        await asyncio.sleep(8)  # normal chat after recovery
        flow.stop_sending()
        after = await wait_settled(stack.gateway_url, before, flow.sent)
        await asyncio.sleep(1.5)  # the last replies reach the socket
    return FaultRun(flow, before, after, logs, old_pid, int(pid_file.read_text()), back - killed, back)


def check_accounting(run: FaultRun) -> None:
    flow = run.flow
    received = run.delta("liveroom_events_in_total")
    assert received == flow.sent, "the gateway must receive every message once"
    finished = run.delta("liveroom_event_outcomes_total")
    assert finished + total(run.after, "liveroom_deferred_questions") == received
    assert total(run.after, "liveroom_deferred_questions") == 0, "deferred questions drain on recovery"
    assert run.delta("liveroom_events_dropped_total", reason="internal_error") == 0
    assert run.delta("liveroom_events_dropped_total", reason="unknown") == 0
    twice = flow.answered_twice()
    assert not twice, f"answered more than once: {twice}"
    answered = flow.answers()
    unanswered = [v for v in flow.questions if v not in answered]
    stale = run.delta("liveroom_events_dropped_total", reason="deferred_stale")
    assert len(unanswered) <= stale, (
        f"{len(unanswered)} questions unanswered ({unanswered[:5]}), {stale:.0f} stale"
    )
    late = flow.asked_after(run.back + 2)
    assert late and all(v in answered for v in late), "questions after recovery are answered"


def check_restarted(run: FaultRun, process: str) -> str:
    """Every event accounted for, a new process, and the supervisor's line for the fault; returns the
    supervisor's log written during the run."""
    check_accounting(run)
    assert run.new_pid != run.old_pid
    supervisor = run.logs.new_text("supervisor.log")
    assert f"liveroom: {process} exited with code -9; restarting it" in supervisor
    return supervisor


def summary(name: str, run: FaultRun) -> str:
    flow = run.flow
    return (
        f"fault: {name} killed -> back after {run.outage_s:.0f}s; {flow.sent} messages, "
        f"{len(flow.questions)} questions, {len(flow.answers())} answered once, "
        f"{run.delta('liveroom_deferred_total'):.0f} deferred, 0 lost, 0 duplicated"
    )


async def test_rasa_killed_mid_chat(stack: Stack) -> None:
    run = await run_fault(stack, "rasa", "fault-rasa", "rasa is back")
    check_restarted(run, "rasa")
    assert "rasa is down" in run.logs.new_text("gateway.log")
    assert run.delta("liveroom_deferred_total") >= 1
    assert run.delta("liveroom_answers_total", path="rasa") >= 1
    assert run.delta("liveroom_answers_total", path="qa") >= 1
    record_figure(summary("Rasa", run))


async def test_action_server_killed_mid_chat(stack: Stack) -> None:
    run = await run_fault(stack, "actions", "fault-actions", "actions is back")
    check_restarted(run, "actions")
    assert "actions is down" in run.logs.new_text("gateway.log")
    record_figure(summary("action server", run))


async def test_graph_db_killed_mid_chat(stack: Stack) -> None:
    run = await run_fault(stack, "falkordb", "fault-graph", "FalkorDB ready in")
    supervisor = check_restarted(run, "FalkorDB")
    assert "(restarted, data kept)" in supervisor
    # after the restart the gateway's store reconnects: price questions get prices from the graph again
    flow = run.flow
    answers = flow.answers()
    lipstick = "how much is the matte lipstick?"
    late_prices = [v for v in flow.asked_after(run.back + 2) if flow.questions[v][1] == lipstick]
    assert late_prices and all("¥" in answers[v][0][1] for v in late_prices)
    record_figure(summary("FalkorDB", run))
