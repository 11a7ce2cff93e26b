"""Load test of a running server: `make loadtest` (or `python scripts/loadtest.py --help`).

A mixed scenario, bounded in time and in count: N clients, each asking questions (POST /api/ask), searching
(GET /api/search) and, now and then, uploading a report (POST /api/profile, at most --uploads in all). It
prints, per kind and in all, throughput, p50/p95/p99 latency, errors (and 503s, the heavy pool's
back-pressure, apart), and the server's resident memory (the process listening on the port and its worker
processes) at the start, at its peak and at the end. Only for a server on this machine: RSS is read from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ICC_SHARED_DIR") or ROOT.parent / "shared")
QUESTIONS = [
    "How do other cities handle media monitoring?",
    "How do cities welcome newcomers?",
    "What can a city do against rumours about migrants?",
    "How do cities involve residents of migrant background in decisions?",
    "Which cities run intercultural mediation services?",
    "How do libraries support multilingual families?",
]


def questions() -> list[str]:
    """The development questions of ../shared/eval (32), else a built-in handful."""
    path = SHARED / "eval" / "dev.jsonl"
    if path.is_file():
        return [json.loads(line)["query"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return QUESTIONS


# --- the server's memory, from /proc ------------------------------------------------------------------


def listening_pid(port: int) -> int | None:
    """The process whose socket listens on `port` (needs to be allowed to read its /proc/PID/fd)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                inodes.add(parts[9])
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    return int(proc.name)
        except OSError:
            continue
    return None


def family(pid: int) -> list[int]:
    """`pid` and its descendants (uvicorn's workers; the listener may itself be a worker: then its parent's)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            try:
                todo += [int(c) for c in task.read_text().split()]
            except OSError:
                continue
    return out


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def server_root(pid: int) -> int:
    """The supervisor of a multi-worker server (a worker's parent that is itself the serve command)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        cmdline = Path(f"/proc/{parent}/cmdline").read_bytes().replace(b"\0", b" ")
    except (OSError, ValueError, IndexError):
        return pid
    return parent if b"serve" in cmdline else pid


# --- the scenario ---------------------------------------------------------------------------------------


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)  # 503 with Retry-After: back-pressure, not a failure
    examples: list[str] = field(default_factory=list)

    def add(self, kind: str, seconds: float, status: int | None, detail: str = "") -> None:
        if status is not None and 200 <= status < 300:
            self.latencies.setdefault(kind, []).append(seconds)
        elif status == 503:
            self.refused[kind] = self.refused.get(kind, 0) + 1
        else:
            self.errors[kind] = self.errors.get(kind, 0) + 1
            if len(self.examples) < 5:
                self.examples.append(f"{kind}: {status} {detail[:160]}")


async def client(http: httpx.AsyncClient, results: Results, deadline: float, budget: list[int],
                 uploads: list[int], report: bytes, qs: list[str], weights: tuple[float, float, float],
                 rng: random.Random) -> None:
    while time.monotonic() < deadline and budget[0] > 0:
        budget[0] -= 1
        kind = rng.choices(("ask", "search", "upload"), weights)[0]
        if kind == "upload" and uploads[0] <= 0:
            kind = "ask"
        t0 = time.perf_counter()
        try:
            if kind == "ask":
                r = await http.post("/api/ask", json={"question": rng.choice(qs)})
            elif kind == "search":
                r = await http.get("/api/search", params={"q": rng.choice(qs)[:500], "k": 10})
            else:
                uploads[0] -= 1
                r = await http.post("/api/profile", files={"file": ("report.txt", report, "text/plain")})
            results.add(kind, time.perf_counter() - t0, r.status_code, r.text)
        except httpx.HTTPError as exc:
            results.add(kind, time.perf_counter() - t0, None, repr(exc))


def ms(values: list[float], q: int) -> int | None:
    """The q-th percentile in milliseconds (None without values)."""
    if not values:
        return None
    value = statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]
    return round(value * 1000)


