#!/usr/bin/env python3
"""Renders the sub-benchmarks' results ($BENCH_OUT/<name>.json, default bench/out) as
bench/RESULTS.md (Markdown tables) and bench/results.svg (the ratios against their targets, and
the rates as bars), and keeps what it rendered in bench/results.json. A sub-benchmark with no file
in $BENCH_OUT (not run this time, e.g. BENCH_ONLY) keeps its section from results.json, marked as
from an earlier run with that run's start time. Standard library only. The file contract is in
bench/README.md.
Usage: python3 bench/report.py [--out-dir DIR] [--md FILE] [--svg FILE] [--previous FILE | --no-previous]"""
import argparse
import glob
import html
import json
import os
import sys

ORDER = ["grpc", "gateway", "messaging", "intake-inprocess", "cluster"]
RATE_UNITS = ("req/s", "/s")


def load(out_dir, previous=None):
    """(suite info, [(name, document)]) in the fixed order; files starting with '_' are the suite's own.
    previous: the documents of the last report (results.json); those of sub-benchmarks absent from
    out_dir are kept, marked carried_over (a failed one is not kept: it has no figures)."""
    suite = {}
    suite_path = os.path.join(out_dir, "_suite.json")
    if os.path.exists(suite_path):
        with open(suite_path) as f:
            suite = json.load(f)
    docs = {}
    for path in glob.glob(os.path.join(out_dir, "*.json")):
        name = os.path.basename(path)[:-5]
        if name.startswith("_"):
            continue
        try:
            with open(path) as f:
                docs[name] = json.load(f)
        except (OSError, ValueError) as e:
            docs[name] = {"title": name, "failed": True, "notes": [f"{os.path.basename(path)} is not readable JSON: {e}"]}
    # A sub-benchmark the suite ran that failed before writing its file is reported too.
    for name, status in suite.get("benchmarks", {}).items():
        if status.get("exit", 0) != 0 and name in docs:
            docs[name].setdefault("failed", True)
        if status.get("exit", 0) != 0 and name not in docs:
            docs[name] = {"title": name, "failed": True, "notes": []}
        if status.get("exit", 0) != 0:
            docs[name].setdefault("notes", []).insert(0, f"FAILED: exit code {status['exit']} (log: {status.get('log', '?')})")
            if status.get("tail"):
                docs[name]["log_tail"] = status["tail"]
    for name, doc in (previous or {}).items():
        if name not in docs and not doc.get("failed"):
            docs[name] = dict(doc, carried_over=True)
    names = [n for n in ORDER if n in docs] + sorted(n for n in docs if n not in ORDER)
    return suite, [(n, docs[n]) for n in names]


def load_previous(path):
    """The documents results.json kept from the last report, by name ({} when there is none)."""
    try:
        with open(path) as f:
            return json.load(f).get("benchmarks", {})
    except (OSError, ValueError):
        return {}


def save(path, suite, docs):
    kept = {n: {k: v for k, v in d.items() if k != "carried_over"} for n, d in docs}
    with open(path, "w") as f:
        json.dump({"suite": suite, "benchmarks": kept}, f, indent=1, ensure_ascii=False)
        f.write("\n")


def title_of(name, doc):
    """The section's title; a section carried over from an earlier run says so."""
    title = doc.get("title", name)
    return f"{title} (earlier run, {doc.get('started', 'date unknown')})" if doc.get("carried_over") else title


def fmt(value, unit):
    if value is None:
        return "n/a"  # not measured in this run (e.g. every read failed: no latency)
    if unit in RATE_UNITS:
        return f"{value:,.0f} {unit}"
    if unit == "%":
        return f"{value:.0f} %"
    if unit == "ms":
        return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"
    return f"{value:g} {unit}"


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def md_table(columns, rows):
    lines = ["| " + " | ".join(cell(c) for c in columns) + " |", "| " + " | ".join("---" for _ in columns) + " |"]
    for row in rows:
        lines.append("| " + " | ".join(cell(c) for c in row) + " |")
    return lines


def met_text(m):
    if "met" not in m:
        return ""
    return "met" if m["met"] else "**NOT met**"


