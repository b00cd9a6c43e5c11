# syntax=docker/dockerfile:1.7
# Fluxtap agent image. Build from the repository root:
#   docker build -f deploy/docker/agent.Dockerfile -t fluxtap/agent:dev .
# This file is checked statically by the deploy/manifests tests; it was written on a machine without a Docker engine
# and has not been built there (docs/OPERATIONS.md).

ARG MAVEN_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=debian:bookworm-slim

# 1. Build the agent's executable jar with the repository's Maven Wrapper (which pins the Maven version).
FROM ${MAVEN_IMAGE} AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -pl agent -am package -DskipTests \
 && cp agent/target/fluxtap-agent.jar /fluxtap-agent.jar

# 2. A Java runtime holding only the modules the jar needs.
#    jdeps finds the modules the code references. Added by name, because they are reached only through reflection or
#    service lookup: jdk.unsupported (sun.misc.Unsafe for Kafka, Netty, JNA), jdk.crypto.ec (elliptic-curve TLS to
#    Kafka), jdk.management (process CPU/memory meters on /metrics), java.security.sasl, java.security.jgss and
#    jdk.security.auth (Kafka SASL and its JAAS login modules).
FROM ${MAVEN_IMAGE} AS jlink
#    A module-info.class shaded in from a dependency would make jdeps treat the whole jar as that one module and
#    report only its requirements, so jdeps reads a copy without them.
COPY --from=build /fluxtap-agent.jar /fluxtap-agent.jar
RUN mkdir /classes && cd /classes && jar xf /fluxtap-agent.jar \
 && find . -name module-info.class -delete \
 && jar --create --file /analysed.jar --manifest META-INF/MANIFEST.MF -C /classes . \
 && modules="$(jdeps --ignore-missing-deps --multi-release 17 --print-module-deps /analysed.jar)" \
 && jlink --add-modules "${modules},jdk.unsupported,jdk.crypto.ec,jdk.management,java.security.sasl,java.security.jgss,jdk.security.auth" \
      --strip-debug --no-man-pages --no-header-files --compress=2 --output /runtime

# 3. The runtime image.
FROM ${RUNTIME_IMAGE}
# libpcap0.8: packet capture (pcap4j loads it through JNA). iproute2: ss, the TCP socket statistics. util-linux:
# nsenter, to read sockets inside other network namespaces. libcap2-bin only to set file capabilities, then removed.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcap0.8 iproute2 util-linux libcap2-bin \
 && groupadd --system --gid 10001 fluxtap \
 && useradd --system --uid 10001 --gid fluxtap --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin fluxtap \
 && rm -rf /var/lib/apt/lists/*
COPY --from=jlink /runtime /opt/java
COPY --from=build /fluxtap-agent.jar /opt/fluxtap/fluxtap-agent.jar
COPY --chmod=0755 deploy/docker/healthcheck.sh /opt/fluxtap/healthcheck

# Capabilities (docs/OPERATIONS.md, "Capabilities"). Docker and Kubernetes put added capabilities into the bounding set
# only, and a process running as a non-root user gains none of them at exec unless the binary carries file
# capabilities. So exactly the binaries that need them carry them, and the container's bounding set (cap_drop ALL plus
# the listed cap_add) decides what they really get:
#   java:    NET_RAW + NET_ADMIN (capture, capture buffer, promiscuous mode), SYS_PTRACE + DAC_READ_SEARCH (read
#            /proc/PID/fd and /proc/PID/ns/net of other users' processes to name the owner of a socket);
#   ss:      SYS_PTRACE + DAC_READ_SEARCH (process names in `tcp-stats`);
#   nsenter: SYS_ADMIN + SYS_PTRACE (enter another network namespace). Its exec fails with EPERM unless the deployment
#            opts in to SYS_ADMIN, which is the intended behaviour.
# File capabilities need no_new_privs off: this is why the agent container allows privilege escalation and the
# aggregator does not. A binary with file capabilities runs in secure-execution mode, in which the loader ignores the
# runtime's $ORIGIN library path, so the runtime's lib directory is registered with ldconfig.
RUN setcap cap_net_raw,cap_net_admin,cap_sys_ptrace,cap_dac_read_search+ep /opt/java/bin/java \
 && setcap cap_sys_ptrace,cap_dac_read_search+ep "$(command -v ss)" \
 && setcap cap_sys_admin,cap_sys_ptrace+ep "$(command -v nsenter)" \
 && echo /opt/java/lib > /etc/ld.so.conf.d/fluxtap-java.conf && ldconfig \
 && apt-get purge -y --auto-remove libcap2-bin

# The spool (--spool-dir, default /var/lib/fluxtap-agent/spool) keeps batches while Kafka is away. The root filesystem
# is read-only at run time, so a volume goes here; created with the agent's owner, so a fresh named volume inherits it.
RUN mkdir -p /var/lib/fluxtap-agent/spool && chown -R 10001:10001 /var/lib/fluxtap-agent && chmod 0700 /var/lib/fluxtap-agent/spool

USER 10001:10001
ENV FLUXTAP_HTTP_PORT=9100
EXPOSE 9100
HEALTHCHECK --interval=15s --timeout=6s --start-period=30s --retries=3 \
    CMD /opt/fluxtap/healthcheck "${FLUXTAP_HTTP_PORT}" /liveness
ENTRYPOINT ["/opt/java/bin/java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp", "-jar", "/opt/fluxtap/fluxtap-agent.jar"]
CMD ["run"]
