"""Service settings: command-line flags over `LEDOKOL_*` environment variables over defaults,
read by pydantic-settings (every field below is `LEDOKOL_<FIELD>`; the keys are
`LEDOKOL_API_KEYS` and `LEDOKOL_API_KEYS_FILE`)."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

from pydantic import Field, PrivateAttr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.auth import ApiKey, load_keys

MiB = 1024 * 1024


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEDOKOL_", frozen=True, extra="forbid")

    data_dir: Path = Path("ledokol-data")
    database_url: str | None = None  # default: SQLite in the data dir
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    workers: int = Field(default=1, ge=1)  # concurrent solves in this instance
    cpus: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    max_body_bytes: int = Field(default=10 * MiB, ge=1)
    max_time_limit: float = Field(default=600.0, gt=0)  # per key unless its entry says otherwise
    default_time_limit: float = Field(default=60.0, gt=0)
    max_queued: int = Field(default=100, ge=0)
    retry_after_seconds: int = Field(default=30, ge=0)
    lease_seconds: float = Field(default=15.0, gt=0)
    instance: str = ""  # names this instance's workers; default from host and database
    memory_limit_mb: int | None = Field(default=None, ge=1)  # per solve process (address space)
    api_keys: str = Field(default="", repr=False)  # comma-separated keys
    api_keys_file: Path | None = None  # one key a line, optionally with its own cap
    _keys: tuple[ApiKey, ...] = PrivateAttr(default=())

    @model_validator(mode="after")
    def _read_keys(self) -> Settings:
        self._keys = load_keys(self.api_keys, self.api_keys_file, self.max_time_limit)
        return self

    @property
    def keys(self) -> tuple[ApiKey, ...]:
        return self._keys

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


def from_environment(**overrides: Any) -> Settings:
    """Settings from `LEDOKOL_*` variables; keyword overrides (the CLI's flags) win; None means
    "not given"."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
