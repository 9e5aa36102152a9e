"""Kitchen fan-out latency: an HTTP write answered → the ticket on each of 20 kitchen sockets.

Runs a real `kiosk-server` (uvicorn, PostgreSQL, Redis channel layer) on loopback, connects
20 kitchen screens to outlet `main`, then repeats one write at a time: a POST that changes a
ticket (bump, then recall, alternately). Each change is stored, sequenced, committed, nudged
through Redis, read back from PostgreSQL by every consumer and pushed to its socket, which is
the path a new order's tickets take. Latency is measured from the POST's answer (and from its
send) to the ticket message arriving on each socket. Beside it: a bare Redis PUBLISH →
subscriber round trip on the same machine, the floor of any Redis fan-out.

    .venv/bin/python bench/kitchen.py [--changes 200] [--screens 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx
import redis
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pos_desktop.kitchen.client import kitchen_socket_url
from shared.protocol import KitchenHelloV1
from tests.support.server_process import running_server

REDIS_URL = os.environ.get("KIOSK_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
TARGET_P99_MS = 100.0
DEMO_PASSWORD = "kiosk-demo"  # sync_server.demo_data.DEMO_PASSWORD (importing it needs Django)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary(name: str, samples_s: list[float]) -> str:
    ms = [s * 1000 for s in samples_s]
    return (
        f"{name:<44} n={len(ms):>5}  p50={percentile(ms, 0.50):7.2f} ms  "
        f"p99={percentile(ms, 0.99):7.2f} ms  max={max(ms):7.2f} ms  "
        f"mean={statistics.fmean(ms):6.2f} ms"
    )


async def kitchen_fanout(
    base_url: str, changes: int, screens: int
) -> tuple[list[float], list[float]]:
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        token = (
            await http.post(
                "/api/auth/token/", json={"username": "demo.kitchen", "password": DEMO_PASSWORD}
            )
        ).json()["access"]
        headers = {"Authorization": f"Bearer {token}"}
        outlets = (await http.get("/api/demo/outlets/", headers=headers)).json()["results"]
        outlet_id = next(o["id"] for o in outlets if o["code"] == "main")
        url = kitchen_socket_url(base_url, "demo", outlet_id, None)

        arrivals: dict[int, list[float]] = defaultdict(list)
        caught_up = asyncio.Semaphore(0)
        open_ticket: list[str] = []

        async def screen() -> None:
            async with connect(url, additional_headers=headers, proxy=None, max_queue=None) as ws:
                await ws.send(KitchenHelloV1(last_sequence=0).model_dump_json())
                async for raw in ws:
                    now = time.perf_counter()
                    message = json.loads(raw)
                    if message["type"] == "ticket":
                        arrivals[message["ticket"]["sequence"]].append(now)
                        if not open_ticket:
                            open_ticket.append(message["ticket"]["id"])
                    elif message["type"] == "caught_up":
                        caught_up.release()

        tasks = [asyncio.create_task(screen()) for _ in range(screens)]
        for _ in range(screens):
            await asyncio.wait_for(caught_up.acquire(), 30)
        if not open_ticket:
            raise SystemExit("no open ticket on outlet main: run kiosk-server kitchen_ticket first")

        from_answer: list[float] = []
        from_send: list[float] = []
        early = 0
        action = "bump"
        for _ in range(changes):
            sent = time.perf_counter()
            answer = await http.post(
                f"/api/demo/kitchen/tickets/{open_ticket[0]}/{action}/", json={}, headers=headers
            )
            answered = time.perf_counter()
            answer.raise_for_status()
            sequence = answer.json()["sequence"]
            deadline = answered + 5
            while len(arrivals[sequence]) < screens and time.perf_counter() < deadline:
                await asyncio.sleep(0.0005)
            if len(arrivals[sequence]) < screens:
                raise SystemExit(
                    f"sequence {sequence}: only {len(arrivals[sequence])} screens got it"
                )
            # A ticket already on the socket when the answer came back counts as 0.
            from_answer += [max(0.0, at - answered) for at in arrivals[sequence]]
            early += sum(at <= answered for at in arrivals[sequence])
            from_send += [at - sent for at in arrivals[sequence]]
            action = "recall" if action == "bump" else "bump"
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        print(f"{early} of {len(from_answer)} arrivals came before the POST's answer")
        return from_answer, from_send


def redis_round_trip(count: int) -> list[float]:
    """PUBLISH → a subscriber thread's receipt, one message at a time."""
    client = redis.Redis.from_url(REDIS_URL)
    channel = f"kiosk-bench-{os.getpid()}"
    pubsub = client.pubsub()  # type: ignore[no-untyped-call]
    pubsub.subscribe(channel)
    pubsub.get_message(timeout=1)  # the subscribe confirmation
    received = threading.Event()
    samples: list[float] = []
    sent_at = [0.0]

    def listen() -> None:
        for _ in range(count):
            while pubsub.get_message(timeout=5) is None:
                pass
            samples.append(time.perf_counter() - sent_at[0])
            received.set()

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    for number in range(count):
        received.clear()
        sent_at[0] = time.perf_counter()
        client.publish(channel, str(number))
        received.wait(5)
    listener.join(10)
    pubsub.close()
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--screens", type=int, default=20)
    args = parser.parse_args()
    with running_server(extra_env={"REDIS_URL": REDIS_URL}) as server:
        server.manage("kitchen_ticket", "--station", "grill")
        from_answer, from_send = asyncio.run(
            kitchen_fanout(server.base_url, args.changes, args.screens)
        )
    bare = redis_round_trip(max(200, args.changes))
    print(
        f"kitchen fan-out: {args.changes} ticket changes × {args.screens} sockets, "
        "PostgreSQL + Redis"
    )
    print(summary("POST answered → ticket on each socket", from_answer))
    print(summary("POST sent → ticket on each socket", from_send))
    print(summary("bare Redis PUBLISH → subscriber", bare))
    p99 = percentile(from_answer, 0.99) * 1000
    verdict = "meets" if p99 < TARGET_P99_MS else "MISSES"
    print(f"target p99 < {TARGET_P99_MS:.0f} ms from the answer: {verdict} ({p99:.1f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
