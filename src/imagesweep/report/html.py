"""``report.html``: the run directory as one self-contained page people look at.

Built from the run directory alone (``sweep.json``, ``changes.csv``, ``raw/``, read through
:mod:`imagesweep.report.schema`), so ``imagesweep report RUN_DIR`` rebuilds the same page
from any past run. The page makes no request: the charts are SVG drawn here by pygal and
inlined, the table's script and the style are inline, and a Content-Security-Policy of
``default-src 'none'`` with the script's own hash forbids everything else, so that even an
escaping mistake could neither run injected script nor fetch anything.

Device text is hostile. It reaches the page in two ways only: HTML-escaped text
(:func:`html.escape`), and a JSON block whose ``<``, ``>``, ``&`` and line separators are
``\\u`` escapes, read by the script with ``JSON.parse`` and put into the page with
``textContent``, never as markup.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import html
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pygal
from pygal.style import Style

from imagesweep.errors import ConfigError
from imagesweep.files import write_atomic
from imagesweep.paths import basename
from imagesweep.records import SEVERITIES, severity_rank
from imagesweep.report import schema
from imagesweep.report.triage import natural_key
from imagesweep.sanitize import safe_name, terminal

REPORT_HTML = "report.html"
# Raw outputs embedded in the page (gzip, base64: the browser's DecompressionStream opens
# them when a device is shown), worst devices first; past the budget a device's raw outputs
# are linked (raw/<host>.txt beside the page) instead, so 10,000 devices stay openable.
RAW_BUDGET = 12_000_000  # bytes of base64 in the page
RAW_OUTPUT_CAP = 200_000  # characters of one output
STATUSES = ("clean", "findings", "incomplete")
INTEGRITIES = ("tampered", "unknown", "unverified", "verified")
_COLOURS = {
    "critical": "#b71c1c",
    "high": "#e65100",
    "medium": "#f9a825",
    "low": "#1565c0",
    "info": "#607d8b",
    "clean": "#2e7d32",
    "findings": "#e65100",
    "incomplete": "#6d4c41",
    "tampered": "#b71c1c",
    "unknown": "#f9a825",
    "unverified": "#6d4c41",
    "verified": "#2e7d32",
}


@dataclass(frozen=True)
class Page:
    """The page and what it holds, for the caller's summary line."""

    text: str
    devices: int
    raw_embedded: int  # devices whose raw outputs are in the page


def _text(value: object) -> str:
    """Device text as plain text: no terminal escapes, no control characters."""
    return terminal("" if value is None else str(value))


def _e(value: object) -> str:
    return html.escape(_text(value), quote=True)


