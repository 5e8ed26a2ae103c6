# syntax=docker/dockerfile:1
# authentik GraphQL gateway. Build: docker build -t authentik-graphql-gateway .
# test/deploy/dockerfile.test.ts replays both stages without a Docker engine: keep each RUN a
# plain command, COPY lines explicit, and CMD/HEALTHCHECK in JSON form.

# Build stage: every dependency, TypeScript compiled to dist/.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Final stage: production dependencies and dist/ only, unprivileged, nothing written at run time
# (runs with a read-only root filesystem).
FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/dist ./dist
COPY scripts/start.sh ./scripts/start.sh
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node on dist/main.js with its heap sized to the container's memory limit (see the script).
CMD ["sh", "scripts/start.sh"]
