#!/usr/bin/env bash
# Compares the SQLite drivers the Prisma 7 SQLite path can use, on each Node line at hand:
# how long a fresh `npm install` of the driver (and its Prisma adapter) takes, whether it loads,
# and a small write/read workload through the driver itself. Prints a table; writes
# bench/results/sqlite-drivers.json. Numbers, not assertions.
#
#   bash bench/sqlite-drivers.sh /path/to/node22/bin/node /path/to/node24/bin/node ...
#   (default: the `node` on PATH)
#
# Each install runs in a fresh temporary folder against the npm registry (npm's cache warm, as
# on a developer's machine after the first install). better-sqlite3 12 compiles from source
# (python3, make, g++), so give it a few minutes per Node line.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
nodes=("$@")
[ ${#nodes[@]} -gt 0 ] || nodes=("$(command -v node)")
candidates=()
# BENCH_SKIP_COMPILE=1 leaves out the driver that compiles from source (minutes on a busy machine).
[ "${BENCH_SKIP_COMPILE:-}" = 1 ] || candidates+=("better-sqlite3@12.6.2 @prisma/adapter-better-sqlite3@7.10.0")
candidates+=(
  "better-sqlite3@13.2.0 @prisma/adapter-better-sqlite3@7.10.0"
  "@libsql/client@0.17.0 @prisma/adapter-libsql@7.10.0"
)
mkdir -p "$here/results"
json="["
printf '%-10s %-28s %-12s %-8s %s\n' node driver install_s loads "workload (1000 inserts in 1 tx + 1000 point reads)"
for node in "${nodes[@]}"; do
  version=$("$node" --version)
  bin=$(dirname "$node")
  for candidate in "${candidates[@]}" "node:sqlite"; do
    driver=${candidate%% *}
    dir=$(mktemp -d)
    install_s="-"
    ok="yes"
    if [ "$candidate" != "node:sqlite" ]; then
      # The Prisma adapter asks for better-sqlite3 ^12; an override makes it use the one under test,
      # as the project's own package.json does.
      printf '{ "private": true, "overrides": { "better-sqlite3": "%s" } }\n' "${driver#better-sqlite3@}" > "$dir/package.json"
      [[ $driver == better-sqlite3@* ]] || printf '{ "private": true }\n' > "$dir/package.json"
      start=$(date +%s.%N)
      if ! (cd "$dir" && PATH="$bin:$PATH" npm_config_nodedir="$(dirname "$bin")" timeout 600 npm install --no-audit --no-fund --no-save --engine-strict=false $candidate >"$dir/install.log" 2>&1); then ok="no"; fi
      install_s=$(echo "$(date +%s.%N) - $start" | bc | xargs printf '%.1f')
    fi
    workload="-"
    if [ "$ok" = yes ]; then
      workload=$(cd "$dir" && timeout 120 "$node" "$here/sqlite-workload.mjs" "${driver%@*}" 2>"$dir/run.log") || ok="no"
    fi
    [ "$ok" = yes ] || workload="failed: $(cat "$dir/install.log" "$dir/run.log" 2>/dev/null | grep -m1 -iE 'error|fault' | cut -c1-90)"
    printf '%-10s %-28s %-12s %-8s %s\n' "$version" "$driver" "$install_s" "$ok" "$workload"
    json+="{\"node\":\"$version\",\"driver\":\"$driver\",\"install_s\":\"$install_s\",\"loads\":\"$ok\",\"workload\":$(printf '%s' "$workload" | "$node" -e 'process.stdout.write(JSON.stringify(require("fs").readFileSync(0,"utf8")))')},"
    rm -rf "$dir"
  done
done
echo "${json%,}]" > "$here/results/sqlite-drivers.json"
echo "wrote bench/results/sqlite-drivers.json"
