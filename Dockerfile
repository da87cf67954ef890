# dreamqueue: one image for the api, the worker and the emulator; the command picks the app.
#   docker build -t dreamqueue .
#   docker run dreamqueue node apps/api/dist/main.js        (the default command)
#   docker run dreamqueue node apps/worker/dist/main.js
#   docker run dreamqueue node --openssl-legacy-provider apps/emulator/dist/main.js

# ---- build: install everything, compile every project ----------------------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true
COPY . .
# npm 11 skips dependency install scripts by default; nothing in the set needs one (native binaries come
# from per-platform optional packages), so none are approved here either.
RUN npm ci --no-audit --no-fund
RUN npx nx run-many -t build --outputStyle=static
# Re-install production dependencies only, for the three runnable apps and the libs they link
# (the CDK app in deploy/ and its 190 MB of aws-cdk-lib stay out of the image).
RUN npm ci --omit=dev --no-audit --no-fund --include-workspace-root \
      --workspace=@dreamqueue/api --workspace=@dreamqueue/worker --workspace=@dreamqueue/emulator

# ---- runtime: compiled output + production node_modules, as the unprivileged node user ------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/apps ./apps
COPY --from=build /app/libs ./libs
# /data holds the emulator's S3 objects when EMULATOR_DATA_DIR points there (a named volume inherits this owner).
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000 3001 4568 4569
CMD ["node", "apps/api/dist/main.js"]
