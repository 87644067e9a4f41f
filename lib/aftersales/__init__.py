"""aftersales: guided, tested, versioned after-sales playbooks for online sellers.

Public API (imported lazily so the command line starts fast)::

    from aftersales import decide, next_question, load_library
    decision = decide("size_mismatch", facts, platform="taobao", lang="zh")
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["decide", "next_question", "load_library", "Decision", "Question", "FactError", "PlaybookError",
           "AftersalesError", "__version__"]

_LAZY = {
    "decide": ("engine", "decide"),
    "next_question": ("engine", "next_question"),
    "Decision": ("engine", "Decision"),
    "Question": ("engine", "Question"),
    "load_library": ("library", "load_library"),
    "FactError": ("errors", "FactError"),
    "PlaybookError": ("errors", "PlaybookError"),
    "AftersalesError": ("errors", "AftersalesError"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(f".{module}", __name__), attr)
    raise AttributeError(f"module 'aftersales' has no attribute {name!r}")
