"""Message templates cannot exhaust the machine (issue 13, "Templates without resource limits").

Every attack from the issue, and the other ways a team lead's (or an overlay's) template could
build a huge string, loop for minutes or recurse, ends in the documented EvaluationError naming
the limit from lib/aftersales/limits.py; never a MemoryError, a RecursionError or a hang.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from jinja2 import TemplateSyntaxError

from aftersales import limits
from aftersales.errors import AftersalesError, EvaluationError
from aftersales.playbook import templates
from aftersales.playbook.templates import compile_template, render

AS_OF = "2026-01-15T09:00:00+00:00"
FACTS = {"order_id": "TB-1", "customer_name": "Li Na", "order_value": 129, "currency": "CNY",
         "delivered_on": "2026-01-12", "evidence_provided": True, "category": "apparel",
         "size_deviation_cm": 3.5, "customer_preference": "exchange"}


def _render(source: str, context: dict | None = None) -> str:
    template, _ = compile_template(source)
    return render(template, context or {})


def _refused(source: str, limit: str, context: dict | None = None) -> EvaluationError:
    start = time.perf_counter()
    with pytest.raises(EvaluationError) as info:
        _render(source, context)
    assert limit in str(info.value), str(info.value)
    assert str(info.value).startswith("message template: ")
    assert time.perf_counter() - start < 1.5, "a refusal must be quick"
    return info.value


# ---- the attacks of issue 13 --------------------------------------------------------------------

def test_nested_range_100000_is_refused_at_max_template_range() -> None:
    _refused("{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
             "MAX_TEMPLATE_RANGE")


def test_a_range_up_to_the_limit_still_works() -> None:
    assert _render(f"{{{{ range({limits.MAX_TEMPLATE_RANGE})|list|length }}}}") == str(limits.MAX_TEMPLATE_RANGE)
    _refused(f"{{{{ range({limits.MAX_TEMPLATE_RANGE + 1})|length }}}}", "MAX_TEMPLATE_RANGE")
    _refused("{{ range(1000000000000000000000000000000)|length }}", "MAX_TEMPLATE_RANGE")


def test_indent_999999999_is_refused_before_allocating() -> None:
    _refused("{{ 'a\nb'|indent(999999999) }}", "MAX_TEMPLATE_STRING")
    _refused("{{ ('a\n' * 50000)|indent(4) }}", "MAX_TEMPLATE_STRING")
    assert _render("{{ 'a\nb'|indent(2) }}") == "a\n  b"


def test_a_namespace_doubling_loop_is_refused() -> None:
    _refused("{% set ns = namespace(s='ab') %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"
             "{{ ns.s|length }}", "MAX_TEMPLATE_STRING")
    _refused("{% set ns = namespace(s='ab') %}{% for i in range(100) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
             "MAX_TEMPLATE_STRING")
    _refused("{% set ns = namespace(l=['x' * 1000]) %}{% for i in range(100) %}{% set ns.l = ns.l + ns.l %}"
             "{% endfor %}", "MAX_TEMPLATE_STRING")


def test_replace_cannot_make_an_81_mb_message() -> None:
    _refused("{{ ('a' * 9000)|replace('a', 'aaaaaaaaaa')|replace('a', 'aaaaaaaaaa') }}", "MAX_TEMPLATE_STRING")
    _refused("{{ ('a' * 90000).replace('a', 'a' * 1000) }}", "MAX_TEMPLATE_STRING")
    _refused("{{ ('a' * 90000)|replace('', '-') }}", "MAX_TEMPLATE_STRING")
    assert _render("{{ '3.5'|replace('.', ',') }}") == "3,5"


def test_macro_recursion_is_refused_at_max_template_depth() -> None:
    _refused("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "MAX_TEMPLATE_DEPTH")
    _refused("{% macro g() %}{% if false %}{{ caller() }}{% endif %}{% call g() %}x{% endcall %}{% endmacro %}"
             "{{ g() }}", "MAX_TEMPLATE_DEPTH")
    _refused("{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}", "MAX_TEMPLATE_DEPTH")
    depth = limits.MAX_TEMPLATE_DEPTH - 1
    assert _render(f"{{% macro f(n) %}}{{% if n < {depth} %}}{{{{ f(n + 1) }}}}{{% else %}}{{{{ n }}}}"
                   f"{{% endif %}}{{% endmacro %}}{{{{ f(1) }}}}") == str(depth)


def test_repetition_is_still_capped() -> None:
    _refused("{{ 'a' * 10000000000 }}", "MAX_TEMPLATE_STRING")
    _refused("{{ [1, 2] * 10000000 }}", "MAX_TEMPLATE_STRING")
    assert _render(f"{{{{ ('a' * {limits.MAX_TEMPLATE_STRING})|length }}}}") == str(limits.MAX_TEMPLATE_STRING)
    _refused(f"{{{{ ('a' * {limits.MAX_TEMPLATE_STRING + 1})|length }}}}", "MAX_TEMPLATE_STRING")


def test_a_loop_that_runs_too_long_stops_at_the_time_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(templates, "MAX_TEMPLATE_SECONDS", 0.2)
    start = time.perf_counter()
    with pytest.raises(EvaluationError, match="MAX_TEMPLATE_SECONDS"):
        _render("{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}"
                "{% endfor %}{% endfor %}{% endfor %}")
    assert time.perf_counter() - start < 1.5


def test_the_time_budget_is_the_named_limit() -> None:
    assert templates.MAX_TEMPLATE_SECONDS == limits.MAX_TEMPLATE_SECONDS


# ---- every other way to grow a string, a list or the output --------------------------------------

@pytest.mark.parametrize("source", [
    pytest.param("{{ 'a'|center(999999999) }}", id="center filter"),
    pytest.param("{{ '%999999999d'|format(1) }}", id="format filter width"),
    pytest.param("{{ '%.999999999f'|format(1.5) }}", id="format filter precision"),
    pytest.param("{{ '%999999999d' % 1 }}", id="percent operator"),
    pytest.param("{{ '%s' * 30000 % ((('x' * 90000),) * 30000) }}", id="percent with many fields"),
    pytest.param("{{ (['x' * 1000] * 1000)|join }}", id="join filter"),
    pytest.param("{{ ','.join(['x' * 1000] * 1000) }}", id="str.join"),
    pytest.param("{{ (['x' * 100000] * 100000)|map('upper')|list|length }}", id="map of big strings"),
    pytest.param("{{ 'x'.ljust(99999999) }}", id="str.ljust"),
    pytest.param("{{ 'x'.center(99999999) }}", id="str.center"),
    pytest.param("{{ 'x'.zfill(99999999) }}", id="str.zfill"),
    pytest.param("{{ ('\t' * 1000).expandtabs(1000) }}", id="str.expandtabs"),
    pytest.param("{{ '{:>999999999}'.format(1) }}", id="str.format width"),
    pytest.param("{{ ('{0}' * 30000).format('x' * 1000) }}", id="str.format many fields"),
    pytest.param("{{ 'a' * 100 ~ ('a' * 99999) }}", id="tilde concatenation"),
    pytest.param("{{ ('a' * 60000) + ('a' * 60000) }}", id="plus concatenation"),
    pytest.param("{{ (1).to_bytes(999999999, 'big') }}", id="int.to_bytes"),
    pytest.param("{{ [1]|batch(999999999, 'x')|list }}", id="batch fill"),
    pytest.param("{{ [1]|slice(999999999)|list }}", id="slice"),
    pytest.param("{{ ('a ' * 1000)|wordwrap(1, wrapstring='x' * 1000) }}", id="wordwrap"),
    pytest.param("{{ (['x'] * 1000)|tojson(indent=999999999) }}", id="tojson indent"),
    pytest.param("{{ ([[1] * 1000] * 1000)|sum(start=[])|length }}", id="sum of lists"),
    pytest.param("{{ (('a' * 100000),) * 100000 }}", id="printing a huge structure"),
    pytest.param("{{ ((('a' * 100000),) * 100000)|string }}", id="string filter"),
    pytest.param("{% set x %}{% for i in range(1000) %}{{ 'y' * 1000 }}{% endfor %}{% endset %}{{ x|length }}",
                 id="a set block collecting text"),
    pytest.param("{% macro m() %}{% for i in range(1000) %}{{ 'y' * 1000 }}{% endfor %}{% endmacro %}"
                 "{{ m()|length }}", id="a macro collecting text"),
])
def test_growth_is_refused_before_it_happens(source: str) -> None:
    _refused(source, "MAX_TEMPLATE_STRING")


def test_the_message_is_capped_at_max_message_chars() -> None:
    _refused("{% for i in range(1000) %}{{ 'a' * 1000 }}{% endfor %}", "MAX_MESSAGE_CHARS")
    _refused("{% for i in range(1000) %}" + "b" * 100 + "{% endfor %}", "MAX_MESSAGE_CHARS")
    assert len(_render("{{ 'a' * %d }}" % limits.MAX_MESSAGE_CHARS)) == limits.MAX_MESSAGE_CHARS


def test_arithmetic_stays_within_max_number() -> None:
    with pytest.raises(EvaluationError, match="too large"):
        _render("{% set ns = namespace(n=2) %}{% for i in range(100) %}{% set ns.n = ns.n * ns.n %}{% endfor %}")
    with pytest.raises(EvaluationError, match=r"'\*\*' is not allowed"):
        _render("{{ 2 ** 3 }}")


@pytest.mark.parametrize("source, operator", [("{{ 1 // 0 }}", "//"), ("{{ 1 / 0 }}", "/"), ("{{ 5 % 0 }}", "%"),
                                              ("{{ x // 0 }}", "//")])
def test_division_by_zero_is_reported_as_such(source: str, operator: str) -> None:
    with pytest.raises(EvaluationError) as info:
        _render(source, {"x": 3})
    assert str(info.value) == f"message template: division by zero in '{operator}'"
    assert "undefined" not in str(info.value).lower()


def test_division_by_zero_in_a_test_is_reported_as_such() -> None:
    with pytest.raises(EvaluationError, match="division by zero"):
        _render("{{ 4 is divisibleby(0) }}")


def test_lists_and_dicts_cannot_be_changed_in_place_and_lipsum_is_gone() -> None:
    with pytest.raises(EvaluationError, match="unsafe"):
        _render("{% set l = [1] %}{{ l.extend(l) }}")
    with pytest.raises(EvaluationError, match="unsafe"):
        _render("{% set d = {} %}{{ d.update({'a': 1}) }}")
    with pytest.raises(EvaluationError, match="undefined"):
        _render("{{ lipsum(999999) }}")


def test_a_deeply_nested_value_is_refused_not_a_recursion_error() -> None:
    _refused("{% set ns = namespace(l=[]) %}{% for i in range(1000) %}{% set ns.l = [ns.l] %}{% endfor %}"
             "{{ ns.l }}", "MAX_TEMPLATE_DEPTH")


# ---- syntax nesting: refused when the template is read, with a line ------------------------------

@pytest.mark.parametrize("source", [
    pytest.param("{{ " + "-" * 3000 + "1 }}", id="unary minus chain"),
    pytest.param("{{ " + "(" * 500 + "1" + ")" * 500 + " }}", id="parentheses"),
    pytest.param("{{ " + " + ".join(["1"] * 300) + " }}", id="long sum"),
    pytest.param("{% if 1 %}" * 200 + "x" + "{% endif %}" * 200, id="nested ifs"),
    pytest.param("{% for i in [1] %}" * 30 + "x" + "{% endfor %}" * 30, id="nested loops"),
    pytest.param("{{ 1" + "|abs" * 400 + " }}", id="filter chain"),
])
def test_syntax_nested_too_deep_is_a_template_syntax_error(source: str) -> None:
    with pytest.raises(TemplateSyntaxError, match="MAX_TEMPLATE_(NESTING|LOOP_NESTING|DEPTH)") as info:
        compile_template(source)
    assert info.value.lineno >= 1


def test_nesting_up_to_the_limits_is_accepted() -> None:
    loops = limits.MAX_TEMPLATE_LOOP_NESTING
    assert _render("{% for i in [1] %}" * loops + "x" + "{% endfor %}" * loops) == "x"
    with pytest.raises(TemplateSyntaxError, match="MAX_TEMPLATE_LOOP_NESTING"):
        compile_template("{% for i in [1] %}" * (loops + 1) + "x" + "{% endfor %}" * (loops + 1))
    assert _render("{{ " + "-" * 20 + "1 }}") == "1"


# ---- still the same templates for the shipped playbooks ------------------------------------------

def test_ordinary_templates_render_as_before() -> None:
    source = ("Hello{{ ' ' ~ customer_name if customer_name }}, {{ order_value | money(currency) }} "
              "{{ size_deviation_cm | string | replace('.', ',') }} {{ [1, 2]|map('string')|join('+') }} "
              "{{ '%.1f'|format(2.25) }} {{ '{} {}'.format('a', 'b') }} {{ 7 // 2 }} {{ (3.5 - 3) | round(1) }}")
    assert _render(source, {"customer_name": "Li", "order_value": 129, "currency": "CNY",
                            "size_deviation_cm": 3.5}) == "Hello Li, CN¥129.00 3,5 1+2 2.2 a b 3 0.5"


def test_customer_text_is_still_data() -> None:
    assert _render("{{ name }}", {"name": "{{ 'a' * 10**9 }}"}) == "{{ 'a' * 10**9 }}"


# ---- through the engine: an overlay's hostile template is a one-line error -----------------------

@pytest.mark.parametrize("template, limit", [
    ("{{ 1 // 0 }}", "division by zero in '//'"),
    ("{% for i in range(100000) %}x{% endfor %}", "MAX_TEMPLATE_RANGE"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "MAX_TEMPLATE_DEPTH"),
    ("{{ ('a' * 20000)|replace('a', 'aaaaaaaaaa') }}", "MAX_TEMPLATE_STRING"),
    ("{% for i in range(1000) %}{{ 'a' * 1000 }}{% endfor %}", "MAX_MESSAGE_CHARS"),
])
def test_decide_with_a_hostile_overlay_template_raises_the_documented_error(tmp_path: Path, template: str,
                                                                           limit: str) -> None:
    from aftersales.engine import decide
    from aftersales.library import load_library

    overlay = tmp_path / "hostile.yaml"
    quoted = template.replace("'", "''")
    overlay.write_text(
        "overlay: hostile\nversion: '1'\nsources: [test]\nscenarios:\n  size_mismatch:\n    outcomes:\n"
        "      exchange_seller_pays:\n        message:\n"
        # each message still gives the outcome's estimate (seed 001), so the hostile part is the only problem
        + "".join(f"          {lang}: '{quoted} {{{{ deadlines.return_request_decision | when(''{lang}'') }}}}'\n"
                  for lang in ("en", "zh", "ru")),
        encoding="utf-8")
    library = load_library(overlay=overlay)
    with pytest.raises(AftersalesError) as info:
        decide("size_mismatch", FACTS, platform="taobao", lang="en", as_of=AS_OF, library=library)
    assert isinstance(info.value, EvaluationError)
    assert limit in str(info.value)
