# syntax=docker/dockerfile:1
# Claimtrip in one image: every role of the scale-out (README, "Scale out") is one command of it,
# as on a host: `npm run start:app -- --port 3000`, `npm run start:idp`, `npm run setup` (the
# long-running ones as the node command npm would run, so that signals reach them).
#
# Not Next.js's standalone output: it copies only what the pages need, and the roles also need
# scripts/ (start, setup, the offline migrations), the IdP (idp/) and Prisma's Wasm schema
# engine. The build stamp (.next/) is checked at start against the same tree, so an instance never
# starts on a build that does not match its sources.
#
#   docker build -t claimtrip .

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# What `npm ci` runs: the Node check (preinstall) and Prisma's client generation (postinstall).
COPY package.json package-lock.json .npmrc ./
COPY scripts/check-node.mjs scripts/prisma-generate.mjs scripts/
COPY prisma prisma
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
# The build reads the settings as start-up does; these placeholders exist only in this step (settings
# are read at run time, not baked in: the instances get their own).
RUN AUTH_SECRET=docker-build-placeholder-0123456789abcdef AUTH_CLIENT_SECRET=docker-build-placeholder \
    NEXT_TELEMETRY_DISABLED=1 npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1
WORKDIR /app
COPY --from=build --chown=node:node /app /app
# The local IdP's signing keys (IDP_DATA_DIR) belong on a volume, not in the image.
RUN mkdir -p /var/lib/claimtrip-idp && chown node:node /var/lib/claimtrip-idp
ENV IDP_DATA_DIR=/var/lib/claimtrip-idp
USER node
EXPOSE 3000
# What `npm run start:app -- --port 3000` runs, without npm in between: `docker stop`'s SIGTERM
# reaches the process that serves the app, which stops it gracefully.
CMD ["node", "--experimental-strip-types", "--max-semi-space-size=8", "--max-old-space-size=256", "scripts/run.ts", "start", "app", "--port", "3000"]
