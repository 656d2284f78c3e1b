# syntax=docker/dockerfile:1.7
# One image for every headless-ops process; the command picks the service:
#   node services/api/dist/main.js | services/scheduler/dist/main.js | services/prober/dist/main.js
#   | services/aggregator/dist/main.js | services/notifier/dist/main.js, and migrations: node libs/db/dist/cli.js
# deploy/README.md explains how to build and run it; tests/deploy/dockerfile.test.ts keeps it honest.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false

# Only the package manifests, so the dependency layers below are rebuilt only when a
# package.json or the lockfile changes. Workspaces are `<folder>/*` (libs, services, tools):
# every ./<folder>/<name>/package.json of the context is one, new ones included.
FROM base AS manifests
COPY . /src
RUN mkdir -p /out \
 && cd /src \
 && cp package.json package-lock.json /out/ \
 && find . -mindepth 3 -maxdepth 3 -name package.json -exec cp --parents {} /out/ \;

# Compile every workspace with the dev toolchain (TypeScript project references).
FROM base AS build
COPY --from=manifests /out/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts
COPY . .
RUN npm run build

# Production dependencies only; workspace packages become symlinks into libs/ and services/.
FROM base AS prod-deps
COPY --from=manifests /out/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production
# SERVICE_NODE_FLAGS of libs/runtime (node-flags.ts): a 16 MB young generation and a 384 MB heap
# limit keep each service under 200 MB peak RSS (bench/README.md, "Peak RSS per service").
ENV NODE_OPTIONS="--max-semi-space-size=16 --max-old-space-size=384"
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=prod-deps /app/package.json ./package.json
# Each package: its package.json (module type, exports) and its compiled dist/.
COPY --from=build /app/libs/runtime/package.json libs/runtime/package.json
COPY --from=build /app/libs/runtime/dist libs/runtime/dist
COPY --from=build /app/libs/contracts/package.json libs/contracts/package.json
COPY --from=build /app/libs/contracts/dist libs/contracts/dist
COPY --from=build /app/libs/bus/package.json libs/bus/package.json
COPY --from=build /app/libs/bus/dist libs/bus/dist
COPY --from=build /app/libs/db/package.json libs/db/package.json
COPY --from=build /app/libs/db/dist libs/db/dist
# The committed SQL migrations (and drizzle's journal) that `libs/db/dist/cli.js` applies.
COPY --from=build /app/libs/db/migrations libs/db/migrations
COPY --from=build /app/libs/worker/package.json libs/worker/package.json
COPY --from=build /app/libs/worker/dist libs/worker/dist
# The dashboard bundle the api serves at /ui/ (built by `npm run build`; only its dist/ is needed).
COPY --from=build /app/libs/dashboard/package.json libs/dashboard/package.json
COPY --from=build /app/libs/dashboard/dist libs/dashboard/dist
COPY --from=build /app/services/api/package.json services/api/package.json
COPY --from=build /app/services/api/dist services/api/dist
COPY --from=build /app/services/scheduler/package.json services/scheduler/package.json
COPY --from=build /app/services/scheduler/dist services/scheduler/dist
COPY --from=build /app/services/prober/package.json services/prober/package.json
COPY --from=build /app/services/prober/dist services/prober/dist
COPY --from=build /app/services/aggregator/package.json services/aggregator/package.json
COPY --from=build /app/services/aggregator/dist services/aggregator/dist
COPY --from=build /app/services/notifier/package.json services/notifier/package.json
COPY --from=build /app/services/notifier/dist services/notifier/dist
# The code stays root-owned and read-only; the process runs as the image's `node` user,
# numeric so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
# PORT (api) and METRICS_PORT (scheduler, prober, aggregator, notifier) defaults of libs/runtime config.
EXPOSE 8080 9464
CMD ["node", "services/api/dist/main.js"]