async def run(args: argparse.Namespace) -> dict[str, object]:
    port = urlsplit(args.url).port or 80
    pid = args.server_pid or listening_pid(port)
    pids = family(server_root(pid)) if pid else []
    report = Path(args.upload).read_bytes()
    qs = questions()
    rng = random.Random(args.seed)
    results = Results()
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    async with httpx.AsyncClient(base_url=args.url, timeout=args.timeout, limits=limits) as http:
        (await http.get("/healthz")).raise_for_status()
        rss_start = rss_mb(pids)
        peak = [rss_start]
        done = asyncio.Event()

        async def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], rss_mb(family(server_root(pid)) if pid else []))
                await asyncio.sleep(0.5)

        sampler = asyncio.create_task(sample())
        t0 = time.monotonic()
        deadline = t0 + args.duration
        budget, uploads = [args.requests], [args.uploads]
        weights = (args.ask, args.search, args.upload_weight)
        await asyncio.gather(*(client(http, results, deadline, budget, uploads, report, qs, weights,
                                      random.Random(rng.random())) for _ in range(args.clients)))
        elapsed = time.monotonic() - t0
        done.set()
        await sampler
        rss_end = rss_mb(family(server_root(pid)) if pid else [])
        rss_idle = None
        if args.idle:
            await asyncio.sleep(args.idle)
            rss_idle = rss_mb(family(server_root(pid)) if pid else [])
    kinds = sorted(set(results.latencies) | set(results.errors) | set(results.refused))
    table = {}
    for kind in [*kinds, "all"]:
        lat = [x for k in kinds for x in results.latencies.get(k, [])] if kind == "all" else \
            results.latencies.get(kind, [])
        errors = sum(results.errors.values()) if kind == "all" else results.errors.get(kind, 0)
        refused = sum(results.refused.values()) if kind == "all" else results.refused.get(kind, 0)
        table[kind] = {"ok": len(lat), "per_second": round(len(lat) / elapsed, 2), "errors": errors,
                       "refused_503": refused, "p50_ms": ms(lat, 50), "p95_ms": ms(lat, 95), "p99_ms": ms(lat, 99)}
    return {"url": args.url, "clients": args.clients, "seconds": round(elapsed, 1), "kinds": table,
            "server_pids": pids, "rss_mb": {"start": round(rss_start), "peak": round(peak[0]), "end": round(rss_end),
                                             "idle": None if rss_idle is None else round(rss_idle)},
            "error_examples": results.examples, "cpus": os.cpu_count(), "load_average": os.getloadavg()}


def show(out: dict[str, object]) -> str:
    lines = [f"{out['url']}: {out['clients']} clients for {out['seconds']} s "
             f"({out['cpus']} CPUs, load average {', '.join(f'{x:.1f}' for x in out['load_average'])})",  # type: ignore[attr-defined]
             f"{'kind':<8} {'ok':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} {'503':>5}"]
    for kind, row in out["kinds"].items():  # type: ignore[attr-defined]
        p50, p95, p99 = (str(row[k]) if row[k] is not None else "-" for k in ("p50_ms", "p95_ms", "p99_ms"))
        lines.append(f"{kind:<8} {row['ok']:>6} {row['per_second']:>7} {p50:>7} {p95:>7} {p99:>7} "
                     f"{row['errors']:>6} {row['refused_503']:>5}")
    rss = out["rss_mb"]
    if out["server_pids"]:
        lines.append(f"server RSS (MB, {len(out['server_pids'])} processes): start {rss['start']}, "  # type: ignore[index,arg-type]
                     f"peak {rss['peak']}, end {rss['end']}" + (f", after idling {rss['idle']}" if rss["idle"] else ""))  # type: ignore[index]
    else:
        lines.append("server RSS: unknown (no process of this machine listens on that port; give --server-pid)")
    lines += [f"  error: {e}" for e in out["error_examples"]]  # type: ignore[attr-defined]
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default="http://127.0.0.1:8000", help="The running server (this machine only).")
    p.add_argument("--clients", type=int, default=10, help="Concurrent clients.")
    p.add_argument("--duration", type=float, default=60, help="Seconds to run at most.")
    p.add_argument("--requests", type=int, default=5000, help="Requests to send at most, in all.")
    p.add_argument("--uploads", type=int, default=5, help="Report uploads at most, in all.")
    p.add_argument("--ask", type=float, default=0.6, help="Share of questions.")
    p.add_argument("--search", type=float, default=0.38, help="Share of searches.")
    p.add_argument("--upload-weight", type=float, default=0.02, help="Share of uploads (until --uploads).")
    p.add_argument("--upload", default=str(SHARED / "corpus" / "icc-index-hameenlinna-2024.txt"),
                   help="The report to upload.")
    p.add_argument("--timeout", type=float, default=120, help="Seconds before a request counts as an error.")
    p.add_argument("--idle", type=float, default=0, help="Seconds to wait after the run before reading RSS again.")
    p.add_argument("--server-pid", type=int, default=0, help="The server's process (default: found by the port).")
    p.add_argument("--seed", type=int, default=15)
    p.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = p.parse_args()
    if urlsplit(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("error: the load test runs only against a server on this machine (127.0.0.1)")
    out = asyncio.run(run(args))
    print(json.dumps(out, indent=2) if args.json else show(out))


if __name__ == "__main__":
    main()
