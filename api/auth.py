"""API keys: read once, held only as SHA-256 digests, compared in constant time.

Keys come from `LEDOKOL_API_KEYS` (comma-separated) and/or a keys file (`LEDOKOL_API_KEYS_FILE`
or `--keys-file`): one key per line, optionally followed by `max_time_limit=SECONDS`; `#`
starts a comment. A key's owner id is a prefix of its digest: jobs are stored under it, so the
database never holds a key either.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ApiKey:
    digest: str  # sha256 hex of the key
    max_time_limit: float

    @property
    def owner(self) -> str:
        return self.digest[:32]


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def load_keys(
    env_value: str, keys_file: str | Path | None, max_time_limit: float
) -> tuple[ApiKey, ...]:
    keys: dict[str, ApiKey] = {}
    for raw in env_value.split(","):
        if raw.strip():
            d = digest(raw.strip())
            keys[d] = ApiKey(d, max_time_limit)
    if keys_file:
        path = Path(keys_file)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            key, *options = text.split()
            cap = max_time_limit
            for option in options:
                name, _, value = option.partition("=")
                if name != "max_time_limit":
                    raise ValueError(f"{path}:{number}: unknown key option {name!r}")
                try:
                    cap = float(value)
                except ValueError:
                    raise ValueError(f"{path}:{number}: max_time_limit must be seconds") from None
            d = digest(key)
            keys[d] = ApiKey(d, cap)
    return tuple(keys.values())


def find_key(keys: tuple[ApiKey, ...], presented: str | None) -> ApiKey | None:
    if not presented:
        return None
    d = digest(presented)
    found = None
    for key in keys:  # no early exit: the time does not tell which digest matched
        if hmac.compare_digest(key.digest, d):
            found = key
    return found
