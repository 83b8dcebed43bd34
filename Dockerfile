# One Dockerfile for the five services; SERVICE (a folder name) and PORT pick the service:
#   docker build --build-arg SERVICE=inventory --build-arg PORT=3002 -t dapr-orders/inventory .
# docker-compose.yml builds all five. NODE_IMAGE is the Node base image; machines without a
# container registry point it at a local image (scripts/docker-standin-images.sh).
# No "# syntax=" line on purpose: that would pull a frontend image at build time.
ARG NODE_IMAGE=node:24-slim

# ---- manifests: only package.json files, the lockfile and .npmrc, in their folders. This stage reruns
# on any change, but what it produces changes only with the manifests, so the npm ci layer
# below stays cached while only code changes (and new workspaces need no edit here).
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json ! -name .npmrc -delete \
 && find . -depth -type d -empty -delete

# ---- deps: every dependency, dev ones included, from the manifests alone: cached until a
# package.json or the lockfile changes.
FROM ${NODE_IMAGE} AS deps
ENV NPM_CONFIG_AUDIT=false NPM_CONFIG_FUND=false NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /src
COPY --from=manifests /src/ ./
RUN npm ci

# ---- build: every workspace compiled. Nothing here depends on SERVICE, so the five images
# share this stage and Docker builds it only once. What the images take from it (compiled
# code without tests, static files) is gathered in /out, one folder per workspace.
FROM deps AS build
COPY . .
RUN npm run build \
 && for ws in */; do ws=${ws%/}; \
      if [ -d "$ws/dist/src" ]; then mkdir -p "/out/$ws/dist" && cp -a "$ws/dist/src" "/out/$ws/dist/"; fi; \
      if [ -d "$ws/public" ]; then mkdir -p "/out/$ws" && cp -a "$ws/public" "/out/$ws/"; fi; \
    done

# ---- release: the production dependencies of the one service and of the workspaces it uses
# (service-kit), reinstalled from the npm cache the deps stage filled (no download), with the
# manifests, in /app. Like deps, it does not depend on the code: a code change rebuilds none of it.
FROM deps AS release
ARG SERVICE
ARG PORT
RUN if [ ! -f "$SERVICE/package.json" ] || [ -z "$PORT" ]; then \
      echo "build with --build-arg SERVICE=<service folder> --build-arg PORT=<its port>" >&2; exit 1; fi
RUN npm ci --omit=dev --workspace="$SERVICE" --offline --ignore-scripts \
 && mkdir /app && cp -a package.json node_modules /app/ \
 && for ws in service-kit "$SERVICE"; do \
      mkdir "/app/$ws" && cp -a "$ws/package.json" "/app/$ws/" \
      && if [ -d "$ws/node_modules" ]; then cp -a "$ws/node_modules" "/app/$ws/"; fi; \
    done

# ---- final image: Node, the service's dependencies and its compiled code, nothing else. Runs
# as the image's "node" user; the code stays owned by root, so the service cannot modify it.
FROM ${NODE_IMAGE}
ARG SERVICE
ARG PORT
ENV NODE_ENV=production \
    PORT=${PORT}
LABEL org.opencontainers.image.title="dapr-orders ${SERVICE}"
COPY --from=release /app /app
COPY --from=build /out/service-kit /app/service-kit
COPY --from=build /out/${SERVICE} /app/${SERVICE}
WORKDIR /app/${SERVICE}
USER node
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--enable-source-maps", "dist/src/main.js"]
