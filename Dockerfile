# One image for every app process: the HTTP API (default CMD), the Temporal worker and the migration job.
# There is no build step: TypeScript runs through tsx, which is a runtime dependency.
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false

WORKDIR /app

# Dependencies first so that source-only changes reuse this layer. patches/ must be in place before the install:
# its postinstall (patch-package) patches the PostgreSQL driver from there (scripts/check-dockerfile.ts checks it).
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev && npm cache clean --force

COPY --chown=node:node . .

# The official node image ships an unprivileged "node" user (uid 1000).
USER node

EXPOSE 3000

# The API by default; the worker service runs `node --import tsx platform/run-worker.ts`,
# the migration job `node --import tsx db/migrate-cli.ts`.
CMD ["node", "--import", "tsx", "platform/run-api.ts"]
