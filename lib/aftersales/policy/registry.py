"""The registry of policy functions that playbook expressions may call.

A policy function is pure: facts and parameters in, answer out; no I/O and no clock (the
current date is passed in as ``today``). Registering one is a decorator line::

    @policy_function(sources=["seed 001"])
    def size_conforms(deviation_cm: float, tolerance_cm: float) -> bool: ...

Playbook expressions can call exactly the registered names, and the validator checks every
call's arguments against the function's signature when the playbook loads.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class PolicyFunction:
    """A registered policy function with the sources it rests on."""

    name: str
    func: Callable[..., Any]
    sources: tuple[str, ...]
    signature: inspect.Signature = field(compare=False)

    @property
    def summary(self) -> str:
        """First line of the docstring."""
        return (inspect.getdoc(self.func) or "").splitlines()[0] if self.func.__doc__ else ""


POLICY_FUNCTIONS: dict[str, PolicyFunction] = {}


def policy_function(*, sources: list[str] | tuple[str, ...], name: str | None = None) -> Callable[[F], F]:
    """Register ``func`` under ``name`` (default: its own name) for use in playbooks."""

    def register(func: F) -> F:
        key = name or func.__name__
        if key in POLICY_FUNCTIONS and POLICY_FUNCTIONS[key].func is not func:
            raise ValueError(f"policy function '{key}' is registered twice")
        if not func.__doc__:
            raise ValueError(f"policy function '{key}' needs a docstring citing its source")
        POLICY_FUNCTIONS[key] = PolicyFunction(key, func, tuple(sources), inspect.signature(func))
        return func

    return register
