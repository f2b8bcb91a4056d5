"""Start-up time of the ``clientlens`` command: best of N wall-clock runs per command.

Each command runs as its own process, as a user types it (``python -m clientlens ...``,
which imports what the ``clientlens`` entry point imports), against a small demo
workspace that has been imported and analysed, so ``tables`` counts canonical, meta and
result tables. ``python -c pass`` is the floor: the interpreter's own start-up.
``--compare DIR`` also runs each command from another checkout of ClientLens (e.g. the
code before a change, ``git archive``d into DIR), in the same session.

    python bench/bench_cli.py --runs 3 [--compare /tmp/clientlens-before]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

COMMANDS: tuple[tuple[str, ...], ...] = (
    ("--help",),
    ("tables",),
    ("settings",),
    ("analyses",),
    ("contract",),
    ("analyze", "--help"),
)


def _workspace(directory: Path, customers: int) -> Path:
    """A demo workspace with its data imported and analysed once."""
    from clientlens import Workspace
    from clientlens.demo import generate, load_demo

    ws = Workspace.init(directory / "ws")
    load_demo(ws, generate(customers, seed=0, locale="zh"))
    ws.analyze()
    ws.close()
    return ws.path


def best_of(argv: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    """The fastest of ``runs`` runs of ``argv``: wall-clock seconds and CPU seconds (user +
    system, the figure a busy machine disturbs least). The command must succeed.

    Run from the temporary directory: ``python -m`` puts the working directory first on
    sys.path, where a checkout would shadow the one PYTHONPATH names."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = subprocess.run(
            argv, capture_output=True, env=env, cwd=tempfile.gettempdir(), check=False
        )
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.decode()[-400:]}")
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="Runs per command; the best counts.")
    parser.add_argument("--customers", type=int, default=2_000, help="Demo workspace size.")
    parser.add_argument(
        "--workspace", type=Path, help="Use this analysed workspace instead of making one."
    )
    parser.add_argument("--compare", type=Path, help="Another checkout to time beside this one.")
    args = parser.parse_args()

    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="200")
    with tempfile.TemporaryDirectory() as tmp:
        workspace = args.workspace or _workspace(Path(tmp), args.customers)
        env["CLIENTLENS_WORKSPACE"] = str(workspace)
        floor, floor_cpu = best_of([sys.executable, "-c", "pass"], args.runs, env)
        print(f"best of {args.runs}; load average {os.getloadavg()[0]:.1f}; workspace {workspace}")
        header = f"{'command':<28} {'wall s':>7} {'x floor':>8} {'CPU s':>7}"
        if args.compare:
            header += f" {'compared wall s':>16} {'CPU s':>7} {'wall ratio':>11}"
        print(header)
        print(f"{'python -c pass (floor)':<28} {floor:>7.3f} {1.0:>8.1f} {floor_cpu:>7.3f}")
        for command in COMMANDS:
            argv = [sys.executable, "-m", "clientlens", *command]
            wall, cpu = best_of(argv, args.runs, env)
            line = f"{'clientlens ' + ' '.join(command):<28} {wall:>7.3f} {wall / floor:>8.1f} {cpu:>7.3f}"
            if args.compare:
                other = dict(env, PYTHONPATH=str(args.compare.resolve()))
                other_wall, other_cpu = best_of(argv, args.runs, other)
                line += f" {other_wall:>16.3f} {other_cpu:>7.3f} {wall / other_wall:>11.2f}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
