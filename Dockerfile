# The console (and, with another command, the sandbox) as one image: see the README's
# "Several replicas (PostgreSQL)" and compose.yaml, which runs two replicas of it behind nginx.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The dependencies first (pyproject.toml), so that a change to a page does not reinstall them.
COPY pyproject.toml README.md ./
COPY components ./components
RUN pip install .

COPY app.py console.py alembic.ini ./
COPY pages ./pages
COPY .streamlit/config.toml ./.streamlit/config.toml

# Not root: the console needs to write nothing in /app. Its secrets are mounted at
# /app/.streamlit/secrets.toml (compose.yaml); with SQLite the journal would live in ~/.
RUN useradd --create-home --uid 10001 console
USER console

EXPOSE 8501
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_stcore/health' % os.environ.get('STREAMLIT_SERVER_PORT', '8501'), timeout=4)"]

# Port 8501 unless STREAMLIT_SERVER_PORT says otherwise (the health check reads it too). Serving on
# every interface needs sign-in ([auth] in the secrets): without it the console shows only an
# error saying so (README, "Sign-in and roles").
CMD ["streamlit", "run", "console.py", "--server.address", "0.0.0.0"]
