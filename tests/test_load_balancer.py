"""deploy/nginx.conf run by a real nginx in front of two replicas (small HTTP servers that say
which one answered): each browser stays on one replica, and browsers that share an address (a
team behind one office NAT) are spread over both."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.load_balancer_support import NGINX, nginx_in_front
from tests.required_tools import missing_tool


def _replica(name: str) -> ThreadingHTTPServer:
    class Answer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = name.encode()
            if self.path.endswith(".js"):  # one of Streamlit's scripts, as Streamlit sends it
                body = script(name)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            if self.path.endswith(".js"):
                self.send_header("Content-Type", "application/javascript")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def script(name: str) -> bytes:
    return (f"// {name}\n" + "export const answer = () => 42;\n" * 2_000).encode()


@pytest.fixture
def balancer(tmp_path: Path) -> Iterator[str]:
    """nginx with the project's configuration, its consoles being two small replicas."""
    if NGINX is None:
        missing_tool("nginx is not installed", "make test installs it where it can (nginx-light)")
    replicas = [_replica("console-1"), _replica("console-2")]
    try:
        with nginx_in_front([r.server_address[1] for r in replicas], tmp_path) as url:
            yield url
    finally:
        for replica in replicas:
            replica.shutdown()


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


def test_streamlits_scripts_go_out_compressed_and_arrive_whole(balancer):
    """Streamlit sends its scripts uncompressed; the balancer compresses them for the network."""
    with httpx.Client(base_url=balancer) as browser:
        response = browser.get("/static/js/index.js", headers={"Accept-Encoding": "gzip"})
        assert response.headers.get("content-encoding") == "gzip"
        assert response.content in {script("console-1"), script("console-2")}  # httpx unzips
        assert response.num_bytes_downloaded < len(script("console-1")) / 10
        small = browser.get("/", headers={"Accept-Encoding": "gzip"})
        assert "content-encoding" not in small.headers  # not worth it under 1 KB
