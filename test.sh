#!/usr/bin/env bash
# Runs the whole test suite: installs missing system tools (kcat, postgresql, chromium), starts a throwaway PostgreSQL 15 on
# loopback, builds once in Release, runs every test project (Bench-tagged tests excluded) and
# summarises the TRX results. The last line is always "N passed, M failed[, K skipped]" once
# tests have run. Works unattended as root on a fresh Debian 12 with only the .NET SDK.
#
# Environment (all optional):
#   DMP_TEST_PROJECTS   space-separated test projects (dirs or .csproj) instead of every test project in the solution
#   DMP_TEST_FILTER     extra dotnet test filter, ANDed with Category!=Bench
#   DMP_TEST_RESULTS    results directory (default: TestResults/suite)
#   DMP_TEST_PG_PORT    port for the throwaway PostgreSQL (default: first free from 55432)
#   DMP_PG_BIN          directory holding initdb/pg_ctl (default: newest /usr/lib/postgresql/*/bin)
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DEBIAN_FRONTEND=noninteractive

log() { printf '==> %s\n' "$*"; }
die() { printf 'test.sh: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else die "need root (or sudo) to run: $*"
  fi
}

# --- 1. system packages ------------------------------------------------------------------------
find_pg_bin() {
  if [ -n "${DMP_PG_BIN:-}" ]; then echo "$DMP_PG_BIN"; return; fi
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
  return 0
}

