# syntax=docker/dockerfile:1
# Build stage: install the dependencies into a virtual environment.
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /venv
ENV PATH=/venv/bin:$PATH
WORKDIR /app
COPY pyproject.toml README.md ./
# The project installs no modules of its own (packages = []): this installs its dependencies.
RUN pip install ".[redis]"
COPY . .
# Static files are collected (compressed, hashed names) at build time.
RUN DEBUG=False SECRET_KEY=build-only-not-secret-build-only-not-secret-build-only ALLOWED_HOSTS=build \
    python manage.py collectstatic --no-input

# Runtime stage: the app, its venv and nothing else, as a non-root user.
FROM python:3.11-slim-bookworm
ENV PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 DEBUG=False
RUN useradd --create-home --uid 10001 app
COPY --from=build /venv /venv
COPY --from=build --chown=app:app /app /app
WORKDIR /app
USER app
EXPOSE 8000
# /healthz: the database and the cache answer (a worker container turns this off, see compose.yaml).
HEALTHCHECK --interval=30s --timeout=6s --start-period=20s --retries=3 CMD ["python", "bin/healthcheck"]
# web (default), worker, migrate, load, or any command: see bin/docker-entrypoint.
ENTRYPOINT ["bin/docker-entrypoint"]
CMD ["web"]
