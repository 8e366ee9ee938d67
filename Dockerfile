FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/opt/venv PATH="/opt/venv/bin:$PATH"
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project
COPY . .
RUN DJANGO_DEBUG=true python manage.py collectstatic --noinput
RUN useradd --system socialbiz && chown -R socialbiz /app
USER socialbiz
EXPOSE 8000
CMD ["gunicorn", "socialbiz.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
