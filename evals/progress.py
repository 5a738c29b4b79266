"""A progress bar on stderr for long runs (tqdm when installed, otherwise nothing)."""

from __future__ import annotations

from typing import Any


class _Silent:
    def update(self, n: int = 1) -> None:
        pass

    def set_postfix_str(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


def progress(total: int, desc: str, unit: str = "q", enabled: bool = True) -> Any:
    """A bar with `update(n)`, `set_postfix_str(text)` and `close()`; silent when disabled or tqdm is missing."""
    if not enabled:
        return _Silent()
    try:
        from tqdm import tqdm
    except ImportError:
        return _Silent()
    return tqdm(total=total, desc=desc, unit=unit, dynamic_ncols=True, leave=True)
