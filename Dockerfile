# careerbot: the Telegram bot in a slim image, running as a non-root user, data on /data.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY knowledge ./knowledge
# The intent model is trained once here (`kb check` caches it), so a start-up only loads it.
ENV CAREERBOT_CACHE=/opt/careerbot-cache
RUN pip install . \
    && careerbot kb check \
    && chmod -R a+rX /opt/careerbot-cache \
    && useradd --create-home --uid 10001 careerbot \
    && mkdir /data && chown careerbot:careerbot /data \
    && rm -rf /app/bot /app/knowledge

USER careerbot
WORKDIR /home/careerbot
ENV CAREERBOT_DB=/data/careerbot.sqlite3
VOLUME ["/data"]
# Used in webhook mode only (CAREERBOT_WEBHOOK_URL set); long polling needs no open port. The
# container's own network is private, so the server listens on all of it; publish the port on
# the host's loopback for the reverse proxy (README, Deployment).
ENV CAREERBOT_LISTEN=0.0.0.0
EXPOSE 8443
STOPSIGNAL SIGTERM
CMD ["careerbot", "run"]
