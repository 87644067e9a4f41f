"""What ``aftersales diff`` hands on: an approved baseline a CI gate compares against, the
impact report a manager reads (Markdown or HTML), and the chart of cases moved.

* ``--write-baseline impact.json`` saves the impact: per case id, each side's outcome,
  resolution, payers and compensation (or why it was not decided) and the fields that
  changed; plus the structural changes. ``--baseline impact.json`` passes (exit 0) when the
  impact equals the approved one and lists every difference otherwise (exit 1).
* ``--report impact.html`` (``.md`` by suffix): the old → new outcome matrix, the money per
  outcome and currency (refunds, compensation, return shipping; different currencies are never
  added up), each moved case with the rule that moved it, the structural changes.
* ``--chart impact.png``: cases moved per old → new outcome pair, titled with the sides' names.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from .diff import NEWLY_DECIDED, NEWLY_REFUSED, REFUSED_BOTH, DiffReport, field_text, withdrawn
from .errors import AftersalesError

BASELINE_VERSION = 1
MONEY_KINDS = ("refunds", "compensation", "shipping")


# ----------------------------------------------------------------------------- the approved baseline

def _approved_state(state: dict[str, Any]) -> dict[str, Any]:
    """A side's state as approved: why it was not decided is kept to read, not compared (it names folders)."""
    return {key: value for key, value in state.items() if key != "reason"}


def impact_record(report: DiffReport) -> dict[str, Any]:
    """The impact as a baseline: every case whose decision changes or that a side cannot decide."""
    cases = {}
    for case in report.cases:
        if case["fields"] or case["old"]["status"] != "decided" or case["new"]["status"] != "decided":
            cases[case["case"]] = {"scenario": case["scenario"], "platform": case["platform"],
                                   "old": case["old"], "new": case["new"], "changed": list(case["fields"])}
    return {"baseline": BASELINE_VERSION, "old": report.old_name or report.old, "new": report.new_name or report.new,
            "changes": list(report.changes), "cases": cases}


