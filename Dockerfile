# Listener daemon image: `docker compose up` builds it (see docker-compose.yml).
# The sentiment model runs on ONNX Runtime, so the image carries no torch; build with
# `--build-arg WITH_TORCH=1` for the torch runtime or to train inside the container.

# Stage 1: the wheel, built from the source tree (it carries listener/files/: the
# Elasticsearch templates and Kibana objects; models/sentiment/: the model).
FROM python:3.11-slim-bookworm AS wheel
WORKDIR /src
COPY pyproject.toml README.md ./
COPY listener ./listener
COPY spiders ./spiders
COPY models ./models
COPY alerts ./alerts
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

# Stage 2: the daemon, installed from that wheel as any user would install it.
FROM python:3.11-slim-bookworm
ARG WITH_TORCH=0

# no bytecode files in the image, logs straight to the container's output
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    LISTENER_CONFIG=/etc/listener/listener.yml

# a CJK font for the Chinese labels of alert and digest charts
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-wqy-microhei \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/listener
COPY --from=wheel /wheels /tmp/wheels
COPY requirements/run.lock /tmp/run.lock
# the locked runtime dependencies, every file checked against its hash; then Listener's
# wheel without dependencies. torch only when asked for, pinned, from PyTorch's CPU index
# (no CUDA libraries; outside the lock, whose hashes are PyPI's builds)
RUN pip install --require-hashes -r /tmp/run.lock \
 && if [ "$WITH_TORCH" = 1 ]; then \
      pip install --index-url https://download.pytorch.org/whl/cpu torch==2.15.0 \
      && for wheel in /tmp/wheels/listener-*.whl; do pip install "$wheel[model,train]"; done; \
    fi \
 && for wheel in /tmp/wheels/listener-*.whl; do pip install --no-deps "$wheel"; done \
 && rm -rf /tmp/wheels /tmp/run.lock \
 && useradd --system --home-dir /var/lib/listener --create-home listener \
 && mkdir -p /etc/listener
# the example configuration and its sample posts (a config that names
# config/sample-mentions.jsonl finds it from this working directory)
COPY config ./config
RUN cp config/listener.example.yml /etc/listener/listener.yml

USER listener
VOLUME ["/var/lib/listener"]
EXPOSE 8787
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8787/healthz', timeout=4).status == 200 else 1)"
CMD ["listener", "run"]
