"""The failure drill's clients: concurrent writers and readers with a ledger of what was acked.

Each client runs a fixed, seeded sequence of operations against a live server: upserts of new
creator batches (some with an invalid record, refused whole), updates, deletes, brands,
feedback, matches and reads. The ledger records what each request asked for and whether it
was acknowledged, refused, or left unknown (the connection died: a kill -9). Matches check
consistency while the load runs; `verify` checks the end state.

Drill creators live in Iceland (`IS`), where the generated worlds have no creator: a match
filtered on it shows exactly the drill creators that are live.
"""

from __future__ import annotations

import random
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.factories import make_creator, make_post

COUNTRY = "IS"
MATCH = {
    "brand": {"name": "Aurora", "values": "fotografia di paesaggio, aurora boreale, trekking"},
    "k": 200,
    "explain": False,
    "filters": {"countries": [COUNTRY]},
}
OPERATIONS = {  # weights of the mix
    "upsert": 26, "bad_batch": 4, "update": 8, "delete": 10,
    "brand": 12, "feedback": 12, "match": 16, "get": 12,
}  # fmt: skip


def drill_creator(creator_id: str, followers: int) -> dict[str, Any]:
    posts = [
        make_post(f"{creator_id}-p{i}", f"2026-10-{i + 10:02d}T08:00:00Z",
                  f"Aurora boreale sopra Vík, notte {i} ✨ #iceland #landscape", 200 + i, 12,
                  creator_replies=5)
        for i in range(3)
    ]  # fmt: skip
    return make_creator(creator_id, followers=followers, country=COUNTRY, language="it",
                        bio="Fotografo di paesaggi in Islanda", categories=["travel"],
                        posts=posts, audience={"authentic_share": 0.9})  # fmt: skip


@dataclass
class Batch:
    ids: tuple[str, ...]
    state: str = "sent"  # sent → acked | refused | unknown


