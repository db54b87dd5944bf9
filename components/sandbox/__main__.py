"""`python -m components.sandbox --port 8700`: the sandbox on its own, until Ctrl+C."""

from __future__ import annotations

import argparse
import socket
import sys
from dataclasses import fields

import uvicorn

from .app import create_app
from .config import SandboxConfig
from .numbers import TEST_NUMBERS


def _parser() -> argparse.ArgumentParser:
    defaults = SandboxConfig()
    parser = argparse.ArgumentParser(
        prog="python -m components.sandbox",
        description="An Acoustic-compatible SMS External Consent API sandbox on loopback. "
        "Test numbers (final digits): "
        + "; ".join(f"{digits}: {label}" for digits, (label, _) in TEST_NUMBERS.items()),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8700, help="port (0: any free port)")
    for item in fields(SandboxConfig):
        value = getattr(defaults, item.name)
        flag = "--" + item.name.replace("_", "-")
        if isinstance(value, bool):
            parser.add_argument(
                flag, action=argparse.BooleanOptionalAction, default=value, help=f"[{value}]"
            )
        elif isinstance(value, tuple):
            parser.add_argument(flag, nargs="+", default=list(value), help=f"[{' '.join(value)}]")
        elif item.name == "seed":
            parser.add_argument(flag, type=int, default=None, help="fault RNG seed")
        else:
            parser.add_argument(flag, type=type(value), default=value, help=f"[{value}]")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    config = SandboxConfig()
    config.update(**{f.name: getattr(args, f.name) for f in fields(SandboxConfig)})
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit it: without it each answer waits ~40 ms for a delayed ACK.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((args.host, args.port))
    sock.listen(2048)  # connections wait in the backlog until uvicorn serves them
    host, port = sock.getsockname()[:2]
    print(f"Acoustic sandbox listening on http://{host}:{port}", flush=True)
    print(
        f"credentials: client_id={config.client_id} client_secret={config.client_secret} "
        f"refresh_token={config.refresh_token}",
        flush=True,
    )
    server = uvicorn.Server(
        uvicorn.Config(create_app(config), log_level="warning", access_log=False, lifespan="off")
    )
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