def markdown(suite, docs, svg_name):
    lines = ["# Benchmark results", ""]
    lines.append("Written by `bench/run.sh` (the one command; see [README.md](README.md)) through `bench/report.py`. "
                 "Every figure is a rate or a ratio measured side by side within one run (the run of its section).")
    lines.append("")
    if suite:
        lines.append(f"- run: {suite.get('started', '?')} to {suite.get('finished', '?')}, "
                     f"{'quick mode (BENCH_QUICK=1)' if suite.get('quick') else 'full mode'}")
        lines.append(f"- machine: {suite.get('machine', '?')}")
        for note in suite.get("notes", []):
            lines.append(f"- {note}")
        lines.append("")
    carried = [n for n, d in docs if d.get("carried_over")]
    if carried:
        lines.append(f"Not re-run in this run, so shown as they were measured in an earlier run (each section says when): "
                     f"{', '.join(carried)}.")
        lines.append("")
    failed = [n for n, d in docs if d.get("failed")]
    if failed:
        lines.append(f"**Failed sub-benchmarks: {', '.join(failed)}** (see their sections).")
        lines.append("")
    targets = [(title_of(n, d), m) for n, d in docs for m in d.get("metrics", []) if "target" in m]
    if targets:
        lines.append("## Targets")
        lines.append("")
        lines += md_table(["benchmark", "measure", "value", "target", ""],
                          [[t, m["name"], fmt(m["value"], m["unit"]), m["target"], met_text(m)] for t, m in targets])
        lines.append("")
    lines.append(f"![ratios against their targets, and rates]({svg_name})")
    lines.append("")
    for name, doc in docs:
        lines.append(f"## {doc.get('title', name)} (`{name}.json`)")
        lines.append("")
        if doc.get("carried_over"):
            lines.append(f"**Not re-run in this run: these figures are from an earlier run (started {doc.get('started', '?')}), "
                         "kept from `results.json`.**")
            lines.append("")
        if doc.get("failed"):
            lines.append("**This sub-benchmark FAILED in this run.**")
            lines.append("")
        for key in ("machine", "started"):
            if doc.get(key):
                lines.append(f"- {key}: {doc[key]}")
        for note in doc.get("notes", []):
            lines.append(f"- {note}")
        lines.append("")
        if doc.get("log_tail"):
            lines.append("```")
            lines += doc["log_tail"].rstrip("\n").split("\n")
            lines.append("```")
            lines.append("")
        metrics = doc.get("metrics", [])
        if metrics:
            lines += md_table(["measure", "value", "target", ""],
                              [[m["name"], fmt(m["value"], m["unit"]), m.get("target", ""), met_text(m)] for m in metrics])
            lines.append("")
        for table in doc.get("tables", []):
            if table.get("caption"):
                lines.append(f"*{table['caption']}*")
                lines.append("")
            lines += md_table(table.get("columns", []), table.get("rows", []))
            lines.append("")
    return "\n".join(lines)


# ---- SVG ----
WIDTH = 960
LABEL_W = 400
BAR_X = LABEL_W + 10
BAR_W = WIDTH - BAR_X - 130
ROW_H = 28
GREEN, RED, GREY, BLUE = "#2e7d32", "#c62828", "#78909c", "#1565c0"


def text(x, y, s, size=13, anchor="start", weight="normal", fill="#222"):
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'fill="{fill}">{html.escape(str(s))}</text>')


def target_value(target):
    """'>= 80 %' -> 80.0"""
    digits = "".join(ch for ch in target if ch.isdigit() or ch == ".")
    try:
        return float(digits)
    except ValueError:
        return None


