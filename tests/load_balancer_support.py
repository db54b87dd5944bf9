"""deploy/nginx.conf, run by a real nginx in a temporary folder in front of replicas on this
machine: for tests/test_load_balancer.py and the benchmark of several console processes."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.ports import free_port
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or next(iter(Path("/usr/sbin").glob("nginx")), None)


def configuration(replicas: Sequence[int], port: int) -> str:
    """The project's nginx.conf with `replicas` (ports on 127.0.0.1) as its consoles."""
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    lines = re.findall(r"^\s*server console-\d+:8501 [^\n]*\n", conf, re.MULTILINE)
    options = lines[0].split(":8501", 1)[1]
    ours = "".join(f"        server 127.0.0.1:{replica}{options}" for replica in replicas)
    conf = conf.replace("".join(lines), ours)
    return conf.replace("listen 80;", f"listen 127.0.0.1:{port};")


@contextmanager
def nginx_in_front(replicas: Sequence[int], folder: Path) -> Iterator[str]:
    """nginx balancing `replicas` (ports) as deployed; yields its address."""
    if NGINX is None:
        raise RuntimeError("nginx is not installed (make test installs nginx-light)")
    port = free_port()
    (folder / "nginx.conf").write_text(configuration(replicas, port), encoding="utf-8")
    process = subprocess.Popen(
        [str(NGINX), "-p", str(folder), "-c", str(folder / "nginx.conf"),
         "-g", f"daemon off; pid {folder}/nginx.pid; error_log {folder}/error.log;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(url), timeout=10, what="nginx to answer")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code < 500
    except httpx.HTTPError:
        return False
