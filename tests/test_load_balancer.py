"""deploy/nginx.conf run by a real nginx in front of two replicas (small HTTP servers that say
which one answered): each browser stays on one replica, and browsers that share an address (a
team behind one office NAT) are spread over both."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.required_tools import missing_tool
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or next(iter(Path("/usr/sbin").glob("nginx")), None)



def _replica(name: str) -> ThreadingHTTPServer:
    class Answer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = name.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def balancer(tmp_path: Path) -> Iterator[str]:
    """nginx with the project's configuration, its two consoles being the two small replicas."""
    if NGINX is None:
        missing_tool("nginx is not installed", "make test installs it where it can (nginx-light)")
    replicas = [_replica("console-1"), _replica("console-2")]
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    for number, replica in enumerate(replicas, start=1):
        conf = conf.replace(f"console-{number}:8501", f"127.0.0.1:{replica.server_address[1]}")
    port = _free_port()
    conf = conf.replace("listen 80;", f"listen 127.0.0.1:{port};")
    (tmp_path / "nginx.conf").write_text(conf, encoding="utf-8")
    process = subprocess.Popen(
        [str(NGINX), "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
         "-g", f"daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(url), timeout=10, what="nginx to answer")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        for replica in replicas:
            replica.shutdown()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_each_browser_stays_on_one_replica_and_a_team_behind_one_address_is_spread(balancer):
    seen: set[str] = set()
    for _ in range(24):  # 24 browsers, all from 127.0.0.1: all on one replica by chance, 1 in 8M
        with httpx.Client(base_url=balancer) as browser:
            first = browser.get("/")
            assert "sms_console_route=" in first.headers.get("set-cookie", "")
            assert "HttpOnly" in first.headers["set-cookie"]
            answers = {first.text} | {browser.get(path).text for path in ("/", "/x", "/") * 3}
            later = browser.get("/")
            assert "set-cookie" not in later.headers  # given once, then kept
        assert len(answers) == 1, "one browser's requests reached two replicas"
        seen |= answers
    assert seen == {"console-1", "console-2"}
