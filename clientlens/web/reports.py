"""Reports generated from the dashboard: in a background thread, with progress, listed,
and downloaded from inside ``<workspace>/web/reports`` only.

Each job writes into its own directory ``web/reports/<job id>/`` (the id is 12 hex
digits, made here). A download names a job and a file; both must match their patterns,
and the resolved path must lie inside the reports directory and be a file there, so no
request can reach another file (``..``, absolute paths, symlinks out). The report holds
customer ids and figures only, no names, phones or e-mails (``clientlens.report.xlsx``),
so every role downloads the same files.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from clientlens.web.users import WEB_DIR

REPORTS_DIR = "reports"
_JOB = re.compile(r"^[0-9a-f]{12}$")
_FILE = re.compile(r"^[A-Za-z0-9_.-]{1,200}$")
FORMATS = ("html", "pdf", "xlsx")


@dataclass
class Job:
    job_id: str
    lang: str
    period: str | None
    formats: list[str]
    user: str
    status: str = "running"  # running, done, failed
    step: str = ""
    fraction: float = 0.0
    started: float = field(default_factory=time.time)
    error: str = ""
    files: list[str] = field(default_factory=list)


class ReportJobs:
    def __init__(self, workspace: Path, settings: dict[str, Any] | None = None):
        self.path = Path(workspace)
        self.base = self.path / WEB_DIR / REPORTS_DIR
        self.settings = dict(settings or {})
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, *, lang: str, period: str | None, formats: list[str], user: str) -> Job:
        job = Job(secrets.token_hex(6), lang, period, formats, user)
        with self._lock:
            self._jobs[job.job_id] = job
        threading.Thread(
            target=self._run, args=(job,), daemon=True, name=f"report-{job.job_id}"
        ).start()
        return job

    def _run(self, job: Job) -> None:
        from clientlens.errors import ClientLensError
        from clientlens.report import build_report
        from clientlens.workspace import Workspace

        out = self.base / job.job_id

        def progress(step: str, fraction: float) -> None:
            job.step, job.fraction = step, fraction

        ws = Workspace(self.path, settings=self.settings)
        try:
            paths = build_report(
                ws,
                lang=job.lang,
                period=job.period,
                formats=job.formats,
                out_dir=out,
                progress=progress,
            )
            job.files = sorted(p.name for p in paths.values())
            job.status, job.fraction = "done", 1.0
        except ClientLensError as exc:
            job.status, job.error = "failed", str(exc)
        except Exception as exc:  # shown as one line; never a traceback in a response
            job.status, job.error = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            ws.forget_results()
            out.mkdir(parents=True, exist_ok=True)
            (out / "job.json").write_text(
                json.dumps(asdict(job), ensure_ascii=False), encoding="utf-8"
            )

    def get(self, job_id: str) -> Job | None:
        if not _JOB.match(job_id):
            return None
        with self._lock:
            if job_id in self._jobs:
                return self._jobs[job_id]
        meta = self.base / job_id / "job.json"
        if meta.is_file():
            return Job(**json.loads(meta.read_text(encoding="utf-8")))
        return None

    def list(self) -> list[Job]:
        jobs = {
            j.job_id: j for j in (self.get(p.name) for p in self.base.glob("*") if p.is_dir()) if j
        }
        with self._lock:
            jobs.update(self._jobs)
        return sorted(jobs.values(), key=lambda j: -j.started)

    def file(self, job_id: str, name: str) -> Path | None:
        """The file ``name`` of job ``job_id``, or None for anything outside the reports."""
        if (
            not _JOB.match(job_id)
            or not _FILE.match(name)
            or name.startswith(".")
            or name == "job.json"
        ):
            return None
        base = self.base.resolve()
        path = (self.base / job_id / name).resolve()
        if not path.is_relative_to(base) or not path.is_file():
            return None
        return path
