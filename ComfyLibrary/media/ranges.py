"""Expected values of a check: an exact value, or a range with optional ends."""

from __future__ import annotations


def within(
    value: float,
    exact: float | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
) -> bool:
    if exact is not None and value != exact:
        return False
    return (minimum is None or value >= minimum) and (maximum is None or value <= maximum)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def describe(
    exact: float | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
    unit: str = "",
) -> str:
    """``512``, ``between 10240 and 52428800 bytes``, ``at least 1 s``..."""
    if exact is not None:
        return f"{_number(exact)}{unit}"
    if minimum is not None and maximum is not None:
        return f"between {_number(minimum)} and {_number(maximum)}{unit}"
    if minimum is not None:
        return f"at least {_number(minimum)}{unit}"
    return f"at most {_number(maximum)}{unit}" if maximum is not None else f"any{unit}"
