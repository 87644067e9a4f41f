"""Size mismatch: does a measured size conform to the listing?"""

from __future__ import annotations

import math

from aftersales.policy.registry import policy_function

#: Measurements closer than this to the tolerance count as on it (float noise, not cloth).
_EPSILON_CM = 1e-9


@policy_function(sources=["seed 001"])
def size_conforms(deviation_cm: float, tolerance_cm: float) -> bool:
    """Decide whether a size deviation is within the tolerance, so the item conforms.

    A deviation up to and including the tolerance conforms (Taobao practice: 3 cm); beyond
    it the size is a quality problem and the seller pays the return. The sign of the
    deviation does not matter (too small and too large count alike). A tolerance of 3 cm
    accepts 3.0 (and 3.0000000001, float noise) but not 3.01.

    Args:
        deviation_cm: measured minus listed size, in cm (either sign).
        tolerance_cm: the platform's tolerance in cm (profile parameter ``size_tolerance_cm``).

    Raises:
        ValueError: negative or non-finite tolerance, non-finite deviation.

    References:
        seed 001 (Taobao: within 3 cm conforms, beyond is a quality problem). The 3 cm value
        was not found in Taobao rule texts (POLICY-FACTS §0 row 4): keep it a parameter.
    """
    if not math.isfinite(deviation_cm):
        raise ValueError(f"size deviation must be a finite number of cm, got {deviation_cm!r}")
    if not math.isfinite(tolerance_cm) or tolerance_cm < 0:
        raise ValueError(f"size tolerance must be a finite number of cm >= 0, got {tolerance_cm!r}")
    return abs(deviation_cm) <= tolerance_cm + _EPSILON_CM
