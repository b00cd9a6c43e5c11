#!/bin/bash
# Container health probe without curl or wget in the image: an HTTP/1.0 GET over bash's /dev/tcp.
# Usage: healthcheck PORT PATH. Healthy (exit 0) only on a 200 status line within 5 seconds.
set -euo pipefail
port="${1:?usage: healthcheck PORT PATH}"
path="${2:?usage: healthcheck PORT PATH}"
exec 3<>"/dev/tcp/127.0.0.1/${port}"
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "${path}" >&3
IFS= read -r -t 5 status <&3
[[ "${status}" == *" 200 "* ]]