def _json_for_script(data: object) -> str:
    """JSON that cannot end its ``<script type="application/json">`` element early."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (
        ("&", "\\u0026"),
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


# --- the device records the script renders ---------------------------------------------


def _finding(f: Mapping[str, Any], recommendations: dict[str, str] | None) -> list[object]:
    """[rule, severity, summary, technique, evidence, recommendation]; a rule's usual
    recommendation is said once in the page (``rec``), "" here."""
    rule, text = _text(f.get("rule")), _text(f.get("recommendation"))
    if recommendations is not None and recommendations.setdefault(rule, text) == text:
        text = ""
    return [
        rule,
        _text(f.get("severity")),
        _text(f.get("summary")),
        _text(f.get("technique")),
        [_text(line) for line in f.get("evidence") or ()],
        text,
    ]


def _image(i: Mapping[str, Any]) -> list[object]:
    size = i.get("size")
    return [
        _text(i.get("path")),
        size if isinstance(size, int) else None,
        bool(i.get("running")),
        bool(i.get("boot_target")),
        _text(i.get("md5")),
        _text(i.get("sha512")),
        _text(i.get("known_good")),
        _text(i.get("verdict")),
    ]


def _raw(run_dir: Path, entry: schema.DeviceEntry, version: int) -> list[tuple[str, str]]:
    """(command, output) of the device's raw outputs, in the order the commands ran, from a
    run of schema ``version``."""
    if version < 2:
        outputs = _raw_schema1(run_dir, entry)
    else:
        try:
            outputs = [(o.command, o.text) for o in schema.read_raw(run_dir, entry.host)]
        except ConfigError as exc:  # shown where the outputs would be, not dropped
            return [("[imagesweep]", f"raw outputs not shown: {exc}")]
    if not outputs and entry.commands:
        missing = f"{_raw_link(entry, version)} is missing"
        return [("[imagesweep]", f"raw outputs not shown: {missing}, yet commands ran")]
    return [(_text(command), _text(_capped(text))) for command, text in outputs]


def _raw_link(entry: schema.DeviceEntry, version: int) -> str:
    if version < 2:
        return f"{schema.RAW_DIR}/{safe_name(entry.host)}/"
    return f"{schema.RAW_DIR}/{schema.raw_name(entry.host)}"


def _raw_schema1(run_dir: Path, entry: schema.DeviceEntry) -> list[tuple[str, str]]:
    """Runs written before schema 2 kept a file per command: raw/<host>/<command>.txt."""
    folder = run_dir / schema.RAW_DIR / safe_name(entry.host)
    if not folder.is_dir():
        return []
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for c in entry.raw.get("commands") or ():
        if not isinstance(c, Mapping):
            continue
        command, step = str(c.get("command") or ""), str(c.get("step") or "")
        stem = safe_name(command, limit=100) or step
        name, n = f"{stem}.txt", 2
        while name in seen:
            name, n = f"{stem}.{n}.txt", n + 1
        seen.add(name)
        try:
            out.append((command, (folder / name).read_text(encoding="utf-8", errors="replace")))
        except OSError as exc:
            out.append((command, f"[imagesweep: raw/{folder.name}/{name}: {exc.strerror or exc}]"))
    return out


def _capped(text: str) -> str:
    if len(text) > RAW_OUTPUT_CAP:
        return text[:RAW_OUTPUT_CAP] + f"\n[imagesweep: cut at {RAW_OUTPUT_CAP} characters]"
    return text


def pack(raw: list[tuple[str, str]]) -> str:
    """Raw outputs as the page holds them: JSON, gzip (no timestamp), base64."""
    data = json.dumps(raw, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(gzip.compress(data, compresslevel=6, mtime=0)).decode("ascii")


def unpack(packed: str) -> list[list[str]]:
    """The inverse of :func:`pack` (for tests and readers of the page)."""
    data: list[list[str]] = json.loads(gzip.decompress(base64.b64decode(packed)))
    return data


def device_record(
    entry: schema.DeviceEntry,
    index: int,
    raw: str | None,
    raw_link: str,
    recommendations: dict[str, str] | None = None,
) -> dict[str, Any]:
    d = entry.raw
    findings = [f for f in d.get("findings") or () if isinstance(f, Mapping)]
    return {
        "k": index,
        "h": _text(entry.host),
        "a": _text(entry.address),
        "p": _text(entry.platform),
        "n": _text(d.get("hostname")),
        "m": _text(d.get("model")),
        "sn": _text(d.get("serial")),
        "v": _text(d.get("version")),
        "ri": _text(d.get("running_image")),
        "b": _text(d.get("boot_images")),
        "s": _text(entry.status),
        "i": _text(d.get("integrity")),
        "hs": _text(d.get("hash_status")),
        "x": _text(d.get("max_severity")),
        "c": len(findings),
        "r": _text(d.get("rules")),
        "e": _text(d.get("error")),
        "t": _text(d.get("audited_at")),
        "f": [_finding(f, recommendations) for f in findings],
        "g": [_image(i) for i in d.get("images") or () if isinstance(i, Mapping)],
        "gap": [
            [_text(g.get("step")), _text(g.get("reason"))]
            for g in d.get("gaps") or ()
            if isinstance(g, Mapping)
        ],
        "o": raw,  # packed raw outputs; None: not embedded (over the budget), see "rd"
        "rd": raw_link,
    }


# --- charts (pygal: SVG drawn in Python, inlined; no script) ----------------------------


def _strip_scripts(root: Any) -> Any:
    """pygal's xml filter: drop its ``<script>`` elements (tooltip config and loader); the
    page shows the values as text instead, and its policy allows no other script."""
    for parent in list(root.iter()):
        for child in list(parent):
            if str(child.tag).endswith("script"):
                parent.remove(child)
    return root


def _style(colours: Sequence[str]) -> Style:
    return Style(
        background="transparent",
        plot_background="transparent",
        foreground="#222",
        foreground_strong="#111",
        foreground_subtle="#999",
        colors=tuple(colours) or ("#607d8b",),
        font_family="system-ui, sans-serif",
        value_font_size=14,
        label_font_size=13,
        major_label_font_size=13,
        title_font_size=15,
    )


def _ticks(values: Iterable[int]) -> dict[str, Any]:
    """Whole-number ticks for small counts (pygal would label 0.1, 0.2, ... devices)."""
    top = max(values, default=0)
    return {"y_labels": list(range(top + 1))} if top < 10 else {}


def _chart(
    kind: Callable[..., Any], title: str, values: Sequence[tuple[str, int]], **extra: Any
) -> str:
    extra = {**_ticks(n for _label, n in values), **extra}
    chart = kind(
        style=_style([_COLOURS.get(label, "#607d8b") for label, _ in values]),
        title=title,
        js=[],
        disable_xml_declaration=True,
        show_legend=False,
        print_values=True,
        width=420,
        height=260,
        margin=8,
        truncate_label=-1,
        **extra,
    )
    chart.add_xml_filter(_strip_scripts)
    chart.x_labels = [label for label, _ in values]
    # One serie of coloured bars: each value carries its own colour.
    chart.add(
        title,
        [
            {"value": n, "color": _COLOURS.get(label, "#607d8b"), "label": label}
            for label, n in values
        ],
    )
    svg: str = chart.render(is_unicode=True)
    return svg


def _counter_chart(title: str, counts: Mapping[str, int], order: Iterable[str]) -> str:
    return _chart(pygal.Bar, title, [(k, counts.get(k, 0)) for k in order])


def _rules_chart(ranked: Sequence[tuple[str, str, int]]) -> str:
    values = [(rule, n) for rule, _sev, n in ranked[:10]]
    chart = pygal.HorizontalBar(
        style=_style(["#607d8b"]),
        title="Top rules (devices)",
        js=[],
        disable_xml_declaration=True,
        show_legend=False,
        print_values=True,
        width=520,
        height=max(160, 34 * len(values) + 60),
        margin=8,
        truncate_label=-1,
        **_ticks(n for _rule, n in values),
    )
    chart.add_xml_filter(_strip_scripts)
    chart.x_labels = [rule for rule, _n in reversed(values)]
    chart.add(
        "devices",
        [
            {"value": n, "color": _COLOURS.get(sev, "#607d8b")}
            for (rule, n), (_r, sev, _c) in zip(
                reversed(values), reversed(ranked[: len(values)]), strict=True
            )
        ],
    )
    svg: str = chart.render(is_unicode=True)
    return svg


# --- summaries ----------------------------------------------------------------------------


def _ranked_rules(devices: Sequence[schema.DeviceEntry]) -> list[tuple[str, str, int, int]]:
    """(rule, worst severity, devices, findings), by severity then devices."""
    dev: Counter[str] = Counter()
    total: Counter[str] = Counter()
    worst: dict[str, str] = {}
    for entry in devices:
        rules = set()
        for f in entry.raw.get("findings") or ():
            if not isinstance(f, Mapping):
                continue
            rule, sev = _text(f.get("rule")), _text(f.get("severity"))
            total[rule] += 1
            rules.add(rule)
            if rule not in worst or severity_rank(sev) < severity_rank(worst[rule]):
                worst[rule] = sev
        dev.update(rules)
    ranked = sorted(dev, key=lambda r: (severity_rank(worst[r]), -dev[r], r))
    return [(r, worst[r], dev[r], total[r]) for r in ranked]


def _releases(devices: Sequence[schema.DeviceEntry]) -> list[tuple[str, str, int, Counter[str]]]:
    """(platform, release, devices, devices per status)."""
    groups: dict[tuple[str, str], Counter[str]] = {}
    for entry in devices:
        key = (_text(entry.platform), _text(entry.raw.get("version")) or "(not read)")
        groups.setdefault(key, Counter())[_text(entry.status)] += 1
    rows = [(p, v, sum(c.values()), c) for (p, v), c in groups.items()]
    return sorted(rows, key=lambda r: (r[0], -r[2], natural_key(r[1])))


def _images(devices: Sequence[schema.DeviceEntry]) -> list[tuple[str, str, int, Counter[str]]]:
    """(platform, image file name, devices, images per verdict)."""
    groups: dict[tuple[str, str], Counter[str]] = {}
    holders: Counter[tuple[str, str]] = Counter()
    for entry in devices:
        seen = set()
        for image in entry.raw.get("images") or ():
            if not isinstance(image, Mapping):
                continue
            path = _text(image.get("path"))
            name = basename(path) or path
            key = (_text(entry.platform), name)
            groups.setdefault(key, Counter())[_text(image.get("verdict")) or "-"] += 1
            seen.add(key)
        holders.update(seen)
    rows = [(p, n, holders[(p, n)], c) for (p, n), c in groups.items()]
    return sorted(rows, key=lambda r: (r[0], -r[2], r[1]))


def _table(head: Sequence[str], rows: Iterable[Sequence[object]], cls: str = "") -> str:
    out = [f'<table class="{cls}"><thead><tr>']
    out += [f"<th>{_e(h)}</th>" for h in head]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _badge(value: str) -> str:
    return f'<span class="b b-{_e(value)}">{_e(value)}</span>' if value else ""


def _counts_text(counts: Counter[str]) -> str:
    return ", ".join(f"{_e(k)} {n}" for k, n in sorted(counts.items(), key=lambda kv: -kv[1]))


# --- the page -------------------------------------------------------------------------------


def _asset(name: str) -> str:
    return resources.files("imagesweep.report").joinpath("assets", name).read_text("utf-8")


def _csp(script: str) -> str:
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    return (
        "default-src 'none'; "
        f"script-src 'sha256-{digest}'; "
        "style-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )


def build(run_dir: Path, *, raw_budget: int = RAW_BUDGET) -> Page:
    """The page for the run in ``run_dir``; :class:`ConfigError` if it is not a run."""
    record = schema.read_sweep(run_dir)
    devices = record.devices
    changes = (
        schema.read_rows(run_dir, schema.CHANGES_CSV)
        if (run_dir / schema.CHANGES_CSV).is_file()
        else None
    )
    budget = raw_budget
    records = []
    embedded = 0
    recommendations: dict[str, str] = {}
    for index, entry in enumerate(devices):  # sweep.json is in triage order: worst first
        raw: str | None = None
        if budget > 0:
            raw = pack(_raw(run_dir, entry, record.schema))
            if len(raw) <= budget:
                budget -= len(raw)
                embedded += 1
            else:
                raw, budget = None, 0
        link = _raw_link(entry, record.schema)
        records.append(device_record(entry, index, raw, link, recommendations))

    status = Counter(_text(d.status) for d in devices)
    integrity = Counter(_text(d.raw.get("integrity")) for d in devices)
    by_sev = Counter(
        _text(f.get("severity"))
        for d in devices
        for f in d.raw.get("findings") or ()
        if isinstance(f, Mapping)
    )
    worst_sev = Counter(_text(d.raw.get("max_severity")) or "none" for d in devices)
    ranked = _ranked_rules(devices)
    script = _asset("report.js")
    title = f"imagesweep report: {run_dir.resolve().name}"
    started = record.started_at.isoformat() if record.started_at else "?"
    finished = record.finished_at.isoformat() if record.finished_at else "?"

    parts: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_csp(script)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{_e(title)}</title>",
        f"<style>{_asset('report.css')}</style>",
        "</head><body>",
        "<header>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">imagesweep {_e(record.tool_version)} · started {_e(started)} · '
        f"finished {_e(finished)} · {len(devices)} devices</p>",
        "</header><main>",
        '<section id="overview"><h2>Fleet</h2><div class="cards">',
    ]
    for name in STATUSES:
        parts.append(
            f'<div class="card c-{name}" data-count="{name}"><span class="n">{status[name]}</span>'
            f'<span class="l">{name}</span></div>'
        )
    for name in ("tampered",):
        parts.append(
            f'<div class="card c-{name}" data-count="{name}"><span class="n">'
            f'{integrity[name]}</span><span class="l">{name}</span></div>'
        )
    parts.append(
        f'<div class="card" data-count="findings-total"><span class="n">{sum(by_sev.values())}'
        '</span><span class="l">findings in all</span></div></div>'
    )
    parts.append('<div class="charts">')
    parts.append(_counter_chart("Devices by verdict", status, STATUSES))
    parts.append(_counter_chart("Devices by integrity", integrity, INTEGRITIES))
    parts.append(_counter_chart("Findings by severity", by_sev, SEVERITIES))
    parts.append(_counter_chart("Devices by worst finding", worst_sev, (*SEVERITIES, "none")))
    if ranked:
        parts.append(_rules_chart([(r, s, n) for r, s, n, _t in ranked]))
    parts.append("</div></section>")

    parts.append('<section id="rules"><h2>Findings by rule</h2>')
    parts.append(
        _table(
            ("rule", "severity", "devices", "findings"),
            ((_e(r), _badge(s), n, t) for r, s, n, t in ranked),
            "small",
        )
        if ranked
        else "<p>No findings.</p>"
    )
    parts.append("</section>")

    parts.append('<section id="releases"><h2>Releases by platform</h2>')
    parts.append(
        _table(
            ("platform", "release", "devices", "verdicts"),
            ((_e(p), _e(v), n, _counts_text(c)) for p, v, n, c in _releases(devices)),
            "small",
        )
    )
    parts.append("</section>")
    parts.append('<section id="images"><h2>Images by platform</h2>')
    images = _images(devices)
    parts.append(
        _table(
            ("platform", "image", "devices", "verdicts"),
            ((_e(p), _e(n), d, _counts_text(c)) for p, n, d, c in images),
            "small",
        )
        if images
        else "<p>No images seen.</p>"
    )
    parts.append("</section>")

    if changes is not None:
        parts.append('<section id="changes"><h2>Changes since the previous sweep</h2>')
        kinds = Counter(_text(c.get("change")) for c in changes)
        if changes:
            parts.append(f"<p>{len(changes)} changes: {_counts_text(kinds)}.</p>")
            parts.append(
                _table(
                    ("host", "change", "item", "before", "after"),
                    (
                        [_e(c.get(k)) for k in ("host", "change", "item", "before", "after")]
                        for c in changes
                    ),
                    "small",
                )
            )
        else:
            parts.append("<p>Nothing changed since the previous sweep.</p>")
        parts.append("</section>")

    parts.append(
        '<section id="fleet"><h2>Devices</h2>'
        '<div class="controls">'
        '<input id="filter" type="search" placeholder="filter: host, platform, release, rule'
        '..." aria-label="filter devices">'
        '<select id="status-filter" aria-label="status"><option value="">any verdict</option>'
        + "".join(f'<option value="{s}">{s}</option>' for s in STATUSES)
        + '</select><select id="severity-filter" aria-label="worst severity">'
        '<option value="">any severity</option>'
        + "".join(f'<option value="{s}">{s}</option>' for s in (*SEVERITIES, "none"))
        + '</select><span id="shown"></span></div>'
        '<table id="devices" class="devices"><thead><tr>'
        '<th data-key="h">host</th><th data-key="p">platform</th><th data-key="n">hostname</th>'
        '<th data-key="v">release</th><th data-key="s">verdict</th>'
        '<th data-key="i">integrity</th><th data-key="x">worst</th>'
        '<th data-key="c">findings</th><th data-key="r">rules</th>'
        "</tr></thead><tbody></tbody></table>"
        "<noscript><p>The device table and details need JavaScript; devices.csv, "
        "findings.csv and images.csv beside this file hold the same.</p></noscript>"
        "</section>"
        '<section id="detail" hidden></section>'
        "</main>"
        f'<script type="application/json" id="imagesweep-data">'
        f"{_json_for_script({'devices': records, 'rec': recommendations})}</script>"
        f"<script>{script}</script>"
        "</body></html>\n"
    )
    return Page("".join(parts), len(devices), embedded)


def write(run_dir: Path, *, raw_budget: int = RAW_BUDGET) -> Page:
    """Build and write ``report.html`` (atomically, 0600) into the run directory."""
    page = build(run_dir, raw_budget=raw_budget)
    write_atomic(run_dir / REPORT_HTML, page.text)
    return page
