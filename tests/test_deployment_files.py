"""The deployment files (Dockerfile, compose.yaml, deploy/) against the code they deploy: the
variable names, the sandbox's flags and credentials, the upload limit, the health path. Docker and
nginx themselves are not run here (nginx only checks its configuration when it is installed);
tests/test_replicas.py runs the same arrangement as real processes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from sqlalchemy import create_engine, text
from streamlit import config as streamlit_config

from components.core.connection import ENVIRONMENT_VARIABLES, load_connection_settings
from components.core.database_url import DATABASE_URL, parse_database_url
from components.core.settings import CONFIRM_ABOVE, LEASE_SECONDS, MAX_IN_FLIGHT
from components.journal.schema import head_revision
from components.sandbox import SandboxConfig
from components.sandbox.__main__ import _parser as sandbox_parser
from components.team.auth import parse_role_rules
from components.team.serving import ALLOW_NETWORK_VARIABLE

ROOT = Path(__file__).resolve().parents[1]
HEALTH = "/_stcore/health"
STREAMLIT_PORT = 8501
CONSOLE_VARIABLES = {
    DATABASE_URL,
    LEASE_SECONDS,
    MAX_IN_FLIGHT,
    CONFIRM_ABOVE,
    ALLOW_NETWORK_VARIABLE,
    *ENVIRONMENT_VARIABLES.values(),
}
# ${NAME}, ${NAME:?message}, ${NAME:-default}: what compose fills in from .env.
INTERPOLATION = re.compile(r"\$\{([A-Z0-9_]+)(?::?[?-][^}]*)?\}")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose: dict) -> dict[str, dict]:
    return compose["services"]


@pytest.fixture(scope="module")
def consoles(services: dict[str, dict]) -> dict[str, dict]:
    """The replicas: the services built from the Dockerfile that run its own command."""
    return {name: s for name, s in services.items() if "build" in s and "command" not in s}


def interpolate(value: str, values: dict[str, str]) -> str:
    return INTERPOLATION.sub(lambda match: values[match.group(1)], value)


def streamlit_variables() -> set[str]:
    streamlit_config.get_config_options()
    return {option.env_var for option in streamlit_config._config_options.values()}


def test_the_services_are_a_database_a_sandbox_two_consoles_and_a_load_balancer(services, consoles):
    assert sorted(consoles) == ["console-1", "console-2"]
    assert {"postgres", "sandbox", "lb"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["lb"]["image"].startswith("nginx")
    assert any(v.split(":")[0] == "journal" for v in services["postgres"]["volumes"])


def test_every_console_shares_one_database_and_one_cookie_secret(services, consoles):
    environments = [console["environment"] for console in consoles.values()]
    assert all(env == environments[0] for env in environments)
    env = environments[0]
    assert env["STREAMLIT_SERVER_COOKIE_SECRET"].startswith("${")  # from .env, never in git

    database = services["postgres"]["environment"]
    filled = {"POSTGRES_PASSWORD": "s3cret", "STREAMLIT_SERVER_COOKIE_SECRET": "x"}
    url = parse_database_url(interpolate(env[DATABASE_URL], filled)).url
    assert url.get_backend_name() == "postgresql"
    assert (url.host, url.port) == ("postgres", 5432)
    assert url.username == database["POSTGRES_USER"]
    assert url.database == database["POSTGRES_DB"]
    assert url.password == interpolate(database["POSTGRES_PASSWORD"], filled)


def test_the_variables_compose_sets_are_the_ones_the_console_reads(consoles):
    known = CONSOLE_VARIABLES | streamlit_variables()
    for console in consoles.values():
        assert set(console["environment"]) <= known


def test_the_variables_compose_needs_from_env_are_the_ones_env_example_lists():
    needed = set(INTERPOLATION.findall((ROOT / "compose.yaml").read_text(encoding="utf-8")))
    listed = {
        line.split("=", 1)[0]
        for line in (ROOT / "deploy" / "env.example").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }
    assert needed == listed == {"POSTGRES_PASSWORD", "STREAMLIT_SERVER_COOKIE_SECRET"}


def test_the_consoles_send_to_the_sandbox_as_to_a_pod_with_its_credentials(consoles):
    sandbox = SandboxConfig()
    for console in consoles.values():
        settings = load_connection_settings({}, console["environment"])
        assert settings.mode == "pod", settings.problems
        assert settings.client_id == sandbox.client_id
        assert settings.client_secret.reveal() == sandbox.client_secret
        assert settings.refresh_token.reveal() == sandbox.refresh_token


def test_each_console_reaches_the_sandbox_through_its_own_loopback(services, consoles):
    """The console sends credentials over plain http to loopback only: each replica joins the
    network of a forwarder from its 127.0.0.1 to the sandbox, which answers as the replica."""
    command = services["sandbox"]["command"]
    assert command[:3] == ["python", "-m", "components.sandbox"]
    sandbox = sandbox_parser().parse_args(command[3:])
    assert sandbox.host == "0.0.0.0"
    for name, console in consoles.items():
        link_name = console["network_mode"].removeprefix("service:")
        link = services[link_name]
        assert name in link["networks"]["default"]["aliases"]
        base = urlsplit(console["environment"]["ACOUSTIC_BASE_URL"])
        listen, forward = link["command"]
        assert listen.startswith(f"TCP-LISTEN:{base.port},bind={base.hostname},")
        assert forward == f"TCP:sandbox:{sandbox.port}"


def test_health_checks_ask_the_console_health_and_the_order_waits_for_them(services, consoles):
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    sandbox_port = sandbox_parser().parse_args(services["sandbox"]["command"][3:]).port
    assert f"127.0.0.1:{sandbox_port}/" in " ".join(services["sandbox"]["healthcheck"]["test"])
    for name, console in consoles.items():
        assert f"127.0.0.1:{STREAMLIT_PORT}{HEALTH}" in " ".join(console["healthcheck"]["test"])
        assert console["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert services["lb"]["depends_on"][name]["condition"] == "service_healthy"
    assert HEALTH in dockerfile_instruction("HEALTHCHECK")


def test_the_secrets_are_mounted_where_streamlit_reads_them_and_kept_out_of_git(consoles):
    workdir = dockerfile_instruction("WORKDIR")
    for console in consoles.values():
        (mount,) = console["volumes"]
        assert mount["source"] == "./deploy/secrets.toml"
        assert mount["target"] == f"{workdir}/.streamlit/secrets.toml"
        assert mount["read_only"] is True
        assert mount["bind"]["create_host_path"] is False  # missing: an error, not a folder
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "deploy/secrets.toml" in ignored
    assert ".env" in ignored


def test_the_example_secrets_configure_sign_in_and_roles_without_mistakes():
    secrets = tomllib.loads((ROOT / "deploy" / "secrets.example.toml").read_text("utf-8"))
    assert {"redirect_uri", "cookie_secret", "client_id", "client_secret"} <= set(secrets["auth"])
    assert "server_metadata_url" in secrets["auth"]
    rules = parse_role_rules(secrets["console"]["roles"])
    assert rules.problems == ()
    assert rules.emails


# -- nginx --------------------------------------------------------------------------------------


def nginx_conf() -> str:
    text_ = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    return "\n".join(line.split("#", 1)[0] for line in text_.splitlines())


def nginx_block(conf: str, opening: str) -> str:
    """The text between `opening {` and its closing brace."""
    start = conf.index(opening)
    depth, position = 0, conf.index("{", start)
    for index in range(position, len(conf)):
        depth += {"{": 1, "}": -1}.get(conf[index], 0)
        if depth == 0:
            return conf[position + 1 : index]
    raise AssertionError(f"{opening} is not closed")


def test_nginx_balances_both_consoles_with_sticky_sessions(services, consoles):
    upstream = nginx_block(nginx_conf(), "upstream consoles")
    # By the balancer's own cookie, not the address (tests/test_load_balancer.py runs it).
    assert re.search(r"^\s*hash \$console_route consistent;", upstream, re.MULTILINE)
    servers = set(re.findall(r"^\s*server\s+(\S+?)[\s;]", upstream, re.MULTILINE))
    assert servers == {f"{name}:{STREAMLIT_PORT}" for name in consoles}
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in services["lb"]["volumes"]


def test_nginx_passes_the_websocket_upgrade_to_every_location():
    server = nginx_block(nginx_conf(), "server")
    assert "proxy_http_version 1.1;" in server
    assert "proxy_set_header Upgrade $http_upgrade;" in server
    assert "proxy_set_header Connection $connection_upgrade;" in server
    assert "map $http_upgrade $connection_upgrade" in nginx_conf()
    stream = nginx_block(server, "location /_stcore/stream")
    assert "proxy_pass http://consoles;" in stream
    # A proxy_set_header in a location replaces every one the server sets (Host, Upgrade...).
    for location in re.findall(r"location\s+[^{]+", server):
        assert "proxy_set_header" not in nginx_block(server, location)


def test_nginx_accepts_an_upload_as_large_as_streamlit_does():
    streamlit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    most = streamlit["server"]["maxUploadSize"] + 1  # Streamlit's 1 MB for multipart framing
    (size,) = re.findall(r"client_max_body_size\s+(\d+)m;", nginx_conf())
    assert int(size) >= most


def test_nginx_accepts_the_configuration(tmp_path):
    nginx = shutil.which("nginx") or next(iter(Path("/usr/sbin").glob("nginx")), None)
    if nginx is None:
        pytest.skip("nginx is not installed: its own check of deploy/nginx.conf is skipped")
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    conf = conf.replace("console-1:", "127.0.0.1:").replace("console-2:", "127.0.0.2:")
    (tmp_path / "nginx.conf").write_text(conf, encoding="utf-8")
    done = subprocess.run(
        [str(nginx), "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
         "-g", f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


# -- Dockerfile ---------------------------------------------------------------------------------


def dockerfile_instruction(name: str) -> str:
    """The arguments of the last `name` instruction, continuation lines joined."""
    text_ = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    found = [line.split(None, 1)[1] for line in text_.splitlines() if line.startswith(name + " ")]
    assert found, f"no {name} in the Dockerfile"
    return found[-1].strip()


def test_the_image_runs_the_console_on_every_interface_as_another_user_than_root():
    assert dockerfile_instruction("FROM") == "python:3.11-slim"
    command = json.loads(dockerfile_instruction("CMD"))
    assert command[:3] == ["streamlit", "run", "console.py"]
    assert command[command.index("--server.address") + 1] == "0.0.0.0"
    assert (ROOT / command[2]).is_file()
    assert dockerfile_instruction("EXPOSE") == str(STREAMLIT_PORT)
    assert dockerfile_instruction("USER") not in {"root", "0"}
    assert "pip install ." in dockerfile_instruction("RUN pip")


def test_the_image_copies_files_that_exist_and_the_build_context_keeps(tmp_path):
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for must in (".git", ".venv", "node_modules", "test-artifacts", "*.sqlite3", ".env"):
        assert must in ignored
    assert ".streamlit/secrets.toml" in ignored
    text_ = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for line in text_.splitlines():
        if line.startswith("COPY "):
            *sources, _target = line.split()[1:]
            for source in sources:
                assert (ROOT / source).exists(), source
                assert source not in ignored, source


# -- Alembic by hand ----------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_alembic_upgrade_head_by_hand_migrates_the_configured_database(request, backend, tmp_path):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    env = {"PATH": str(Path(sys.executable).parent), DATABASE_URL: url, "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    engine = create_engine(parse_database_url(url).sqlalchemy)
    try:
        with engine.connect() as conn:
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    finally:
        engine.dispose()
    assert revision == head_revision()
