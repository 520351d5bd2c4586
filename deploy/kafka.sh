#!/usr/bin/env bash
# The local Kafka broker: deploy/kafka.sh fetch|start|stop|status|run [--port N] [--state-dir DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-}"
if [ -z "$python" ]; then
  if [ -x "$root/.venv/bin/python" ]; then python="$root/.venv/bin/python"; else python=python3; fi
fi
cd "$root"
exec "$python" -m deploy.localkafka "$@"
