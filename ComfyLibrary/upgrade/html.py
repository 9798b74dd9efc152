"""The upgrade report as one standalone HTML page (no scripts, no outside files), and as the
table ``Compare ComfyUI Servers`` shows in log.html."""

from __future__ import annotations

from html import escape
from typing import Any

STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}.bad{background:#fde2e2}.good{background:#e2f5e2}
.warn{background:#fff4d6}code{font-size:90%}
"""


def _cell(value: Any) -> str:
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value) if value else "-"
    return escape("-" if value is None else str(value))


def table(headers: list[str], rows: list[list[Any]], classes: list[str] | None = None) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for index, row in enumerate(rows):
        css = f' class="{classes[index]}"' if classes and classes[index] else ""
        body.append(f"<tr{css}>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def summary_table(report: dict[str, Any]) -> str:
    old, new = report["old"], report["new"]
    rows = [
        ["ComfyUI", old.get("comfyui_version"), new.get("comfyui_version")],
        ["torch", old.get("pytorch_version"), new.get("pytorch_version")],
        ["frontend", old.get("required_frontend_version"), new.get("required_frontend_version")],
    ]
    parts = [table(["", f"old: {old['name']}", f"new: {new['name']}"], rows)]
    parts.append(
        table(
            ["finding", "count"], [[k.replace("_", " "), v] for k, v in report["summary"].items()]
        )
    )
    return "".join(parts)


def render(report: dict[str, Any]) -> str:
    """The whole page."""
    old, new = report["old"], report["new"]
    title = f"Upgrade report: ComfyUI {old.get('comfyui_version')} -> {new.get('comfyui_version')}"
    parts = [
        f"<h1>{escape(title)}</h1>",
        f"<p>What changed: <b>{escape(report['what_changed'])}</b>.</p>",
    ]
    parts.append(summary_table(report))
    if "workflows" in report:
        parts.append("<h2>Your workflows</h2>")
        rows, classes = [], []
        for w in report["workflows"]:
            changes = [
                f"node {a['node']} {a['class_type']}: {a['what']}"
                + (f" '{a['input']}'" if a.get("input") else "")
                + f" ({a['impact']})"
                for a in w["affected"]
            ]
            rows.append(
                [
                    w["workflow"],
                    w["verdict"],
                    "valid" if w["old"]["valid"] else w["old"]["problems"],
                    "valid" if w["new"]["valid"] else w["new"]["problems"],
                    changes,
                ]
            )
            classes.append("bad" if w["verdict"] == "breaks" else "warn" if changes else "good")
        headers = ["workflow", "upgrade", "old", "new", "its nodes that changed"]
        parts.append(table(headers, rows, classes))
    catalog = report["catalog"]
    parts.append("<h2>Node catalog</h2>")
    parts.append(
        table(["classes added", "classes removed"], [[catalog["added"], catalog["removed"]]])
    )
    changed_rows = [
        [cls, c["what"], c.get("input"), c.get("old"), c.get("new"), c["impact"]]
        for cls, changes in catalog["changed"].items()
        for c in changes
    ]
    parts.append(table(["class", "change", "input", "old", "new", "impact"], changed_rows))
    if "outputs" in report:
        parts.append("<h2>Outputs</h2>")
        rows = [
            [
                o.get("workflow", ""),
                o["file"],
                "changed" if o.get("changed") else "unchanged",
                o.get("ssim"),
                o.get("max_pixel_difference"),
                o.get("mean_pixel_difference"),
                o.get("detail"),
                o["cause"],
            ]
            for o in report["outputs"]
        ]
        classes = ["warn" if o.get("changed") else "good" for o in report["outputs"]]
        parts.append(
            table(
                [
                    "workflow",
                    "file",
                    "result",
                    "SSIM",
                    "max diff",
                    "mean diff",
                    "detail",
                    "what changed",
                ],
                rows,
                classes,
            )
        )
    if "time" in report:
        parts.append("<h2>Time</h2>")
        for label, key in (("workflow", "workflows"), ("class_type", "node_classes")):
            rows = [
                [r[label], r["old_seconds"], r["new_seconds"], r["ratio"]]
                for r in report["time"][key]
            ]
            parts.append(table([label, "old s", "new s", "new/old"], rows))
    if "protocol" in report:
        parts.append("<h2>Protocol</h2>")
        rows = [[c["check"], c["old"], c["new"]] for c in report["protocol"]]
        classes = ["" if c["same"] else "warn" for c in report["protocol"]]
        parts.append(table(["check", "old", "new"], rows, classes))
    custom = report["custom_nodes"]
    parts.append("<h2>Custom nodes</h2>")
    packs = sorted(
        set(custom["old"])
        | set(custom["new"])
        | set(custom["failed_old"])
        | set(custom["failed_new"])
    )
    rows, classes = [], []
    for pack in packs:
        rows.append(
            [
                pack,
                custom["failed_old"].get(pack) or ("loaded" if pack in custom["old"] else "-"),
                custom["failed_new"].get(pack) or ("loaded" if pack in custom["new"] else "-"),
            ]
        )
        classes.append(
            "bad"
            if pack in custom["failed_new"]
            else "warn"
            if pack in custom["failed_old"]
            else ""
        )
    parts.append(
        table(["pack", "old", "new"], rows, classes) if rows else "<p>No custom node packs.</p>"
    )
    head = f"<meta charset='utf-8'><title>{escape(title)}</title><style>{STYLE}</style>"
    return f"<!DOCTYPE html><html><head>{head}</head><body>{''.join(parts)}</body></html>"
