# Listener daemon image: `docker compose up` builds it (see docker-compose.yml).
FROM python:3.11-slim-bookworm

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
COPY pyproject.toml README.md ./
COPY listener ./listener
COPY spiders ./spiders
COPY models ./models
COPY alerts ./alerts
COPY config ./config
# torch first and pinned, from PyTorch's CPU index (no CUDA libraries in the image);
# then Listener with the sentiment model's dependencies
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.15.0 \
 && pip install '.[model]' \
 && useradd --system --home-dir /var/lib/listener --create-home listener \
 && mkdir -p /etc/listener \
 && cp config/listener.example.yml /etc/listener/listener.yml

USER listener
VOLUME ["/var/lib/listener"]
EXPOSE 8787
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8787/healthz', timeout=4).status == 200 else 1)"
CMD ["listener", "run"]
