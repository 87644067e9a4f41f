"""A scored attempt as words: the misses with the playbook's reason and source, and the
playbook's path beside the trainee's (text for the command line, HTML for the notebook)."""

from __future__ import annotations

from html import escape
from itertools import zip_longest
from typing import Any

LABELS = {"resolution": "Resolution", "return_shipping_paid_by": "Return shipping paid by",
          "cost_borne_by": "Cost borne by", "compensation": "Compensation", "reply": "Reply"}


def _label(name: str) -> str:
    return LABELS.get(name, name.replace("deadline:", "Deadline: "))


def feedback_text(score: Any) -> str:
    lines = [f"case {score.case_id}: {score.points:g} / {score.max_points:g}"]
    for check in score.checks:
        mark = "ok  " if check.ok else "MISS"
        line = f"  {mark} {_label(check.name)}: expected {check.expected}, you gave {check.given}"
        if not check.ok and check.why:
            line += f"\n         why: {check.why}" + (f"  [{check.source}]" if check.source else "")
        lines.append(line)
    for finding in score.findings:
        lines.append(f"  reply {finding['severity']}: {finding['rule']}: {finding['message']} [{finding['source']}]")
    lines.append("  path (playbook | yours):")
    for ours, theirs in zip_longest(score.expected_path, score.trainee_path):
        left = ours["step"] if ours else ""
        right = theirs["step"] if theirs else ""
        lines.append(f"    {left:<28} | {right}" + ("" if left == right else "   <- differs"))
    return "\n".join(lines)


def feedback_html(score: Any) -> str:
    rows = []
    for check in score.checks:
        colour = "#eef8ef" if check.ok else "#fdecea"
        why = (f"<div>{escape(check.why)} <span style='color:#6b7585'>[{escape(check.source)}]</span></div>"
               if not check.ok and check.why else "")
        rows.append(f"<tr style='background:{colour}'><td>{'✓' if check.ok else '✗'} {escape(_label(check.name))}</td>"
                    f"<td>{escape(str(check.expected))}</td><td>{escape(str(check.given))}{why}</td></tr>")
    findings = "".join(f"<li><b>{escape(f['severity'])}</b> {escape(f['rule'])}: {escape(f['message'])} "
                       f"<span style='color:#6b7585'>[{escape(f['source'])}]</span></li>" for f in score.findings)
    differs = " style='background:#fff4e5'"
    path_rows = "".join(
        f"<tr{differs if (a or {}).get('step') != (b or {}).get('step') else ''}>"
        f"<td>{escape(a['step']) if a else ''}<div style='color:#6b7585'>{escape(a['reason']) if a else ''}</div></td>"
        f"<td>{escape(b['step']) if b else ''}</td></tr>"
        for a, b in zip_longest(score.expected_path, score.trainee_path))
    return (f"<div class='as-card as-feedback'><h3>{score.points:g} / {score.max_points:g}</h3>"
            f"<table><tr><th></th><th>Playbook</th><th>You</th></tr>{''.join(rows)}</table>"
            + (f"<h4>Reply</h4><ul>{findings}</ul>" if findings else "")
            + f"<h4>Path</h4><table><tr><th>Playbook</th><th>Your answers led to</th></tr>{path_rows}</table></div>")
