# syntax=docker/dockerfile:1
# The e2e runner of docker-compose.yml: build from the repository root.
FROM python:3.11-slim AS build
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /src
COPY pyproject.toml uv.lock ./
COPY libs ./libs
COPY services ./services
COPY cli ./cli
RUN uv export --frozen --no-dev --package ntbkit --no-emit-workspace --no-hashes \
      -o /tmp/requirements.txt \
 && python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir -r /tmp/requirements.txt \
 && /opt/venv/bin/pip install --no-cache-dir --no-deps libs/ntbproto libs/ntbkit \
 && /opt/venv/bin/pip uninstall --yes pip setuptools wheel

FROM python:3.11-slim
RUN useradd --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin ntb
COPY --from=build /opt/venv /opt/venv
COPY tools/deploy/compose_e2e.py /opt/ntb/compose_e2e.py
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
USER 10001:10001
ENTRYPOINT ["python", "/opt/ntb/compose_e2e.py"]
