# depthwatch image: one image for every fleet role (collector, analyzer, api) and for the single process.
# The server side runs the TypeScript sources through tsx (a runtime dependency: no server build step);
# the dashboard is built with Vite in the build stage and served from web/dist.
#
#   docker build -t depthwatch .
#   docker run -p 127.0.0.1:8080:8080 -e DEPTHWATCH_API_KEYS=read:dwk_... depthwatch   # one process, DuckDB
#   docker compose up                                       # the fleet (see compose.yaml)
# Inside the container the API listens on 0.0.0.0, which needs an API key (`depthwatch keys create`) or,
# for a local try-out only, -e DEPTHWATCH_INSECURE=1 (README "Security"); otherwise it refuses to start.

# ---- build: full dependencies, dashboard bundle ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:web

# ---- runtime: production dependencies only ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    DEPTHWATCH_HOST=0.0.0.0 \
    DEPTHWATCH_PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY src ./src
COPY tsconfig.json ./
COPY --from=build /app/web/dist ./web/dist
# data/ holds the embedded DuckDB file, recordings and the PostgreSQL spool (store/durable.ts): mount a
# volume there so spooled rows survive a container restart.
RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.DEPTHWATCH_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# SIGTERM → graceful shutdown (flushes the store, spool, bus); node runs as PID 1 without a shell.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/depthwatch.mjs"]
CMD ["run"]
