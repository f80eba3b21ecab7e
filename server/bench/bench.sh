#!/usr/bin/env bash
# `pnpm bench` entry: raises the open-files limit for thousands of sockets (the server and the load
# workers inherit it), then runs the TypeScript runner.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n "${BENCH_NOFILE:-19000}" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
exec node --import tsx bench/run.ts
