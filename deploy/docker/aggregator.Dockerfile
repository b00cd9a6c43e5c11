# syntax=docker/dockerfile:1.7
# Fluxtap aggregator image. Build from the repository root:
#   docker build -f deploy/docker/aggregator.Dockerfile -t fluxtap/aggregator:dev .
# This file is checked statically by the deploy/manifests tests; it was written on a machine without a Docker engine
# and has not been built there (docs/OPERATIONS.md).

ARG MAVEN_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=debian:bookworm-slim

# 1. Build the aggregator's executable jar with the repository's Maven Wrapper (which pins the Maven version).
FROM ${MAVEN_IMAGE} AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -pl aggregator -am package -DskipTests \
 && cp aggregator/target/fluxtap-aggregator.jar /fluxtap-aggregator.jar

# 2. A Java runtime holding only the modules the jar needs.
#    jdeps finds the modules the code references. Added by name, because they are reached only through reflection or
#    service lookup: jdk.unsupported (sun.misc.Unsafe for Kafka and Netty), jdk.crypto.ec (elliptic-curve TLS for
#    Kafka and the HTTPS listener), jdk.management (process CPU/memory meters on /metrics), java.security.sasl,
#    java.security.jgss and jdk.security.auth (Kafka SASL and its JAAS login modules).
FROM ${MAVEN_IMAGE} AS jlink
#    A module-info.class shaded in from a dependency would make jdeps treat the whole jar as that one module and
#    report only its requirements, so jdeps reads a copy without them.
COPY --from=build /fluxtap-aggregator.jar /fluxtap-aggregator.jar
RUN mkdir /classes && cd /classes && jar xf /fluxtap-aggregator.jar \
 && find . -name module-info.class -delete \
 && jar --create --file /analysed.jar --manifest META-INF/MANIFEST.MF -C /classes . \
 && modules="$(jdeps --ignore-missing-deps --multi-release 17 --print-module-deps /analysed.jar)" \
 && jlink --add-modules "${modules},jdk.unsupported,jdk.crypto.ec,jdk.management,java.security.sasl,java.security.jgss,jdk.security.auth" \
      --strip-debug --no-man-pages --no-header-files --compress=2 --output /runtime

# 3. The runtime image: debian-slim rather than distroless because the health check below uses bash's /dev/tcp
#    instead of shipping curl. The aggregator needs no capabilities and no extra packages.
FROM ${RUNTIME_IMAGE}
RUN groupadd --system --gid 10001 fluxtap \
 && useradd --system --uid 10001 --gid fluxtap --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin fluxtap
COPY --from=jlink /runtime /opt/java
COPY --from=build /fluxtap-aggregator.jar /opt/fluxtap/fluxtap-aggregator.jar
COPY --chmod=0755 deploy/docker/healthcheck.sh /opt/fluxtap/healthcheck

USER 10001:10001
ENV FLUXTAP_HTTP_PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=6s --start-period=60s --retries=3 \
    CMD /opt/fluxtap/healthcheck "${FLUXTAP_HTTP_PORT}" /readiness
ENTRYPOINT ["/opt/java/bin/java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp", "-jar", "/opt/fluxtap/fluxtap-aggregator.jar"]
