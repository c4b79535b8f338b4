"""Where solve jobs live: one table, SQLite by default, PostgreSQL by URL.

A job is written before the client hears of it, and every state change is one short
transaction. Claiming is a compare-and-set (`UPDATE ... WHERE status = 'queued'`), so exactly
one worker of one service instance runs a queued job; on PostgreSQL the candidate row is also
picked with `FOR UPDATE SKIP LOCKED` so competing instances do not queue behind each other.
A running job carries a lease that its runner renews; a job whose lease ran out (its service
was killed) goes back to the queue.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Select

from api.jobs import CompareJob, SolveJob, read_options

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED = (
    "queued",
    "running",
    "succeeded",
    "failed",
    "cancelled",
)
FINISHED = (SUCCEEDED, FAILED, CANCELLED)

metadata = MetaData()

jobs = Table(
    "jobs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("owner", String(64), nullable=False, index=True),
    Column("idempotency_key", String(200), nullable=True),
    Column("status", String(16), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("scenario_name", String(200), nullable=False),
    Column("input_hash", String(64), nullable=False),
    Column("scenario", Text, nullable=False),
    Column("options", Text, nullable=False),
    Column("solver", Text, nullable=True),  # version, parameters and seed actually used
    Column("progress", Text, nullable=True),
    Column("plan", Text, nullable=True),
    Column("solver_status", String(16), nullable=True),
    Column("summary", Text, nullable=True),
    Column("error", Text, nullable=True),
    Column("cancel_requested", Boolean, nullable=False, default=False),
    Column("claimed_by", String(100), nullable=True),
    Column("lease_until", DateTime(timezone=True), nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    UniqueConstraint("owner", "idempotency_key", name="uq_owner_idempotency"),
)


def now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time here is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time here is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Job:
    id: str
    owner: str
    status: JobStatus
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    scenario_name: str
    input_hash: str
    options: SolveJob | CompareJob
    solver: dict[str, Any] | None
    progress: dict[str, Any] | None
    solver_status: str | None
    summary: dict[str, Any] | None
    error: str | None
    cancel_requested: bool
    attempts: int
    has_plan: bool

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


_LIGHT = [c for c in jobs.c if c.name not in ("scenario", "plan")]


def _job(row: Any) -> Job:
    m = row._mapping
    return Job(
        id=m["id"],
        owner=m["owner"],
        status=m["status"],
        created_at=_utc(m["created_at"]),
        updated_at=_utc(m["updated_at"]),
        started_at=_aware(m["started_at"]),
        finished_at=_aware(m["finished_at"]),
        scenario_name=m["scenario_name"],
        input_hash=m["input_hash"],
        options=read_options(m["options"]),
        solver=json.loads(m["solver"]) if m["solver"] else None,
        progress=json.loads(m["progress"]) if m["progress"] else None,
        solver_status=m["solver_status"],
        summary=json.loads(m["summary"]) if m["summary"] else None,
        error=m["error"],
        cancel_requested=bool(m["cancel_requested"]),
        attempts=m["attempts"],
        has_plan=bool(m["has_plan"]),
    )


def _light_select() -> Select[Any]:
    return select(*_LIGHT, (jobs.c.plan.is_not(None)).label("has_plan"))


class Store:
    """Jobs in a SQL database; safe to share between threads, processes and service instances."""

    def __init__(self, url: str) -> None:
        self.url = url
        kwargs: dict[str, Any] = {"future": True}
        # enough connections for every request thread (40) and the runners, so no request
        # waits for a free connection
        kwargs.update(pool_size=20, max_overflow=30)
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        # SQLite has one writer at a time and makes the others sleep and retry; every writer
        # of an embedded store lives in this process, so they queue on a lock instead
        self._write_lock = threading.Lock() if url.startswith("sqlite") else None
        metadata.create_all(self.engine)

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        if self._write_lock is None:
            with self.engine.begin() as db:
                yield db
            return
        with self._write_lock, self.engine.begin() as db:
            yield db

    @property
    def postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def dispose(self) -> None:
        self.engine.dispose()

    # -- submitting and reading ---------------------------------------------------------------

    def create(
        self,
        owner: str,
        scenario_name: str,
        scenario_json: str,
        options: SolveJob | CompareJob,
        input_hash: str,
        idempotency_key: str | None,
    ) -> tuple[Job, bool]:
        """Store a queued job; with an idempotency key already used by this owner, return that
        job instead (the unique index decides, also when two such requests race). Returns
        (job, created)."""
        job_id = str(uuid.uuid4())
        stamp = now()
        try:
            with self._tx() as db:
                db.execute(
                    jobs.insert().values(
                        id=job_id,
                        owner=owner,
                        idempotency_key=idempotency_key,
                        status=QUEUED,
                        created_at=stamp,
                        updated_at=stamp,
                        scenario_name=scenario_name,
                        input_hash=input_hash,
                        scenario=scenario_json,
                        options=options.model_dump_json(),
                        cancel_requested=False,
                        attempts=0,
                    )
                )
        except IntegrityError:
            if idempotency_key is None:
                raise
            existing = self.by_idempotency_key(owner, idempotency_key)
            assert existing is not None, "unique violation without a row"
            return existing, False
        job = self.get(job_id)
        assert job is not None
        return job, True

    def by_idempotency_key(self, owner: str, key: str) -> Job | None:
        with self.engine.connect() as db:
            row = db.execute(
                _light_select().where(jobs.c.owner == owner, jobs.c.idempotency_key == key)
            ).first()
        return None if row is None else _job(row)

    def get(self, job_id: str, owner: str | None = None) -> Job | None:
        query = _light_select().where(jobs.c.id == job_id)
        if owner is not None:
            query = query.where(jobs.c.owner == owner)
        with self.engine.connect() as db:
            row = db.execute(query).first()
        return None if row is None else _job(row)

    def list(self, owner: str, limit: int, offset: int) -> tuple[list[Job], int]:
        with self.engine.connect() as db:
            rows = db.execute(
                _light_select()
                .where(jobs.c.owner == owner)
                .order_by(jobs.c.created_at.desc(), jobs.c.id)
                .limit(limit)
                .offset(offset)
            ).all()
            count = db.execute(
                select(func.count()).select_from(jobs).where(jobs.c.owner == owner)
            ).scalar_one()
        return [_job(r) for r in rows], int(count)

    def scenario(self, job_id: str) -> str:
        with self.engine.connect() as db:
            text: str = db.execute(select(jobs.c.scenario).where(jobs.c.id == job_id)).scalar_one()
            return text

    def plan(self, job_id: str) -> str | None:
        with self.engine.connect() as db:
            return db.execute(select(jobs.c.plan).where(jobs.c.id == job_id)).scalar_one_or_none()

    def queued_count(self) -> int:
        with self.engine.connect() as db:
            return int(
                db.execute(
                    select(func.count()).select_from(jobs).where(jobs.c.status == QUEUED)
                ).scalar_one()
            )

    def delete(self, job_id: str, owner: str) -> bool:
        """Remove a finished job and its data; False if it is not finished (or not there)."""
        with self._tx() as db:
            result = db.execute(
                jobs.delete().where(
                    jobs.c.id == job_id, jobs.c.owner == owner, jobs.c.status.in_(FINISHED)
                )
            )
        return result.rowcount == 1

    # -- cancelling ---------------------------------------------------------------------------

    def request_cancel(self, job_id: str, owner: str) -> Job | None:
        """A queued job is cancelled at once; a running one is asked to stop (its runner keeps
        the best plan found so far)."""
        stamp = now()
        with self._tx() as db:
            db.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.owner == owner, jobs.c.status == QUEUED)
                .values(
                    status=CANCELLED, cancel_requested=True, updated_at=stamp, finished_at=stamp
                )
            )
            db.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.owner == owner, jobs.c.status == RUNNING)
                .values(cancel_requested=True, updated_at=stamp)
            )
        return self.get(job_id, owner)

    def cancel_requested(self, job_id: str) -> bool:
        with self.engine.connect() as db:
            return bool(
                db.execute(
                    select(jobs.c.cancel_requested).where(jobs.c.id == job_id)
                ).scalar_one_or_none()
            )

    # -- running ------------------------------------------------------------------------------

    def claim(self, worker: str, lease_seconds: float) -> Job | None:
        """Take the oldest queued job for `worker`, or None. Exactly one claimer wins a job."""
        for _ in range(5):
            with self._tx() as db:
                query = (
                    select(jobs.c.id)
                    .where(jobs.c.status == QUEUED)
                    .order_by(jobs.c.created_at, jobs.c.id)
                    .limit(1)
                )
                if self.postgres:
                    query = query.with_for_update(skip_locked=True)
                job_id = db.execute(query).scalar_one_or_none()
                if job_id is None:
                    return None
                stamp = now()
                won = db.execute(
                    update(jobs)
                    .where(jobs.c.id == job_id, jobs.c.status == QUEUED)
                    .values(
                        status=RUNNING,
                        claimed_by=worker,
                        lease_until=stamp + timedelta(seconds=lease_seconds),
                        started_at=stamp,
                        updated_at=stamp,
                        attempts=jobs.c.attempts + 1,
                        progress=None,
                    )
                ).rowcount
            if won == 1:
                return self.get(job_id)
        return None

    def heartbeat(
        self, job_id: str, worker: str, lease_seconds: float, progress: dict[str, Any] | None
    ) -> bool:
        """Renew the lease (and store progress); False when the job is no longer ours."""
        values: dict[str, Any] = {"lease_until": now() + timedelta(seconds=lease_seconds)}
        if progress is not None:
            values["progress"] = json.dumps(progress)
            values["updated_at"] = now()
        with self._tx() as db:
            result = db.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.claimed_by == worker, jobs.c.status == RUNNING)
                .values(**values)
            )
        return result.rowcount == 1

    def set_solver(self, job_id: str, solver: dict[str, Any]) -> None:
        with self._tx() as db:
            db.execute(update(jobs).where(jobs.c.id == job_id).values(solver=json.dumps(solver)))

    def finish(
        self,
        job_id: str,
        worker: str,
        status: str,
        solver_status: str | None = None,
        plan_json: str | None = None,
        summary: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> bool:
        """End a running job; without `plan_json` the last incumbent stored is kept."""
        assert status in FINISHED
        stamp = now()
        values: dict[str, Any] = {
            "status": status,
            "solver_status": solver_status,
            "summary": None if summary is None else json.dumps(summary),
            "error": error,
            "updated_at": stamp,
            "finished_at": stamp,
            "lease_until": None,
        }
        if plan_json is not None:
            values["plan"] = plan_json
        with self._tx() as db:
            result = db.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.claimed_by == worker, jobs.c.status == RUNNING)
                .values(**values)
            )
        return result.rowcount == 1

    def save_incumbent(self, job_id: str, worker: str, plan_json: str) -> bool:
        """Store a running job's best checked plan so far: a job whose solve has to be killed,
        or whose service dies, keeps it (and a restart starts from it)."""
        with self._tx() as db:
            result = db.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.claimed_by == worker, jobs.c.status == RUNNING)
                .values(plan=plan_json, updated_at=now())
            )
        return result.rowcount == 1

    def requeue_abandoned(self, worker_prefix: str | None = None) -> int:
        """Running jobs whose lease ran out (or, at start-up, that this instance held before it
        was killed) go back to the queue, their progress reset; those whose owner had asked to
        cancel them end cancelled instead. Returns how many were requeued."""
        stamp = now()
        condition = jobs.c.lease_until < stamp
        if worker_prefix is not None:
            condition = condition | jobs.c.claimed_by.like(f"{worker_prefix}%")
        abandoned = (jobs.c.status == RUNNING) & condition
        with self._tx() as db:
            db.execute(
                update(jobs)
                .where(abandoned, jobs.c.cancel_requested.is_(True))
                .values(
                    status=CANCELLED,
                    error="cancelled while its service was down (its best plan so far is kept)",
                    claimed_by=None,
                    lease_until=None,
                    updated_at=stamp,
                    finished_at=stamp,
                )
            )
            result = db.execute(
                update(jobs)
                .where(abandoned)
                .values(
                    status=QUEUED,
                    claimed_by=None,
                    lease_until=None,
                    progress=None,
                    updated_at=stamp,
                )
            )
        return result.rowcount

    def ping(self) -> None:
        with self.engine.connect() as db:
            db.execute(select(1))


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
