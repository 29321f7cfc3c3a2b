# syntax=docker/dockerfile:1
# PetBuddy API image: `docker build -t petbuddy-api .`; docker-compose.yml runs it with MongoDB
# (a one-member replica set, for transactions) and Redis. The process needs MONGODB_URI and its
# secrets (see .env.example); it refuses to start in production without them.

# Build stage: every dependency, compile TypeScript to dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json server.ts ./
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies and the compiled code only, as the unprivileged `node` user.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=4000 LOG_DIR=/app/logs DATA_DIR=/app/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
RUN mkdir -p logs data && chown -R node:node logs data
USER node
EXPOSE 4000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "require('http').get('http://127.0.0.1:'+(process.env.PORT||4000)+'/health',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"
CMD ["node", "dist/server.js"]
