# syntax=docker/dockerfile:1
# The pipeline's ECS image: `ops-task <task>` (bin/ops-task.mjs), e.g. `ops-task dispatcher`. The
# TypeScript sources run through tsx (a runtime dependency), exactly as `ops` does on a laptop, so the
# image needs no build step. Build for the task definitions' platform (linux/amd64): docs/deploy.md.
FROM node:20-slim

ENV NODE_ENV=production \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true \
    NPM_CONFIG_UPDATE_NOTIFIER=false

WORKDIR /app

# Dependencies first: this layer is rebuilt only when the lock file changes.
COPY package.json package-lock.json ./
# Scripts stay on: esbuild (under tsx) checks its platform binary in a postinstall script.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src

# Unprivileged; tsx keeps its compile cache in the temp directory, which the node user may write.
USER node

ENTRYPOINT ["node", "bin/ops-task.mjs"]
CMD ["dispatcher"]
