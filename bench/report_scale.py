"""BENCHMARKS.md sections for catalogs at scale (issue #17): the build and the catalog load."""

from __future__ import annotations

from typing import Any

Record = dict[str, Any]


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 100 else f"{value:,.0f}"
        return "" if value is None else str(value)

    return [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join("---" for _ in header) + " |",
        *("| " + " | ".join(cell(v) for v in row) + " |" for row in rows),
    ]


def _when(records: list[Record]) -> str:
    stamps = sorted({r.get("at", "?") for r in records})
    commits = sorted({str(r.get("commit", "?")) for r in records})
    return f"measured {', '.join(stamps)} at {', '.join(commits)}"


def section_build_scale(records: list[Record]) -> list[str]:
    """`bench/build_scale.py`: real builds, their memory curve, and local vs Spark."""
    builds = [r for r in records if r.get("mode") != "compare"]
    compares = [r for r in records if r.get("mode") == "compare"]
    out: list[str] = []
    if builds:
        rows = [
            [r["engine"], r["creators"], r["chunk_size"], r["texts_embedded"], r["texts_cached"],
             r["seconds"], r["creators_per_s"], r["peak_rss_mib"], r.get("curve_rss_min_mib"),
             r.get("curve_rss_max_mib"), r["predicted_1m"].get("hours_one_machine"),
             r["predicted_1m"].get("peak_rss_mib"), r.get("load_1min")]
            for r in builds[-4:]
        ]  # fmt: skip
        out += _table(
            ["engine", "creators", "chunk", "texts embedded", "texts cached", "seconds",
             "creators/s", "peak RSS MiB", "curve min MiB", "curve max MiB",
             "1M predicted h (one machine)", "1M predicted peak MiB", "load"],
            rows,
        )  # fmt: skip
        last = builds[-1]
        curve = last.get("curve", [])
        step = max(1, len(curve) // 10)
        out += [
            "",
            "Memory over the chunks of the newest build (creators done: VmRSS MiB): "
            + ", ".join(f"{p['creators']:,}: {p.get('VmRSS', '?')}" for p in curve[::step])
            + ".",
            "",
        ]
    if compares:
        rows = [
            [r["home"].split("/")[-1], r["master"], r["chunk_size"],
             r["creators_per_s_median"].get("local"), r["creators_per_s_median"].get("spark"),
             r.get("spark_over_local"), len(next(iter(r["runs"].values()))), r.get("load_1min")]
            for r in compares[-3:]
        ]  # fmt: skip
        out += _table(
            ["home", "master", "chunk", "local creators/s", "spark creators/s", "spark ÷ local",
             "repeats", "load"],
            rows,
        )  # fmt: skip
        out.append("")
    out += [
        "Cold builds (no embedding cache) with `--full`; the Spark run includes starting the "
        "session and the executors' embedder, and the finishing step on the driver.",
        "",
        f"_{_when(records[-6:])}._",
    ]
    return out


def section_catalog_load(records: list[Record]) -> list[str]:
    """`bench/catalog_load.py`: loading a version, mapped against read into memory; then the
    server's start and reloads."""
    newest: dict[tuple[str, str], Record] = {}
    for r in records:
        if r["mode"] in ("mapped", "read"):
            newest[(r["home"], r["mode"])] = r
    rows = [
        [r["creators"], r["index"], r["mode"], r["load_s_median"], r["first_match_ms_median"],
         r["match_ms_median"], r["memory_after_load_mib"].get("rss_mib"),
         r["memory_after_load_mib"].get("uss_mib"), r.get("load_1min")]
        for r in newest.values()
    ]  # fmt: skip
    return [
        *_table(
            ["creators", "index", "mode", "load s (median)", "first match ms", "match ms median",
             "RSS after load MiB", "private after load MiB", "load"],
            rows,
        ),
        "",
        "`mapped`: what the server does (files mapped, pages read on use); `read`: every file "
        "read into memory, for comparison. Match: the in-process pipeline, k = 20, reasons "
        "on, a cached brief; the first one after the load pays its page faults.",
        "",
        f"_{_when(list(newest.values()))}._",
        *_start_and_reload([r for r in records if r["mode"] in ("start", "reload")]),
    ]


def _start_and_reload(records: list[Record]) -> list[str]:
    """The newest `start` and `reload` records per catalog size and source tree."""
    newest: dict[tuple[int, str, str], Record] = {}
    for r in records:
        newest[(r["creators"], r["mode"], r.get("tree", "this"))] = r
    if not newest:
        return []
    rows = []
    for (creators, mode, tree), r in sorted(newest.items()):
        kinds = [("start → /readyz", "start_to_ready_s")] if mode == "start" else [
            (f"reload ({kind}) → swap", f"{kind}_request_to_swap_s")
            for kind in ("same", "new_catalog", "new_model")
        ]
        cpu = r.get("cpu_to_ready_s_median") if mode == "start" else None
        rows += [
            [creators, tree, what, r[f"{key}_median"], r[f"{key}_runs"], cpu, r["target_s"],
             r.get("load_1min")]
            for what, key in kinds
        ]
    return [
        "",
        *_table(["creators", "tree", "what", "s (median)", "runs", "CPU s (median)", "target s",
                 "load"], rows),
        "",
        "Start: launching `microtribe serve` to the first 200 from `/readyz` (USE snapshot "
        "present); CPU s: what the server process used until then. Reload: `POST "
        "/v1/admin/reload` sent to answered (after the swap) under light load, with nothing "
        "changed, after a new catalog version, after a new champion. "
        "`baseline`: the same bench run, alternating, on the source tree in `tree_path`.",
        "",
        f"_{_when(list(newest.values()))}._",
    ]  # fmt: skip
