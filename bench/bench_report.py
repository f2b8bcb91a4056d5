"""`clientlens report` at scale: the zh and en reports (HTML, PDF, Excel) for 1M customers.

Steps, each in its own process so each peak memory is that step's own:

1. workspace (not timed against the target): the analyze bench's cached 1M workspace
   (bench/bench_analyze.py, under bench/.data/) is copied to its own directory, or built
   the same way when it does not exist; then ``Workspace.analyze()`` runs once there
   (its time is printed);
2. report: ``build_report(ws, lang=..., formats=("html", "pdf", "xlsx"))`` per language,
   printing the seconds of each step (sections, target lists, html, pdf, xlsx), the
   total and the peak RSS. Target: under 60 s per report on a 2-core machine.

    python bench/bench_report.py --customers 1000000
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.bench_analyze import DONE_MARKER, _peak_mb, _source  # noqa: E402

TARGET_SECONDS = 60.0
ANALYZED_MARKER = ".report-bench-analyzed"


def analyze(path: Path) -> dict:
    from clientlens import Workspace

    ws = Workspace(path)
    t0 = time.perf_counter()
    result = ws.analyze()
    seconds = time.perf_counter() - t0
    ws.close()
    failed = [f"{o.name}: {o.reason}" for o in result.failed]
    return {"seconds": seconds, "failed": failed, "peak_mb": _peak_mb()}


def report(path: Path, lang: str, out: Path) -> dict:
    from clientlens import Workspace
    from clientlens.report import build_report

    marks: list[tuple[str, float]] = [("context", 0.0)]
    t0 = time.perf_counter()

    def progress(step: str, _frac: float) -> None:
        marks.append((step, time.perf_counter() - t0))

    ws = Workspace(path)
    paths = build_report(
        ws, lang=lang, formats=("html", "pdf", "xlsx"), out_dir=out, progress=progress
    )
    total = time.perf_counter() - t0
    ws.close()
    steps = {}
    for (name, start), (_, end) in itertools.pairwise(marks):
        steps[name] = end - start
    sizes = {k: p.stat().st_size for k, p in paths.items()}
    return {"total_seconds": total, "steps": steps, "sizes": sizes, "peak_mb": _peak_mb()}


def _child(args: argparse.Namespace, step: str, path: Path, lang: str = "") -> dict:
    cmd = [sys.executable, __file__, "--child", step, "--path", str(path), "--lang", lang]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{step} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _workspace(args: argparse.Namespace) -> Path:
    source = _source(args.source)
    analyze_path = HERE / ".data" / f"analyze_{source}_{args.customers}_{args.seed}"
    path = HERE / ".data" / f"report_{source}_{args.customers}_{args.seed}"
    if (path / ANALYZED_MARKER).exists() and not args.rebuild:
        return path
    if not (analyze_path / DONE_MARKER).exists():
        cmd = [sys.executable, str(HERE / "bench_analyze.py"), "--customers", str(args.customers)]
        cmd += ["--seed", str(args.seed), "--source", source]
        subprocess.run(cmd, check=True)  # builds (and analyses) the cached workspace
    shutil.rmtree(path, ignore_errors=True)
    shutil.copytree(analyze_path, path)
    run = _child(args, "analyze", path)
    if run["failed"]:
        print("analyses failed: " + "; ".join(run["failed"]))
    print(f"analyze: {run['seconds']:.1f} s, peak {run['peak_mb']:,.0f} MB")
    (path / ANALYZED_MARKER).write_text(json.dumps(run), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--source", choices=("auto", "demo", "synth"), default="synth")
    parser.add_argument("--rebuild", action="store_true", help="Copy and analyse again.")
    parser.add_argument("--child")
    parser.add_argument("--path")
    parser.add_argument("--lang", default="")
    args = parser.parse_args()
    if args.child == "analyze":
        print(json.dumps(analyze(Path(args.path))))
        return
    if args.child == "report":
        out = Path(args.path) / "report_out"
        print(json.dumps(report(Path(args.path), args.lang, out)))
        return

    path = _workspace(args)
    print(f"clientlens report: {args.customers:,} customers ({path.name})")
    for lang in ("zh", "en"):
        run = _child(args, "report", path, lang)
        steps = ", ".join(f"{k} {v:.1f} s" for k, v in run["steps"].items())
        ok = run["total_seconds"] < TARGET_SECONDS
        print(
            f"  {lang}: total {run['total_seconds']:.1f} s ({steps}); peak RSS "
            f"{run['peak_mb']:,.0f} MB; target < {TARGET_SECONDS:.0f} s: "
            f"{'met' if ok else 'NOT met'}"
        )
        for name, size in run["sizes"].items():
            print(f"      {name}: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