missing=()
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
# The dashboard's browser tests drive Debian's Chromium through Playwright (no browser download, no npm step:
# the dashboard bundle is committed).
[ -x "${DMP_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
[ -n "$(find_pg_bin)" ] || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} (apt-get)"
  apt_log=$(mktemp)
  if ! { as_root apt-get update -qq && as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$apt_log" 2>&1; then
    tail -n 20 "$apt_log" >&2
    die "apt-get install ${missing[*]} failed"
  fi
  rm -f "$apt_log"
fi
PG_BIN=$(find_pg_bin)
[ -n "$PG_BIN" ] || die "no PostgreSQL binaries found under /usr/lib/postgresql/*/bin"

# --- 2. throwaway PostgreSQL on loopback --------------------------------------------------------
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

PG_PORT=${DMP_TEST_PG_PORT:-}
if [ -z "$PG_PORT" ]; then
  for candidate in $(seq 55432 55482); do
    if ! port_in_use "$candidate"; then PG_PORT=$candidate; break; fi
  done
  [ -n "$PG_PORT" ] || die "no free port in 55432-55482 for PostgreSQL"
fi

# PostgreSQL refuses to run as root: as root, its files belong to and it runs as the postgres user.
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || die "user 'postgres' missing (is the postgresql package installed?)"
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

PG_DIR=$(mktemp -d /tmp/dmp-test-pg.XXXXXX)
cleanup() {
  local rc=$?
  if [ -f "$PG_DIR/data/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_DIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
[ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DIR"

log "starting PostgreSQL ($("$PG_BIN/postgres" --version | awk '{print $3}')) on 127.0.0.1:$PG_PORT"
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1 \
  || { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
# Durability off: this database lives for one test run.
if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/data/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories='$PG_DIR/data' -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null; then
  cat "$PG_DIR/data/server.log" >&2 || true
  die "PostgreSQL did not start"
fi
as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres dmp_test
export DMP_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=dmp_test"

# --- 3. build once, test every project ----------------------------------------------------------
if [ -n "${DMP_TEST_PROJECTS:-}" ]; then
  read -r -a projects <<<"$DMP_TEST_PROJECTS"
  build_targets=("${projects[@]}")
else
  projects=()
  while IFS= read -r path; do
    path=${path//\\//}
    if [ -f "$path" ] && grep -q 'Microsoft.NET.Test.Sdk' "$path"; then projects+=("$path"); fi
  done < <(dotnet sln DmpActors.sln list | grep -E '\.csproj$')
  build_targets=(DmpActors.sln)
fi
[ ${#projects[@]} -gt 0 ] || die "no test projects found"

for target in "${build_targets[@]}"; do
  log "building $target (Release)"
  if ! dotnet build "$target" -c Release -nologo -v quiet -clp:ErrorsOnly; then
    echo "BUILD FAILED ($target)"
    exit 1
  fi
done

RESULTS=${DMP_TEST_RESULTS:-TestResults/suite}
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
filter="Category!=Bench"
[ -n "${DMP_TEST_FILTER:-}" ] && filter="($filter)&(${DMP_TEST_FILTER})"

# One dotnet test per project, one after another: each gets its own TRX, and timing-sensitive
# actor tests do not fight each other for the 2 cores of a CI machine.
run_failed=0
for project in "${projects[@]}"; do
  name=$(basename "${project%.csproj}")
  log "testing $name"
  if ! dotnet test "$project" -c Release --no-build -nologo -v quiet \
      --filter "$filter" --blame-hang-timeout 10m \
      --results-directory "$RESULTS" --logger "trx;LogFileName=$name.trx" </dev/null; then
    run_failed=1
  fi
done

# --- 4. summary from the TRX files --------------------------------------------------------------
counter() { grep -o "<Counters [^>]*>" "$1" | grep -o " $2=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
decode() { sed -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g'; }

total_passed=0 total_failed=0 total_skipped=0 missing_results=0 broken=0
failed_names=()
echo
echo "Results per project:"
for project in "${projects[@]}"; do
  name=$(basename "${project%.csproj}")
  trx="$RESULTS/$name.trx"
  if [ ! -f "$trx" ]; then
    printf '  %-32s no results (crashed or did not run)\n' "$name"
    missing_results=1
    continue
  fi
  passed=$(counter "$trx" passed)
  failed=$(( $(counter "$trx" failed) + $(counter "$trx" error) + $(counter "$trx" timeout) + $(counter "$trx" aborted) ))
  # Skipped tests show up as outcome="NotExecuted" but not in the notExecuted counter.
  skipped=$(( $(counter "$trx" total) - $(counter "$trx" executed) ))
  printf '  %-32s %d passed, %d failed, %d skipped\n' "$name" "$passed" "$failed" "$skipped"
  total_passed=$((total_passed + passed)); total_failed=$((total_failed + failed)); total_skipped=$((total_skipped + skipped))
  while IFS= read -r test; do
    [ -n "$test" ] && failed_names+=("$name: $test")
  done < <(grep -o '<UnitTestResult [^>]*outcome="\(Failed\|Error\|Timeout\|Aborted\)"[^>]*>' "$trx" \
             | sed -n 's/.* testName="\([^"]*\)".*/\1/p' | decode)
done

# The first lines of each failed test's message, so a CI log alone says why.
failure_messages() {
  awk '
    /<UnitTestResult / && /outcome="(Failed|Error|Timeout|Aborted)"/ {
      failed = 1; match($0, /testName="[^"]*"/); name = substr($0, RSTART + 10, RLENGTH - 11); next
    }
    /<\/UnitTestResult>/ { failed = 0; inmsg = 0 }
    failed && /<Message>/ { inmsg = 1; lines = 0; print "  " name ":"; sub(/.*<Message>/, "") }
    inmsg {
      done = sub(/<\/Message>.*/, "")
      if (lines < 15) print "    " $0; else if (lines == 15) print "    ..."
      lines++
      if (done) { inmsg = 0; failed = 0 }
    }' "$1" | decode
}

if [ ${#failed_names[@]} -gt 0 ]; then
  echo
  echo "Failed tests:"
  printf '  %s\n' "${failed_names[@]}"
  echo
  echo "Why they failed (first lines of each message):"
  for project in "${projects[@]}"; do
    trx="$RESULTS/$(basename "${project%.csproj}").trx"
    [ -f "$trx" ] && failure_messages "$trx"
  done
fi
if [ "$missing_results" -eq 1 ] || { [ "$run_failed" -eq 1 ] && [ "$total_failed" -eq 0 ]; }; then
  echo
  echo "A test run failed without reporting a failed test (crash, hang or missing results): see output above."
  broken=1
fi

echo
summary="$total_passed passed, $total_failed failed"
[ "$total_skipped" -gt 0 ] && summary="$summary, $total_skipped skipped"
echo "$summary"
[ "$total_failed" -eq 0 ] && [ "$total_passed" -gt 0 ] && [ "$broken" -eq 0 ]
