# outbound-mcp over streamable HTTP, for a team (see README "Deploying for a team").
# Not built in CI here (no Docker engine); kept to plain, well-known steps.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY mcp_server ./mcp_server
COPY outbound_sandbox ./outbound_sandbox
RUN pip install . \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin mcp

USER mcp
EXPOSE 8000

# /healthz needs no token and answers only "ok"; loopback Host is always allowed.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# Binding 0.0.0.0 requires OUTBOUND_MCP_HTTP_TOKEN or OAuth (OUTBOUND_MCP_OAUTH_ISSUER): start-up refuses otherwise.
ENTRYPOINT ["outbound-mcp", "--transport", "http", "--host", "0.0.0.0", "--port", "8000"]
