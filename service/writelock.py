"""One index writer at a time across threads and worker processes (an exclusive `flock` on a file).

Several uvicorn workers share the registry (SQLite) and a Chroma server; uploads, deletions, validity changes
and reindexing take this lock so two of them never interleave their registry and vector writes.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class WriteLock:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._thread_lock = threading.Lock()

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Block until this process holds the lock exclusively; released on exit, also on error."""
        with self._thread_lock, open(self.path, "a+b") as f:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)