def svg(suite, docs):
    parts, y = [], 30
    title = "Benchmarks"
    if suite:
        title += f" — {suite.get('machine', '')}"
    parts.append(text(10, y, title, 16, weight="bold"))
    y += 18
    if suite:
        carried = any(d.get("carried_over") for _, d in docs)
        parts.append(text(10, y, f"{suite.get('started', '')}, {'quick mode' if suite.get('quick') else 'full mode'}; "
                                 "every figure measured side by side within its benchmark's run"
                                 + ("; sections marked 'earlier run' were not re-run" if carried else ""), 12, fill="#555"))
    y += 30

    # A metric a failed run could not measure (value None) has no bar; the tables say n/a.
    ratios = [(title_of(n, d), n + (" (earlier run)" if d.get("carried_over") else ""), m)
              for n, d in docs for m in d.get("metrics", []) if m["unit"] == "%" and m["value"] is not None]
    if ratios:
        parts.append(text(10, y, "Ratios (%) against their targets — green: met, red: not met, grey: no target", 14, weight="bold"))
        y += 12
        scale_max = 200.0
        top = y
        for _, bench, m in ratios:
            y += ROW_H
            value = m["value"]
            width = min(value, scale_max) / scale_max * BAR_W
            colour = GREY if "met" not in m else (GREEN if m["met"] else RED)
            parts.append(text(LABEL_W, y - 6, f"{bench}: {m['name']}", 12, anchor="end"))
            parts.append(f'<rect x="{BAR_X}" y="{y - 18}" width="{max(width, 1):.1f}" height="16" fill="{colour}"/>')
            label = fmt(value, "%") + (" (off scale)" if value > scale_max else "")
            label_x = BAR_X + min(width, BAR_W) + 6
            if "target" in m and target_value(m["target"]) is not None:
                tx = BAR_X + min(target_value(m["target"]), scale_max) / scale_max * BAR_W
                if label_x - 6 < tx < label_x + 60:
                    label_x = tx + 6  # the value's label after the target's line, not across it
                parts.append(f'<line x1="{tx:.1f}" y1="{y - 21}" x2="{tx:.1f}" y2="{y + 1}" stroke="#000" stroke-width="2"/>')
                parts.append(text(tx + 3, y - 20, m["target"], 9, fill="#000"))
            parts.append(text(label_x, y - 6, label, 12))
        # the axis: 0, 50, 100, 150, 200 %
        for tick in range(0, int(scale_max) + 1, 50):
            tx = BAR_X + tick / scale_max * BAR_W
            parts.append(f'<line x1="{tx:.1f}" y1="{top + 4}" x2="{tx:.1f}" y2="{y + 4}" stroke="#ccc" stroke-dasharray="3,3"/>')
            parts.append(text(tx, y + 18, f"{tick} %", 10, anchor="middle", fill="#555"))
        y += 40

    rate_groups = [(n, d, [m for m in d.get("metrics", []) if m["unit"] in RATE_UNITS and m["value"] is not None]) for n, d in docs]
    rate_groups = [g for g in rate_groups if g[2]]
    if rate_groups:
        parts.append(text(10, y, "Rates — bars scaled within each benchmark (same run, same machine)", 14, weight="bold"))
        y += 8
        for name, doc, metrics in rate_groups:
            y += 22
            parts.append(text(10, y, title_of(name, doc), 12, weight="bold", fill="#333"))
            biggest = max(m["value"] for m in metrics) or 1
            for m in metrics:
                y += ROW_H
                width = m["value"] / biggest * BAR_W
                parts.append(text(LABEL_W, y - 6, m["name"], 12, anchor="end"))
                parts.append(f'<rect x="{BAR_X}" y="{y - 18}" width="{max(width, 1):.1f}" height="16" fill="{BLUE}"/>')
                parts.append(text(BAR_X + width + 6, y - 6, fmt(m["value"], m["unit"]), 12))
        y += 10

    failed = [n for n, d in docs if d.get("failed")]
    if failed:
        y += 24
        parts.append(text(10, y, f"FAILED in this run: {', '.join(failed)}", 14, weight="bold", fill=RED))
    if not docs:
        y += 24
        parts.append(text(10, y, "no results found", 14, fill=RED))
    height = y + 20
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
            f'font-family="DejaVu Sans, Arial, sans-serif">\n<rect width="100%" height="100%" fill="#fff"/>\n'
            + "\n".join(parts) + "\n</svg>\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out-dir", default=os.environ.get("BENCH_OUT") or os.path.join(here, "out"))
    parser.add_argument("--md", default=os.path.join(here, "RESULTS.md"))
    parser.add_argument("--svg", default=os.path.join(here, "results.svg"))
    parser.add_argument("--previous", default=os.path.join(here, "results.json"),
                        help="documents of the last report, kept for sub-benchmarks not run this time; rewritten with this report's")
    parser.add_argument("--no-previous", action="store_true", help="render only what is in --out-dir")
    args = parser.parse_args()
    suite, docs = load(args.out_dir, {} if args.no_previous else load_previous(args.previous))
    with open(args.md, "w") as f:
        f.write(markdown(suite, docs, os.path.relpath(args.svg, os.path.dirname(os.path.abspath(args.md)))))
    with open(args.svg, "w") as f:
        f.write(svg(suite, docs))
    save(args.previous, suite, docs)
    carried = [n for n, d in docs if d.get("carried_over")]
    print(f"wrote {args.md}, {args.svg} and {args.previous} from {len(docs) - len(carried)} result file(s) in {args.out_dir}"
          + (f"; kept from the earlier report: {', '.join(carried)}" if carried else ""))
    return 1 if any(d.get("failed") for _, d in docs) or not docs else 0


if __name__ == "__main__":
    sys.exit(main())
