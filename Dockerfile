# syntax=docker/dockerfile:1
# The receiver as one image: docker build -t douane-callback-receiver .
#   docker run -d --name receiver -p 8080:8080 -v receiver-data:/data -e H7_TOKEN=… douane-callback-receiver
# No Docker engine runs on this project's CI machines: test/docker/dockerfile.test.ts reads this file and performs
# its build and start steps outside Docker (DOCKERFILE_TEST=1, run by .ci/run), so the recipe is known to work.

# Node 22 LTS (supported until April 2027; Node 20 reached its end of life in April 2026). The code itself still
# runs on Node 20.19+ (package.json "engines") where a machine has nothing newer.
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3 is compiled from source when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
# The npm this project is developed with: it honours package.json "allowScripts" (npm 10 would also run
# @prisma/engines' download script, which this service does not need).
RUN npm install -g npm@11.19.1
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma.config.ts tsconfig.json tsconfig.build.json ./
COPY prisma ./prisma
COPY scripts ./scripts
COPY src ./src
# postinstall generates both Prisma clients and compiles src/ to dist/.
RUN npm ci --no-audit --no-fund
# Production dependencies only, compiled better-sqlite3 kept. prisma stays: the service applies migrations on start.
# npm keeps typescript as prisma's optional peer; nothing needs it at run time (Prisma loads prisma.config.ts
# with its own loader), so it goes too.
RUN npm prune --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/typescript node_modules/.bin/tsc node_modules/.bin/tsserver

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    CHECKPOINT_DISABLE=1 \
    PORT=8080 \
    DATABASE_URL=file:/data/receiver.db
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# prisma migrate deploy at start reads prisma.config.ts (TypeScript, loaded by Prisma's own loader), the
# migrations and the migrate adapters; scripts/ holds the timer fix it runs with.
COPY --from=build /app/prisma.config.ts ./
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/scripts ./scripts
# The SQLite folder, owned by the unprivileged user the service runs as (the image's code stays root-owned).
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# 8080: the public listener Douane calls. 8081: the internal API (INTERNAL_API_TOKEN; bind INTERNAL_HOST=0.0.0.0
# to reach it from outside the container, and publish it on a private address only).
EXPOSE 8080 8081
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const h=require(process.env.TLS_CERT_FILE?'https':'http');h.get({host:'127.0.0.1',port:process.env.PORT||8080,path:'/health/live',rejectUnauthorized:false,timeout:4000},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1)).on('timeout',()=>process.exit(1))"]
# Migrations are applied on start (prisma migrate deploy), then both listeners open; SIGTERM drains and exits.
# The same command as `npm start` (a larger young generation: see docs/deployment.md).
CMD ["node", "--max-semi-space-size=32", "dist/src/main.js"]
