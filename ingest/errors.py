"""The one error ingestion raises for a file it cannot load.

A bad file is reported and skipped by the caller; it never aborts a batch. The reason should tell the user
what to do (convert, OCR, re-save as UTF-8), not just what went wrong.
"""

from __future__ import annotations


class IngestError(Exception):
    """A file that cannot be loaded: unknown type, empty, undecodable, corrupt, or without a text layer.

    `path` is the file as given; `reason` is a human-readable cause with a hint how to fix it.
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type[IngestError], tuple[str, str]]:
        # Exception pickling replays __init__ with self.args (the joined message); keep both fields instead,
        # so the error survives a multiprocessing pool.
        return (type(self), (self.path, self.reason))