def write_baseline(report: DiffReport, path: Path) -> Path:
    path.write_text(json.dumps(impact_record(report), ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                    encoding="utf-8")
    return path


def read_baseline(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AftersalesError(f"{path}: no such baseline file (write one with --write-baseline)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AftersalesError(f"{path}: not a baseline written by --write-baseline: {exc}") from None
    if not isinstance(data, dict) or data.get("baseline") != BASELINE_VERSION or not isinstance(data.get("cases"), dict):
        raise AftersalesError(f"{path}: not a baseline written by --write-baseline (version {BASELINE_VERSION})")
    return data


def _state_text(state: dict[str, Any]) -> str:
    if state.get("status") != "decided":
        return str(state.get("status"))
    parts = [str(state.get("outcome"))]
    for name, label in (("resolution", "resolution"), ("return_shipping_paid_by", "shipping paid by"),
                        ("cost_borne_by", "cost borne by"), ("compensation", "compensation")):
        parts.append(f"{label} {field_text(name, state.get(name))}")
    return ", ".join(parts)


def baseline_differences(report: DiffReport, approved: dict[str, Any]) -> list[str]:
    """How the impact differs from the approved one, one line each (empty: the same impact)."""
    current = impact_record(report)
    lines = []
    old_changes, new_changes = set(approved.get("changes", [])), set(current["changes"])
    lines += [f"change not approved: {change}" for change in current["changes"] if change not in old_changes]
    lines += [f"approved change no longer made: {change}" for change in approved.get("changes", [])
              if change not in new_changes]
    want, have = approved["cases"], current["cases"]
    for case_id in sorted(set(want) | set(have)):
        a, b = want.get(case_id), have.get(case_id)
        if a is None:
            lines.append(f"case {case_id}: not approved: {_state_text(b['old'])} → {_state_text(b['new'])}"
                         f" ({', '.join(b['changed']) or 'not decided'})")
        elif b is None:
            lines.append(f"case {case_id}: approved as {_state_text(a['new'])}, now unchanged or no longer checked")
        else:
            for side in ("old", "new"):
                if _approved_state(a[side]) != _approved_state(b[side]):
                    lines.append(f"case {case_id}: {side} side approved as {_state_text(a[side])}, "
                                 f"now {_state_text(b[side])}")
            if sorted(a.get("changed", [])) != sorted(b["changed"]) and _approved_state(a["new"]) == _approved_state(b["new"]):
                lines.append(f"case {case_id}: approved changes {', '.join(a.get('changed', [])) or 'none'}, "
                             f"now {', '.join(b['changed']) or 'none'}")
    return lines


# ----------------------------------------------------------------------------- matrix and money

def label_of(state: dict[str, Any]) -> str:
    """A side's result as a row or column of the matrix: the outcome, or "(refused)", "(not offered)"."""
    return str(state["outcome"]) if state["status"] == "decided" else f"({state['status']})"


def outcome_matrix(report: DiffReport, scenario: str | None = None
                   ) -> tuple[list[str], list[str], dict[tuple[str, str], int]]:
    """Rows (old outcomes), columns (new outcomes) and the count of cases per (old, new) pair,
    over every case or one scenario's."""
    counts: Counter[tuple[str, str]] = Counter((label_of(c["old"]), label_of(c["new"])) for c in report.cases
                                               if scenario is None or c["scenario"] == scenario)
    rows = sorted({old for old, _new in counts})
    columns = sorted({new for _old, new in counts})
    return rows, columns, dict(counts)


def moved_pairs(report: DiffReport) -> Counter[tuple[str, str]]:
    """Cases per old → new pair where the outcome moved (or one side stopped deciding)."""
    return Counter((label_of(c["old"]), label_of(c["new"])) for c in report.cases
                   if label_of(c["old"]) != label_of(c["new"]))


def money_by_outcome(report: DiffReport, side: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Per (outcome, currency) on one side: the cases, and refunds, compensation and shipping paid.
    A currency is never added to another; an amount without a known currency is under "?"."""
    table: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {"cases": 0, **{k: 0.0 for k in MONEY_KINDS}, "returns we pay": 0})
    for case in report.cases:
        state = case[side]
        if state["status"] != "decided" or not case["money"][side]:
            continue
        paid = case["money"][side]
        for currency in {str(item["currency"] or "?") for item in paid}:
            table[(state["outcome"], currency)]["cases"] += 1
        for item in paid:
            row = table[(state["outcome"], str(item["currency"] or "?"))]
            if item["kind"] == "shipping":
                row["returns we pay"] += 1
            row[item["kind"]] += item["amount"] or 0.0
    return dict(sorted(table.items()))


def money_totals(report: DiffReport) -> dict[str, dict[str, dict[str, float]]]:
    """Per currency, per kind: the total on each side (``{currency: {kind: {old, new}}}``)."""
    totals: dict[str, dict[str, dict[str, float]]] = {}
    for side in ("old", "new"):
        for (_outcome, currency), row in money_by_outcome(report, side).items():
            if currency == "—":
                continue
            for kind in (*MONEY_KINDS, "returns we pay"):
                totals.setdefault(currency, {k: {"old": 0.0, "new": 0.0} for k in (*MONEY_KINDS, "returns we pay")}
                                  )[kind][side] += row[kind]
    return dict(sorted(totals.items()))


def _money(amount: float, currency: str) -> str:
    from .present.formats import format_money

    code = None if currency in ("?", "—") else currency  # an amount whose currency is not known: the number
    return format_money(amount, code, "en").replace("\u00a0", " ")


def _rule_text(case: dict[str, Any]) -> str:
    rule = case["rule"]
    if rule is not None:
        return (f"step '{rule['title']}': {rule['was']} ⇒ {rule['branch']} — {rule['reason']}"
                + (f" (source: {rule['source']})" if rule["source"] else "") + f" [{rule['where']}]")
    if case["old"]["status"] != "decided" or case["new"]["status"] != "decided":
        side = case["new"] if case["new"]["status"] != "decided" else case["old"]
        return f"{side['status']}: {side.get('reason', '')}"
    if case.get("deadlines"):
        return f"same steps; deadlines: {case['deadlines']} (see the parameter changes)"
    return "same steps; the outcome's terms changed (see the parameter changes)"


# ----------------------------------------------------------------------------- the report

def report_sections(report: DiffReport) -> list[tuple[str, list[str] | None, list[list[str]]]]:
    """The report as (heading, table header or None for a list, rows) sections, shared by Markdown and HTML."""
    moved = report.moved
    outcome_moved = [c for c in moved if label_of(c["old"]) != label_of(c["new"])]
    kinds = Counter(row["kind"] for row in report.undecided)
    summary = [[f"{len(report.cases)} cases compared: {report.checked} decided on both sides or offered on one, "
                f"{len(moved)} decided differently ({len(outcome_moved)} change outcome)"],
               [f"not decided: {kinds[REFUSED_BOTH]} refused on both sides, {kinds[NEWLY_REFUSED]} newly refused, "
                f"{kinds[NEWLY_DECIDED]} newly decided; {len(report.not_offered)} offered on neither side"]]
    for group in withdrawn(report):
        where = ", ".join(f"{s} {n}" for s, n in sorted(group["scenarios"].items()))
        summary.append([f"{group['reason']}: {len(group['cases'])} cases "
                        f"{'no longer' if group['side'] == 'new' else 'newly'} offered ({where})"])
    sections: list[tuple[str, list[str] | None, list[list[str]]]] = [("Summary", None, summary)]

    scenarios = sorted({c["scenario"] for c in report.cases if label_of(c["old"]) != label_of(c["new"])})
    if not scenarios:
        sections.append(("Outcomes: old → new", None, [["no case changed its outcome"]]))
    for scenario in scenarios:
        rows, columns, counts = outcome_matrix(report, scenario)
        sections.append((f"Outcomes of {scenario}: old (rows) → new (columns)", ["old \\ new", *columns, "total"],
                         [[row, *[str(counts.get((row, col), 0) or "") for col in columns],
                           str(sum(counts.get((row, col), 0) for col in columns))] for row in rows]
                         + [["total", *[str(sum(counts.get((row, col), 0) for row in rows)) for col in columns],
                             str(sum(counts.values()))]]))

    for side, name in (("old", report.old_name or report.old), ("new", report.new_name or report.new)):
        table = money_by_outcome(report, side)
        sections.append((f"Money per outcome: {name} (outcomes that pay; shipping = return labels of known cost)",
                         ["outcome", "currency", "cases", *MONEY_KINDS, "returns we pay"],
                         [[outcome, currency, str(row["cases"]),
                           *[_money(row[k], currency) if row[k] else "" for k in MONEY_KINDS],
                           str(row["returns we pay"] or "")]
                          for (outcome, currency), row in table.items()]))
    totals = money_totals(report)
    sections.append(("Money in total, per currency (old → new)", ["currency", *MONEY_KINDS, "returns we pay"],
                     [[currency, *[f"{_money(v[k]['old'], currency)} → {_money(v[k]['new'], currency)}"
                                   for k in MONEY_KINDS],
                       f"{int(v['returns we pay']['old'])} → {int(v['returns we pay']['new'])}"]
                      for currency, v in totals.items()]))

    others = [c for c in moved if label_of(c["old"]) == label_of(c["new"])]
    # each rule that moved a case once, numbered; every moved case points at its rule (a link in HTML)
    rules: dict[str, str] = {}
    for case in outcome_moved:
        rules.setdefault(_rule_text(case), f"R{len(rules) + 1}")
    sections.append((f"Rules that moved cases ({len(rules)})", ["rule", "cases", "step, branch now taken, reason, "
                                                                 "source and place"],
                     [[number, str(sum(1 for c in outcome_moved if _rule_text(c) == text)), text]
                      for text, number in rules.items()]))
    sections.append((f"Cases whose outcome moved ({len(outcome_moved)})",
                     ["case", "scenario", "platform", "old", "new", "rule that moved it"],
                     [[c["case"], c["scenario"], c["platform"], label_of(c["old"]), label_of(c["new"]),
                       f"{rules[_rule_text(c)]} {_rule_text(c).split(' — ')[0]}"] for c in outcome_moved]))
    sections.append((f"Cases with the same outcome and other terms changed ({len(others)})",
                     ["case", "scenario", "platform", "outcome", "what changed", "why"],
                     [[c["case"], c["scenario"], c["platform"], label_of(c["new"]), ", ".join(c["fields"]),
                       _rule_text(c)] for c in others]))
    if report.undecided:
        sections.append((f"Cases not decided ({len(report.undecided)})", ["case", "scenario", "platform", "kind",
                                                                         "old", "new"],
                         [[r["case"], r["scenario"], r["platform"], r["kind"], r["old"], r["new"]]
                          for r in report.undecided]))
    sections.append((f"Changes to the rules ({len(report.changes)})", None,
                     [[change] for change in report.changes] or [["no change to rules or messages"]]))
    return sections


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_report(report: DiffReport) -> str:
    lines = [f"# Impact of {report.title}", ""]
    for heading, header, rows in report_sections(report):
        lines += [f"## {heading}", ""]
        if header is None:
            lines += [f"- {_md_cell(row[0])}" for row in rows]
        elif rows:
            lines += ["| " + " | ".join(_md_cell(h) for h in header) + " |",
                      "|" + "|".join("---" for _ in header) + "|"]
            lines += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in rows]
        else:
            lines.append("(none)")
        lines.append("")
    return "\n".join(lines)


def _html_cell(cell: str, heading: str) -> str:
    """A table cell; a rule's number is its anchor in "Rules that moved cases" and a link elsewhere."""
    e = html.escape
    number = re.match(r"^(R\d+)(?: |$)", cell)
    if number and heading.startswith("Rules that moved cases"):
        return f'<td id="{number.group(1).lower()}">{e(cell)}</td>'
    if number:
        rest = cell[len(number.group(1)):]
        return f'<td><a href="#{number.group(1).lower()}">{number.group(1)}</a>{e(rest)}</td>'
    if cell.replace(",", "").replace(".", "").isdigit():
        return f'<td class="n">{e(cell)}</td>'
    return f"<td>{e(cell)}</td>"


def html_report(report: DiffReport) -> str:
    e = html.escape
    parts = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>Impact of {e(report.title)}</title>",
             "<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}"
             "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .5em;"
             "text-align:left;vertical-align:top}th{background:#f3f3f3}td.n{text-align:right}</style>",
             "</head><body>", f"<h1>Impact of {e(report.title)}</h1>"]
    for heading, header, rows in report_sections(report):
        parts.append(f"<h2>{e(heading)}</h2>")
        if header is None:
            parts.append("<ul>" + "".join(f"<li>{e(row[0])}</li>" for row in rows) + "</ul>")
        elif rows:
            parts.append("<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr></thead><tbody>")
            for row in rows:
                parts.append("<tr>" + "".join(_html_cell(cell, heading) for cell in row) + "</tr>")
            parts.append("</tbody></table>")
        else:
            parts.append("<p>(none)</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(report: DiffReport, path: Path) -> Path:
    """The report as HTML (``.html``/``.htm``) or Markdown (``.md`` and anything else)."""
    text = html_report(report) if path.suffix.lower() in (".html", ".htm") else markdown_report(report)
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- the chart

def impact_figure(report: DiffReport) -> Any:
    """A bar per old → new outcome pair, its height the number of cases moved that way."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    pairs = moved_pairs(report).most_common()
    figure, axis = plt.subplots(figsize=(max(6.0, 0.9 * len(pairs) + 2), 4.5))
    if not pairs:
        axis.text(0.5, 0.5, "no case changed its outcome", ha="center", va="center")
        axis.set_axis_off()
    else:
        labels = [f"{old}\n→ {new}" for (old, new), _count in pairs]
        heights = [count for _pair, count in pairs]
        bars = axis.bar(range(len(pairs)), heights, color="#4C72B0")
        axis.bar_label(bars, label_type="center", color="white")
        axis.set_xticks(range(len(pairs)), labels, rotation=30, ha="right", fontsize=8)
        axis.set_ylim(0, max(heights))
        axis.yaxis.set_major_locator(MaxNLocator(integer=True))
        axis.set_ylabel("number of cases")
        axis.set_xlabel("old outcome → new outcome")
    axis.set_title(f"Cases moved: {report.title}")
    figure.tight_layout()
    return figure


def impact_chart(report: DiffReport, path: Path) -> Path:
    import matplotlib.pyplot as plt

    figure = impact_figure(report)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


# ----------------------------------------------------------------------------- the terminal

def text_lines(report: DiffReport) -> list[str]:
    """What ``aftersales diff`` prints: the changes, the cases decided differently (a platform one
    side does not offer in one line), and the cases not decided, counted by kind."""
    lines = [f"changes {report.title}:" if report.changes else "no change to rules or messages"]
    lines += [f"  {change}" for change in report.changes]
    groups = withdrawn(report)
    summed = {case for group in groups for case in group["cases"]}
    moved = report.moved
    outcome_moved = sum(1 for c in moved if label_of(c["old"]) != label_of(c["new"]))
    changed = len({row["case"] for row in report.impact})
    lines.append(f"impact: {changed} of {report.checked} cases decided differently ({outcome_moved} change outcome)")
    by_case: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in report.impact:
        by_case[row["case"]][row["field"]] = row
    # cases that move the same way for the same rule are one group: "5 cases a → b, moved by ..."
    groups_moved: dict[tuple[str, ...], list[str]] = {}
    shifted: dict[str, list[str]] = {}
    for case in moved:
        rows = by_case.get(case["case"], {})
        if case["case"] in summed or not rows:
            continue
        if "deadlines" in rows and rows["deadlines"].get("shift"):
            shifted.setdefault(rows["deadlines"]["shift"], []).append(case["case"])
        terms = [f"{name.replace('_', ' ')} {row['old']} → {row['new']}" for name, row in rows.items()
                 if name not in ("outcome", "deadlines")]
        if "outcome" not in rows and not terms:
            continue
        key = (case["scenario"], *(("outcome", rows["outcome"]["old"], rows["outcome"]["new"], _rule_text(case))
                                   if "outcome" in rows else ()), *terms)
        groups_moved.setdefault(key, []).append(case["case"])
    for key, cases in groups_moved.items():
        shown = ", ".join(cases[:8]) + (f", … ({len(cases) - 8} more)" if len(cases) > 8 else "")
        if key[1:2] == ("outcome",):
            lines.append(f"  {len(cases)} {key[0]} case(s) {key[2]} → {key[3]} ({shown})")
            lines.append(f"      moved by {key[4]}")
            extra = key[5:]
        else:
            lines.append(f"  {len(cases)} {key[0]} case(s), same outcome ({shown})")
            extra = key[1:]
        lines += [f"      {term}" for term in extra]
    for shift, cases in shifted.items():
        shown = ", ".join(cases[:8]) + (f", … ({len(cases) - 8} more)" if len(cases) > 8 else "")
        lines.append(f"  deadlines of {len(cases)} case(s): {shift} ({shown})")
    for group in groups:
        where = ", ".join(f"{s} {n}" for s, n in sorted(group["scenarios"].items()))
        lines.append(f"{group['reason']}: {len(group['cases'])} cases "
                     f"{'no longer' if group['side'] == 'new' else 'newly'} offered ({where})")
    if report.undecided:
        kinds = Counter(row["kind"] for row in report.undecided)
        lines.append(f"undecided: {len(report.undecided)} of {report.total} cases could not be decided on one side or "
                     f"both ({kinds[REFUSED_BOTH]} {REFUSED_BOTH}, {kinds[NEWLY_REFUSED]} {NEWLY_REFUSED}, "
                     f"{kinds[NEWLY_DECIDED]} {NEWLY_DECIDED})")
        for row in report.undecided:
            sides = row["old"] if row["old"] == row["new"] else f"old {row['old']}; new {row['new']}"
            lines.append(f"  {row['case']:<14} {row['scenario']:<15} {row['platform']:<8} {row['kind']}: {sides}")
    if report.not_offered:
        platforms = sorted({row["platform"] for row in report.not_offered})
        lines.append(f"not offered on either side: {len(report.not_offered)} cases ({', '.join(platforms)})")
    if report.unmapped:
        lines.append(f"not read: {len(report.unmapped)} row(s) of the cases file the --map file could not read")
        lines += [f"  {row}" for row in report.unmapped]
    return lines


def json_record(report: DiffReport) -> dict[str, Any]:
    """``diff --json``: the changes, the counts, the impact rows and each moved case with its rule."""
    kinds = Counter(row["kind"] for row in report.undecided)
    return {"old": report.old, "new": report.new, "old_name": report.old_name, "new_name": report.new_name,
            "changes": report.changes, "checked": report.checked, "cases": report.total,
            "changed": len({row["case"] for row in report.impact}), "impact": report.impact,
            "undecided": report.undecided, "undecided_counts": {k: kinds[k] for k in (REFUSED_BOTH, NEWLY_REFUSED,
                                                                                     NEWLY_DECIDED)},
            "not_offered": report.not_offered, "withdrawn": withdrawn(report),
            "moved": [{key: c[key] for key in ("case", "scenario", "platform", "old", "new", "fields", "rule")}
                      for c in report.moved]}
