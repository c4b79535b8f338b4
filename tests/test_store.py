"""The job store on SQLite and on a real PostgreSQL server: exactly-once claims, idempotency
races, leases; and two service instances sharing one PostgreSQL database."""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from service import Service, dataset, submit, unavailable, wait_for
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from api.jobs import SolveJob
from api.store import CANCELLED, QUEUED, RUNNING, SUCCEEDED, Store, metadata

POSTGRES_URL = os.environ.get(
    "LEDOKOL_TEST_DATABASE_URL",
    "postgresql+psycopg://ledokol:ledokol@127.0.0.1:5432/ledokol_test",
)


def _postgres_store() -> Store:
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.connect() as db:
            db.execute(text("SELECT 1"))
    except OperationalError:  # no server there (refused, unknown host, no such database)
        unavailable(f"PostgreSQL at {POSTGRES_URL.split('@')[-1]}")
    metadata.drop_all(engine)  # a server that answers: any error from here on fails the test
    engine.dispose()
    return Store(POSTGRES_URL)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'jobs.sqlite3'}") if request.param == "sqlite" else None
    s = s or _postgres_store()
    yield s
    s.dispose()


def _job(store: Store, owner: str = "o", key: str | None = None):  # type: ignore[no-untyped-def]
    return store.create(owner, "s", "{}", SolveJob(time_limit=1), "h", key)


def test_every_job_is_claimed_exactly_once(store: Store) -> None:
    ids = {_job(store)[0].id for _ in range(40)}
    claims: list[tuple[str, str]] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        while (job := store.claim(name, lease_seconds=60)) is not None:
            with lock:
                claims.append((job.id, name))

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counts = Counter(job_id for job_id, _ in claims)
    assert set(counts) == ids
    assert set(counts.values()) == {1}
    assert all(store.get(i).status == RUNNING for i in ids)  # type: ignore[union-attr]


def test_idempotency_race_makes_one_job(store: Store) -> None:
    found: list[str] = []

    def create() -> None:
        found.append(_job(store, key="same")[0].id)

    threads = [threading.Thread(target=create) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(found)) == 1
    assert store.list("o", 100, 0)[1] == 1
    assert _job(store, owner="other", key="same")[0].id != found[0]  # keys are per owner


def test_an_expired_lease_goes_back_to_the_queue(store: Store) -> None:
    job, _ = _job(store)
    assert store.claim("gone:1", lease_seconds=-1) is not None
    assert store.heartbeat(job.id, "someone-else:1", 60, None) is False
    assert store.requeue_abandoned() == 1
    assert store.get(job.id).status == QUEUED  # type: ignore[union-attr]
    again = store.claim("alive:1", lease_seconds=60)
    assert again is not None and again.attempts == 2
    assert store.requeue_abandoned() == 0  # a live lease stays
    assert store.finish(job.id, "gone:1", SUCCEEDED) is False  # the old owner can't finish it
    assert store.finish(job.id, "alive:1", SUCCEEDED, plan_json="{}") is True


def test_a_job_cancelled_while_its_service_was_down_is_not_rerun(store: Store) -> None:
    job, _ = _job(store)
    store.claim("gone:1", lease_seconds=-1)
    store.request_cancel(job.id, "o")
    assert store.requeue_abandoned() == 0
    after = store.get(job.id)
    assert after is not None and after.status == CANCELLED
    assert store.claim("alive:1", 60) is None


def test_cancel_and_delete(store: Store) -> None:
    queued, _ = _job(store)
    assert store.request_cancel(queued.id, "o").status == CANCELLED  # type: ignore[union-attr]
    running, _ = _job(store)
    store.claim("w:1", 60)
    assert store.request_cancel(running.id, "o").status == RUNNING  # type: ignore[union-attr]
    assert store.cancel_requested(running.id)
    assert store.delete(running.id, "o") is False
    assert store.delete(queued.id, "intruder") is False
    assert store.delete(queued.id, "o") is True
    assert store.get(queued.id) is None


def test_two_service_instances_share_one_postgres(tmp_path: Path) -> None:
    _postgres_store().dispose()
    flags = {"database_url": POSTGRES_URL}
    first = Service(tmp_path / "one", **flags).start()
    second = Service(tmp_path / "two", **flags).start()
    try:
        with first.client() as a, second.client() as b:
            jobs = [
                submit(a if i % 2 else b, dataset("long_cycle_equipment"), time_limit=2)
                for i in range(6)
            ]
            done = [wait_for(a, j["id"]) for j in jobs]
        assert all(d["status"] == SUCCEEDED for d in done)
        assert all(d["attempts"] == 1 for d in done)
        instances = {d["solver"]["worker"].rsplit(":", 1)[0] for d in done}
        assert len(instances) == 2, instances
    finally:
        first.stop()
        second.stop()