@dataclass
class Ledger:
    """What every client asked for and what the server answered, under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[str] = field(default_factory=Counter)
    batches: dict[str, Batch] = field(default_factory=dict)
    batch_of: dict[str, str] = field(default_factory=dict)  # creator id → its batch
    followers: dict[str, set[int]] = field(default_factory=dict)  # acked (or unknown) values
    deletes: dict[str, str] = field(default_factory=dict)  # creator id → sent|acked|unknown
    brands: dict[str, str] = field(default_factory=dict)
    outcomes: dict[tuple[str, str, str], str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    matches_checked: int = 0

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)

    def live_acked(self) -> set[str]:
        """Creators whose batch was acked and whose delete was not (nor is unknown)."""
        return {
            cid for b in self.batches.values() if b.state == "acked" for cid in b.ids
            if cid not in self.deletes
        }  # fmt: skip


@dataclass
class Client:
    number: int
    url: str
    write: dict[str, str]
    read: dict[str, str]
    ledger: Ledger
    operations: int
    stop: threading.Event
    after_each: Callable[[], None] = lambda: None
    weights: dict[str, int] = field(default_factory=lambda: dict(OPERATIONS))
    batch_size: tuple[int, int] = (1, 3)  # creators per upsert, inclusive bounds
    mine: list[str] = field(default_factory=list)  # my acked, not deleted creators
    batches: int = 0

    def run(self) -> None:
        rng = random.Random(self.number)
        names, weights = zip(*self.weights.items(), strict=True)
        with httpx.Client(base_url=self.url, timeout=120) as http:
            for step in range(self.operations):
                if self.stop.is_set():
                    return
                operation = rng.choices(names, weights)[0]
                try:
                    getattr(self, operation)(http, rng, step)
                except httpx.TransportError:
                    self.stop.set()  # the server is gone (kill -9): stop, the ledger knows
                    return
                self.after_each()

    def _send(self, http: httpx.Client, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = http.request(method, path, **kwargs)
        with self.ledger.lock:
            self.ledger.statuses[str(response.status_code)] += 1
        if response.status_code >= 500:
            self.ledger.problem(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response

    def _settle(self, mark: Callable[[str], None], call: Callable[[], httpx.Response]) -> int:
        """Run `call`; `mark` gets acked/refused from its status, unknown when it never answered."""
        try:
            response = call()
        except httpx.TransportError:
            with self.ledger.lock:
                mark("unknown")
            raise
        with self.ledger.lock:
            mark("acked" if response.status_code == 200 else "refused")
        return response.status_code

    def upsert(self, http: httpx.Client, rng: random.Random, step: int, bad: bool = False) -> None:
        size = rng.randint(*self.batch_size)
        batch_id = f"c{self.number}.b{self.batches}"
        self.batches += 1
        ids = tuple(f"ig:drill.{batch_id}.{i}" for i in range(size))
        docs = [drill_creator(cid, 2_000 + rng.randint(0, 50_000)) for cid in ids]
        if bad:
            docs.append(make_creator(f"ig:drill.{batch_id}.bad", followers=-1))
        batch = Batch(ids)
        with self.ledger.lock:
            self.ledger.batches[batch_id] = batch
            for cid, doc in zip(ids, docs, strict=False):
                self.ledger.batch_of[cid] = batch_id
                self.ledger.followers[cid] = {doc["followers"]}

        def mark(state: str) -> None:
            batch.state = state

        status = self._settle(
            mark, lambda: self._send(http, "POST", "/v1/creators", json=docs, headers=self.write)
        )
        if bad and status != 422:
            self.ledger.problem(f"batch {batch_id} with an invalid record answered {status}")
        if status == 200:
            self.mine.extend(ids)

    def bad_batch(self, http: httpx.Client, rng: random.Random, step: int) -> None:
        self.upsert(http, rng, step, bad=True)

    def update(self, http: httpx.Client, rng: random.Random, step: int) -> None:
        if not self.mine:
            return
        cid = rng.choice(self.mine)
        followers = 60_000 + step
        with self.ledger.lock:
            values = self.ledger.followers[cid]
        doc = drill_creator(cid, followers)

        def mark(state: str) -> None:
            if state == "acked":
                values.clear()
            if state in ("acked", "unknown"):
                values.add(followers)

        self._settle(
            mark, lambda: self._send(http, "POST", "/v1/creators", json=[doc], headers=self.write)
        )

    def delete(self, http: httpx.Client, rng: random.Random, step: int) -> None:
        if not self.mine:
            return
        cid = self.mine.pop(rng.randrange(len(self.mine)))
        with self.ledger.lock:
            self.ledger.deletes[cid] = "sent"

        def mark(state: str) -> None:
            self.ledger.deletes[cid] = "acked" if state == "refused" else state  # 404: gone

        status = self._settle(
            mark, lambda: self._send(http, "DELETE", f"/v1/creators/{cid}", headers=self.write)
        )
        if status != 200:
            self.ledger.problem(f"delete of acked {cid} answered {status}")

    def brand(self, http: httpx.Client, rng: random.Random, step: int) -> None:
        brand_id = f"drill-{self.number}-{step}"
        body = [{"brand_id": brand_id, "name": f"Drill {step}", "values": "paesaggi, natura"}]

        def mark(state: str) -> None:
            self.ledger.brands[brand_id] = state

        self._settle(
            mark, lambda: self._send(http, "POST", "/v1/brands", json=body, headers=self.write)
        )

    def feedback(self, http: httpx.Client, rng: random.Random, step: int) -> None:
        rows = [
            {"brand_id": f"drill-{self.number}", "creator_id": f"ig:drill.any{i}",
             "campaign_id": f"c{self.number}.s{step}", "stage": "proposed",
             "observed_at": "2026-11-20T00:00:00Z"}
            for i in range(rng.randint(1, 4))
        ]  # fmt: skip

        def mark(state: str) -> None:
            for row in rows:
                self.ledger.outcomes[(row["brand_id"], row["creator_id"], row["campaign_id"])] = (
                    state
                )

        self._settle(
            mark, lambda: self._send(http, "POST", "/v1/feedback", json=rows, headers=self.write)
        )

    def get(self, http: httpx.Client, rng: random.Random, step: int) -> None:
        if not self.mine:
            return
        cid = rng.choice(self.mine)
        response = self._send(http, "GET", f"/v1/creators/{cid}", headers=self.read)
        with self.ledger.lock:
            allowed = set(self.ledger.followers[cid])
        if response.status_code != 200 or response.json()["followers"] not in allowed:
            self.ledger.problem(f"GET {cid}: {response.status_code} {response.text[:200]}")

    def match(self, http: httpx.Client, rng: random.Random, step: int) -> None:
        with self.ledger.lock:
            deleted_before = {c for c, s in self.ledger.deletes.items() if s == "acked"}
            acked_before = {b for b, batch in self.ledger.batches.items() if batch.state == "acked"}
        response = self._send(http, "POST", "/v1/match", json=MATCH, headers=self.read)
        if response.status_code != 200:
            return
        seen = {m["creator_id"] for m in response.json()["matches"]}
        with self.ledger.lock:
            self.ledger.matches_checked += 1
            deleting = set(self.ledger.deletes)  # deletes sent by now, answered or not
            problems = match_problems(self.ledger, seen, deleted_before, acked_before, deleting)
            self.ledger.problems.extend(problems)


def match_problems(
    ledger: Ledger,
    seen: set[str],
    deleted_before: set[str],
    acked_before: set[str],
    deleting: set[str],
) -> list[str]:
    """What a match answer may not show: see the module docstring."""
    problems = []
    if len(seen) >= MATCH["k"]:  # type: ignore[operator]
        problems.append("the drill outgrew k: completeness cannot be checked")
    for cid in seen & deleted_before:
        problems.append(f"{cid} is in search after its delete was acknowledged")
    by_batch: dict[str, set[str]] = {}
    for cid in seen:
        batch_id = ledger.batch_of.get(cid)
        if batch_id is None:
            problems.append(f"{cid} in search but never sent")
            continue
        by_batch.setdefault(batch_id, set()).add(cid)
    for batch_id, batch in ledger.batches.items():
        expected = set(batch.ids) - deleting
        visible = by_batch.get(batch_id, set())
        if batch.state == "refused" and visible:
            problems.append(f"refused batch {batch_id} is visible: {sorted(visible)}")
        if batch_id in acked_before and not expected <= seen:
            problems.append(f"acked batch {batch_id} missing {sorted(expected - seen)}")
        if visible and not expected <= visible:  # part of a batch: half a write
            problems.append(f"half of batch {batch_id} visible: {sorted(visible)} of {batch.ids}")
    return problems


def run_clients(clients: list[Client]) -> None:
    threads = [threading.Thread(target=client.run) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _searchable(http: httpx.Client, low: int = 0, high: int = 10**9) -> set[str]:
    """Every drill creator a match finds: followers windows halved until each is under k."""
    filters = {**MATCH["filters"], "min_followers": low, "max_followers": high}  # type: ignore[dict-item]
    found = http.post("/v1/match", json={**MATCH, "filters": filters}).json()["matches"]
    if len(found) < MATCH["k"] or low == high:  # type: ignore[operator]
        return {m["creator_id"] for m in found}
    middle = (low + high) // 2
    return _searchable(http, low, middle) | _searchable(http, middle + 1, high)


def _stored_outcomes(store: Path | str) -> set[tuple[str, str, str]]:
    if isinstance(store, Path):
        with sqlite3.connect(store) as conn:
            return set(conn.execute("SELECT brand_id, creator_id, campaign_id FROM outcomes"))
    from matching.store import open_store
    from microtribe.settings import Settings

    opened = open_store(Settings(home=Path("."), store_url=store))
    try:
        return {(o["brand_id"], o["creator_id"], o.get("campaign_id") or "")
                for o in opened.outcomes()}  # fmt: skip
    finally:
        opened.close()


def verify(ledger: Ledger, url: str, read: dict[str, str], store: Path | str) -> dict[str, int]:
    """The end state: every acknowledged write readable, every acked delete gone, no half batch.

    `store` is the SQLite file or the store URL (MICROTRIBE_STORE_URL) the server writes to.
    Returns counts of what was checked; appends what is wrong to `ledger.problems`.
    """
    with httpx.Client(base_url=url, headers=read, timeout=120) as http:
        def present(cid: str) -> bool:
            response = http.get(f"/v1/creators/{cid}")
            if response.status_code == 200:
                if response.json()["followers"] not in ledger.followers[cid]:
                    ledger.problems.append(f"{cid}: followers {response.json()['followers']}")
                return True
            if response.status_code != 404:
                ledger.problems.append(f"GET {cid}: {response.status_code}")
            return False

        checked = Counter[str]()
        for batch_id, batch in ledger.batches.items():
            members = [cid for cid in batch.ids if ledger.deletes.get(cid) != "acked"]
            undecided = [cid for cid in members if ledger.deletes.get(cid) is not None]
            found = {cid for cid in members if present(cid)}
            settled = set(members) - set(undecided)
            if batch.state == "acked" and not settled <= found:
                ledger.problems.append(f"acked batch {batch_id} lost {sorted(settled - found)}")
            if batch.state == "refused" and found:
                ledger.problems.append(f"refused batch {batch_id} stored {sorted(found)}")
            if batch.state == "unknown" and found and not settled <= found:
                ledger.problems.append(f"half of unknown batch {batch_id}: {sorted(found)}")
            checked[f"batches_{batch.state}"] += 1
        for cid, state in ledger.deletes.items():
            if state == "acked" and present(cid):
                ledger.problems.append(f"{cid}: delete acknowledged but still stored")
            checked[f"deletes_{state}"] += 1
        for brand_id, state in ledger.brands.items():
            if state == "acked" and http.get(f"/v1/brands/{brand_id}").status_code != 200:
                ledger.problems.append(f"brand {brand_id} acknowledged but lost")
            checked[f"brands_{state}"] += 1
        seen = _searchable(http)
    acked_deleted = {c for c, s in ledger.deletes.items() if s == "acked"}
    if seen & acked_deleted:
        ledger.problems.append(f"deleted creators in search: {sorted(seen & acked_deleted)}")
    if not ledger.live_acked() <= seen:
        ledger.problems.append(f"live creators not in search: {ledger.live_acked() - seen}")
    stored = _stored_outcomes(store)
    for key, state in ledger.outcomes.items():
        if state == "acked" and key not in stored:
            ledger.problems.append(f"outcome {key} acknowledged but lost")
        checked[f"outcomes_{state}"] += 1
    checked["searchable"] = len(seen)
    return dict(checked)
