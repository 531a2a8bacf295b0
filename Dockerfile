# syntax=docker/dockerfile:1
# One image for the three Lambda functions. Terraform picks the handler per function with image_config.command,
# a path relative to LAMBDA_TASK_ROOT (/var/task) whose last dot separates the export:
#   detector/dist/handler.handler     recognizer/dist/handler.handler     enroller/dist/handler.handler
# Build: docker build -t frs .   (infra/image-test.sh builds it with buildah against local stand-in bases)

# The official Node image, from ECR Public's mirror of Docker Hub's library (no Docker Hub rate limits).
ARG BUILD_IMAGE=public.ecr.aws/docker/library/node:22-bookworm-slim
ARG BASE_IMAGE=public.ecr.aws/lambda/nodejs:22

# ---------------------------------------------------------------------------------------------------------
FROM ${BUILD_IMAGE} AS build
ARG PNPM_VERSION=10.34.9
# Set by BuildKit and buildah from --platform; amd64 or arm64.
ARG TARGETARCH=amd64
ENV CI=true ONNXRUNTIME_NODE_INSTALL=skip
WORKDIR /src
RUN command -v pnpm >/dev/null 2>&1 || npm install --global --no-audit --no-fund "pnpm@${PNPM_VERSION}"

# The lockfile alone decides the dependency layer, so source edits reuse it.
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc package.json ./
RUN pnpm fetch

COPY . .
RUN pnpm install --offline --frozen-lockfile

# Builds @frs/models first (downloads the pinned npm tarballs and converts them to ONNX inside the image;
# nothing comes from a developer's machine), then the libraries and the three handlers.
RUN pnpm --filter "@frs/detector..." --filter "@frs/recognizer..." --filter "@frs/enroller..." run build

# `pnpm deploy` copies each function with only its production dependencies; --legacy because the
# workspace does not set inject-workspace-packages.
RUN pnpm --filter @frs/detector deploy --prod --legacy /out/detector \
 && pnpm --filter @frs/recognizer deploy --prod --legacy /out/recognizer \
 && pnpm --filter @frs/enroller deploy --prod --legacy /out/enroller \
 && mkdir -p /out/models \
 && cp models/onnx/*.onnx /out/models/

# Keep only this architecture's Linux binaries: onnxruntime-node ships win32/darwin/linux x arm64/x64, and
# type declarations and source maps of dependencies are dead weight at runtime.
RUN set -eu; \
    case "$TARGETARCH" in amd64) arch=x64 ;; arm64) arch=arm64 ;; *) echo "unsupported arch $TARGETARCH" >&2; exit 1 ;; esac; \
    for fn in detector recognizer enroller; do \
      store="/out/$fn/node_modules/.pnpm"; \
      for napi in $(find "$store" -type d -path '*/onnxruntime-node/bin/napi-v*' -prune); do \
        find "$napi" -mindepth 1 -maxdepth 1 ! -name linux -exec rm -rf {} +; \
        find "$napi/linux" -mindepth 1 -maxdepth 1 ! -name "$arch" -exec rm -rf {} +; \
      done; \
      find "$store" -mindepth 1 -maxdepth 1 -name '@img+sharp-*' ! -name "@img+sharp-linux-$arch@*" \
        ! -name "@img+sharp-libvips-linux-$arch@*" -exec rm -rf {} +; \
      find "$store" \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.map' -o -name '*.md' \) -type f -delete; \
    done; \
    test -n "$(find /out/detector/node_modules/.pnpm -path "*/onnxruntime-node/bin/napi-v*/linux/$arch/*.node")"

# ---------------------------------------------------------------------------------------------------------
FROM ${BASE_IMAGE}
ENV NODE_ENV=production FRS_MODELS_DIR=/var/task/models
COPY --from=build /out/detector /var/task/detector
COPY --from=build /out/recognizer /var/task/recognizer
COPY --from=build /out/enroller /var/task/enroller
COPY --from=build /out/models /var/task/models
# Lambda runs images as its own non-root user anyway; this keeps local runs (RIE, docker run) non-root too.
USER 65534:65534
CMD ["detector/dist/handler.handler"]
