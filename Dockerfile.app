# liveroom app runtime (Python 3.11): gateway (`python -m bot serve`), action server
# (`python -m rasa_sdk --actions actions`), graph CLI (`python -m knowledge_graph migrate`) and the
# vision sidecar (`python -m vision`). Same install as ops/bootstrap.py: pyproject.toml's dependencies
# constrained by requirements-app.lock, then the [tool.liveroom] no-deps packages. Dev tools are left out.
# Not built in CI (no Docker engine there); tests/scaleout/test_deploy_files.py checks it statically.
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# Chromium + CJK fonts: the stream report's PDF/PNG export (the same Debian packages as `make system-deps`)
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml requirements-app.lock ./
# torch's CPU wheel (the default Linux wheel pulls CUDA libraries liveroom never uses)
RUN python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb')); print('\n'.join(p['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install --extra-index-url https://download.pytorch.org/whl/cpu -r /tmp/requirements.txt -c requirements-app.lock \
    && python -c "import tomllib; t = tomllib.load(open('pyproject.toml', 'rb')); print('\n'.join(t['tool']['liveroom']['no-deps']))" > /tmp/no-deps.txt \
    && pip install --no-deps -r /tmp/no-deps.txt

COPY bot bot
COPY connectors connectors
COPY knowledge_graph knowledge_graph
COPY actions actions
COPY nlu nlu
COPY vision vision

RUN useradd --create-home --uid 10001 liveroom && mkdir -p /app/var && chown liveroom /app/var
USER liveroom
ENV LIVEROOM_VAR=/app/var \
    LIVEROOM_GATEWAY_HOST=0.0.0.0
EXPOSE 8080 5055
CMD ["python", "-m", "bot", "serve"]
