# syntax=docker/dockerfile:1
# The API image; the Compose seed service runs `npm run seed` from the same image.
# Node 24 LTS: the runtime the test suite runs on (package.json pins the `node` package for npm scripts).
ARG NODE_VERSION=24

# --- deps: production dependencies exactly as locked (tsx, which runs the TypeScript, is one of them) -------------
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- web: the built-in dashboard's front-end (Vite is a dev dependency, so it is built in a stage of its own) -----
FROM node:${NODE_VERSION}-bookworm-slim AS web
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY vite.config.ts tsconfig.json ./
COPY src ./src
RUN npm run build

# --- runtime: those dependencies + the source, owned by root and run by the unprivileged `node` user (uid 1000) ---
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3001 \
    HOST=0.0.0.0 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY config ./config
# The charts' bundled font (DejaVu Sans and its licence): reports render text without system fonts.
COPY assets ./assets
COPY src ./src
COPY --from=web /app/dist ./dist
USER node
EXPOSE 3001
# Slim images have no curl or wget: Node's own fetch asks /ready — healthy while the platform database answers and is
# migrated and the registry is loaded (/health only says the process is alive). PORT may be set by the platform.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3001)+'/ready').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
# node itself is PID 1 (no npm or tsx CLI in between), so SIGTERM reaches the server's graceful shutdown.
CMD ["node", "--import", "tsx", "src/cli/start.ts"]
