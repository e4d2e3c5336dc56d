# The production image: gunicorn for the web, the same image for the Celery worker and beat.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/opt/venv PATH=/opt/venv/bin:$PATH
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client gettext \
    && rm -rf /var/lib/apt/lists/* && pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev
COPY . .
# Static files are built as production runs them (DEBUG off: the manifest whitenoise needs is written).
# The keys below exist only for this build step; the container gets the real ones at run time.
RUN DEBUG=false SECRET_KEY=collectstatic-build-only FIELD_ENCRYPTION_KEY=MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA= BLIND_INDEX_KEY=collectstatic-build-only python manage.py collectstatic --no-input
RUN useradd --system --home /app union && mkdir -p /var/lib/union-portal/media && chown -R union /var/lib/union-portal
USER union
EXPOSE 8000
CMD ["gunicorn", "union_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--timeout", "60"]
