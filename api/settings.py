"""Service settings: command-line flags over `LEDOKOL_*` environment variables over defaults."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from pathlib import Path

from api.auth import ApiKey, load_keys

MiB = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("ledokol-data")
    database_url: str | None = None  # default: SQLite in the data dir
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1  # concurrent solves in this instance
    cpus: int = field(default_factory=lambda: os.cpu_count() or 1)
    max_body_bytes: int = 10 * MiB
    max_time_limit: float = 600.0  # per key unless its entry says otherwise
    default_time_limit: float = 60.0
    max_queued: int = 100
    retry_after_seconds: int = 30
    lease_seconds: float = 15.0
    instance: str = ""  # names this instance's workers; default from host and database
    memory_limit_mb: int | None = None  # per solve process (address space)
    keys: tuple[ApiKey, ...] = ()

    @property
    def url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'ledokol.sqlite3').resolve()}"

    @property
    def embedded(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def instance_name(self) -> str:
        if self.instance:
            return self.instance
        # One service owns an embedded database, so after a crash its own jobs are known to
        # be abandoned at once; instances sharing a server tell themselves apart by host and pid.
        return "local" if self.embedded else f"{socket.gethostname()}-{os.getpid()}"

    @property
    def cpus_per_solve(self) -> int:
        """CP-SAT workers for each solve: the CPUs divided among the concurrent solves."""
        return max(1, self.cpus // max(1, self.workers))


def from_environment(**overrides: object) -> Settings:
    """Settings from `LEDOKOL_*` variables; keyword overrides (the CLI's flags) win."""
    env = os.environ
    values: dict[str, object] = {}
    if "LEDOKOL_DATA_DIR" in env:
        values["data_dir"] = Path(env["LEDOKOL_DATA_DIR"])
    if "LEDOKOL_DATABASE_URL" in env:
        values["database_url"] = env["LEDOKOL_DATABASE_URL"]
    for name, cast in (
        ("workers", int),
        ("max_body_bytes", int),
        ("max_time_limit", float),
        ("max_queued", int),
        ("lease_seconds", float),
        ("memory_limit_mb", int),
    ):
        key = f"LEDOKOL_{name.upper()}"
        if key in env:
            values[name] = cast(env[key])
    if "LEDOKOL_INSTANCE" in env:
        values["instance"] = env["LEDOKOL_INSTANCE"]
    values.update({k: v for k, v in overrides.items() if v is not None})
    keys_file = values.pop("keys_file", None) or env.get("LEDOKOL_API_KEYS_FILE")
    max_time = float(values.get("max_time_limit", Settings.max_time_limit))  # type: ignore[arg-type]
    values["keys"] = load_keys(env.get("LEDOKOL_API_KEYS", ""), keys_file, max_time)
    return Settings(**values)  # type: ignore[arg-type]
