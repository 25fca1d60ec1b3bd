# SPDX-License-Identifier: Apache-2.0
#
# pixelrelay container image.
#
#   docker build -t pixelrelay .
#   docker run --read-only -p 8080:8080 -v pixelrelay-data:/var/lib/pixelrelay pixelrelay
#
# Two stages: the Swift toolchain builds a binary with the Swift runtime linked
# in statically (--static-swift-stdlib), so the runtime stage needs only glibc,
# libstdc++ (both in debian:bookworm-slim), libcurl and the CA bundle.
# Checked without a Docker engine by scripts/check-image.sh; see docs/deploy.md.

# ---------------------------------------------------------------- build stage
FROM swift:6.3-bookworm AS build

# Versions are not pinned: Debian drops superseded versions from its archive
# with every security update, so a pin would break the build within weeks.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcurl4-openssl-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# Resolve dependencies in their own layer so source edits do not refetch them.
COPY Package.swift ./
RUN swift package resolve

COPY . .
RUN swift build -c release --static-swift-stdlib --product pixelrelay \
 && install -d /staging \
 && cp "$(swift build -c release --static-swift-stdlib --show-bin-path)/pixelrelay" /staging/ \
 && cp /usr/libexec/swift/linux/swift-backtrace-static /staging/

# ---------------------------------------------------------------- runtime stage
FROM debian:bookworm-slim

LABEL org.opencontainers.image.title="pixelrelay" \
      org.opencontainers.image.description="First-party tracking gateway for Meta's Conversions API" \
      org.opencontainers.image.licenses="Apache-2.0"

# libcurl4 pulls in libssl3 (the binary also links libcrypto from it);
# ca-certificates is needed for HTTPS to the Graph API.
# A fixed numeric uid/gid so Kubernetes' runAsNonRoot can verify the user and
# volumes can be pre-owned (fsGroup 10001). The data directory is 0700: queue
# files hold hashed customer data (reliability S5).
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcurl4 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 pixelrelay \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/pixelrelay --no-create-home \
      --shell /usr/sbin/nologin pixelrelay \
 && install -d -o 10001 -g 10001 -m 0700 /var/lib/pixelrelay \
 && install -d -o 0 -g 0 -m 0755 /etc/pixelrelay /usr/local/libexec/pixelrelay

COPY --from=build /staging/pixelrelay /usr/local/bin/pixelrelay
COPY --from=build /staging/swift-backtrace-static /usr/local/libexec/pixelrelay/swift-backtrace-static
# Read-only for everyone, owned by root: the service cannot change its own config.
COPY --chmod=0444 config/pixelrelay.json /etc/pixelrelay/pixelrelay.json

# The data volume is the only place the process writes (read-only root works:
# docker run --read-only; Kubernetes readOnlyRootFilesystem). The working
# directory is the volume too, so a stray relative path cannot hit the root fs.
# SWIFT_BACKTRACE: on a crash, a symbolicated backtrace on stderr with paths
# sanitized and no interactive prompt (as in the Hummingbird template).
ENV PIXELRELAY_CONFIG=/etc/pixelrelay/pixelrelay.json \
    PIXELRELAY_DATA_DIR=/var/lib/pixelrelay \
    PIXELRELAY_HOST=0.0.0.0 \
    SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/usr/local/libexec/pixelrelay/swift-backtrace-static

WORKDIR /var/lib/pixelrelay
USER 10001:10001
EXPOSE 8080
VOLUME ["/var/lib/pixelrelay"]

# Exec form without a shell: the image has no curl, the binary probes itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/pixelrelay", "healthcheck"]

# Exec form: pixelrelay is PID 1 and receives SIGTERM from `docker stop`
# (it stops within 10 s; docker's default grace period is 10 s as well).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/pixelrelay"]
CMD ["serve"]
