"""Size mismatch: within the tolerance the size conforms (seed 001, Taobao 3 cm)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.policy import size_conforms


@pytest.mark.parametrize(
    ("deviation_cm", "tolerance_cm", "expected"),
    [
        pytest.param(0.0, 3.0, True, id="exact listed size conforms"),
        pytest.param(2.5, 3.0, True, id="2.5 cm off is within 3 cm"),
        pytest.param(3.0, 3.0, True, id="exactly 3 cm off still conforms"),
        pytest.param(3.0000000001, 3.0, True, id="float noise above 3 cm still conforms"),
        pytest.param(0.1 + 0.2 + 2.7, 3.0, True, id="3 cm computed with rounding error conforms"),
        pytest.param(3.01, 3.0, False, id="3.01 cm off is a quality problem"),
        pytest.param(5.0, 3.0, False, id="5 cm off is a quality problem"),
        pytest.param(-3.0, 3.0, True, id="3 cm too small conforms like 3 cm too large"),
        pytest.param(-3.01, 3.0, False, id="3.01 cm too small is a quality problem"),
        pytest.param(0.0, 0.0, True, id="zero tolerance accepts only the exact size"),
        pytest.param(0.5, 0.0, False, id="zero tolerance rejects half a centimetre"),
    ],
)
def test_size_conforms(deviation_cm, tolerance_cm, expected):
    assert size_conforms(deviation_cm, tolerance_cm) is expected


@pytest.mark.parametrize(
    ("deviation_cm", "tolerance_cm"),
    [
        pytest.param(1.0, -1.0, id="negative tolerance is a playbook bug"),
        pytest.param(1.0, math.inf, id="infinite tolerance is a playbook bug"),
        pytest.param(math.nan, 3.0, id="NaN deviation is a bug"),
    ],
)
def test_size_conforms_rejects_impossible_input(deviation_cm, tolerance_cm):
    with pytest.raises(ValueError, match="size"):
        size_conforms(deviation_cm, tolerance_cm)


@given(st.floats(-100, 100), st.floats(0, 20))
def test_size_conforms_ignores_the_sign(deviation, tolerance):
    assert size_conforms(deviation, tolerance) == size_conforms(-deviation, tolerance)
