#!/bin/bash
# Run "$@" in a private network namespace (only loopback: 169.254.169.254 and 10.0.0.1 are unreachable,
# nothing outside this machine can be reached), with the hostile server on 127.0.0.1:$HPORT (and
# 127.0.0.2, ::1) unless NOHOSTILE=1. Usage: unshare -rn probes/netns.sh CMD...   (HOSTILE_ARGS for the server)
set -u
ip link set lo up
cd "$(dirname "$0")/.."
if [ -z "${NOHOSTILE:-}" ]; then
  export HPORT=${HPORT:-8800}
  rm -f /tmp/hostile-url.$$
  .venv/bin/python tests/hostile.py --port "$HPORT" --url-file /tmp/hostile-url.$$ ${HOSTILE_ARGS:-} > /tmp/hostile-server.$$.log 2>&1 &
  SERVER=$!
  for _ in $(seq 100); do [ -s /tmp/hostile-url.$$ ] && break; sleep 0.1; done
  export H=$(cat /tmp/hostile-url.$$)
fi
"$@"
rc=$?
if [ -n "${SERVER:-}" ]; then kill "$SERVER"; wait "$SERVER" 2>/dev/null; rm -f /tmp/hostile-url.$$; fi
exit $rc
