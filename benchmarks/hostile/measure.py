"""Run a command in its own session under a time and memory guard; report exit code, wall time, peak RSS.

    python probes/measure.py [--timeout 180] [--cap-mb 6000] [--client 'curl ...'] -- CMD ...

The command runs with RLIMIT_AS = cap (like prlimit --as) and is killed (its whole process group) at the
timeout or when its process tree's RSS passes the cap. With --client, CMD is a server: the client command
runs once the server's --port answers, then the server is stopped with SIGINT. Peak RSS is sampled from
/proc every 0.1 s over the whole tree (sum) and per process (max); ru_maxrss of reaped children is the
kernel's figure (what /usr/bin/time -v calls "Maximum resident set size").
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time


def tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=float, default=180)
    parser.add_argument("--cap-mb", type=int, default=6000)
    parser.add_argument("--client", help="shell command to run against the server CMD")
    parser.add_argument("--port", type=int, help="the server's port (with --client)")
    parser.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    cmd = args.cmd[1:] if args.cmd and args.cmd[0] == "--" else args.cmd
    cap = args.cap_mb * 1_000_000

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    print(f"$ {shlex.join(cmd)}", flush=True)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, preexec_fn=limit, start_new_session=True)
    peak = {"tree": 0, "single": 0, "killed": None}
    done = threading.Event()

    def kill(why: str) -> None:
        if peak["killed"] is None:
            peak["killed"] = why
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)

    def sample() -> None:
        while not done.is_set():
            sizes = [rss_kb(pid) for pid in tree(proc.pid)]
            peak["tree"] = max(peak["tree"], sum(sizes))
            peak["single"] = max(peak["single"], max(sizes, default=0))
            if sum(sizes) * 1024 > cap:
                kill(f"tree RSS over {args.cap_mb} MB")
            if time.monotonic() - started > args.timeout:
                kill(f"timeout {args.timeout:.0f} s")
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    if args.client:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", args.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        c_started = time.monotonic()
        client = subprocess.run(args.client, shell=True)
        print(f"client exit {client.returncode} in {time.monotonic() - c_started:.1f} s", flush=True)
        time.sleep(0.5)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                kill("did not stop on SIGINT")
    code = proc.wait()
    wall = time.monotonic() - started
    done.set()
    sampler.join()
    time.sleep(2)  # page-reading workers exit within a second of their parent: count only what stays
    leftovers = subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True, text=True).stdout.split()
    maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        f"MEASURE exit={code} wall={wall:.1f}s peak_tree_rss={peak['tree'] / 1024:.0f}MB "
        f"peak_process_rss={peak['single'] / 1024:.0f}MB ru_maxrss={maxrss / 1024:.0f}MB "
        f"killed={peak['killed']} leftover_pids={leftovers or 'none'}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
