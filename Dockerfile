# promwatch container image.
#
#   docker build -t promwatch .
#   docker build --build-arg BASE_IMAGE=registry.example/debian:bookworm --build-arg JOBS=1 .
#
# The build stage uses the project's own install script and CMake presets, so the image is
# built exactly as CI builds. The final stage is `scratch` with only the stripped binary, the
# shared libraries it links (found with ldd, so nothing is forgotten or left over), and a
# passwd/group entry for 65534. There is no shell: HEALTHCHECK uses `promwatch healthcheck`.
# Written for both BuildKit and the classic builder (no RUN --mount, no COPY --chmod).

ARG BASE_IMAGE=debian:bookworm

FROM ${BASE_IMAGE} AS build
# Parallel compile jobs; empty means one per CPU.
ARG JOBS=
WORKDIR /src

# Dependencies first, in their own layer: it is reused until the install script changes.
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN scripts/install-deps.sh --build \
 && rm -rf /var/lib/apt/lists/*

COPY . .
RUN jobs="${JOBS:-$(nproc)}" \
 && cmake --preset release -DPROMWATCH_BUILD_BENCH=OFF \
 && cmake --build --preset release --parallel "$jobs" --target promwatch unit_tests \
 && ctest --preset release --label-regex '^unit$' --parallel "$jobs"

# Stage the final root filesystem in /rootfs: the binary, every shared library ldd reports
# (with the dynamic loader), and the user database entries for 65534.
RUN set -eu; \
    mkdir -p /rootfs/usr/bin /rootfs/etc /rootfs/tmp; \
    install -m 0755 build/release/promwatch /rootfs/usr/bin/promwatch; \
    strip --strip-unneeded /rootfs/usr/bin/promwatch; \
    for lib in $(ldd build/release/promwatch | grep -o '/[^ ]*'); do \
      cp -L --parents "$lib" /rootfs/; \
    done; \
    printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' > /rootfs/etc/passwd; \
    printf 'root:x:0:\nnogroup:x:65534:\n' > /rootfs/etc/group; \
    chmod 1777 /rootfs/tmp; \
    chroot --userspec=65534:65534 /rootfs /usr/bin/promwatch --version

FROM scratch
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=
LABEL org.opencontainers.image.title="promwatch" \
      org.opencontainers.image.description="Sidecar that validates Prometheus configuration, rules and file_sd changes like promtool, then reloads Prometheus" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.base.name="scratch"

COPY --from=build /rootfs/ /
USER 65534:65534
EXPOSE 9533
ENTRYPOINT ["/usr/bin/promwatch"]
CMD ["run", "--config-file=/etc/prometheus/prometheus.yml", "--listen-address=:9533"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/usr/bin/promwatch", "healthcheck"]
