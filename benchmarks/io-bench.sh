#!/usr/bin/env bash
# The I/O benchmark of dev.spindle.io against other servers: for each workload (echo, http), server variant and
# connection count, the server in its own process pinned to one core and the same load client (LoadClient) pinned
# to another. Prints a markdown table: round trips/s, p50 and p99 latency, server RSS, and server heap after a
# forced GC with the connections open, in all and per connection (above the heap of the idle server before any
# connection, measured the same way), and the server's CPU time per round trip (user + system, from the first
# request to the end of the measured run, warm-up included): unlike throughput, it hardly moves when something
# else on the machine takes CPU.
#
#   benchmarks/io-bench.sh [variants] [workloads] [connection counts] [warm-up s] [measured s]
#   benchmarks/io-bench.sh "spindle netty nio virtual threads" "echo http" "100 1000 10000" 5 10
#
# Run from the repository root after `mvn -B -q -DskipTests package`. JAVA defaults to JDK 25 when installed
# (virtual threads need 21+). 10,000 connections take 10,000 descriptors in each process, so `ulimit -n` must
# allow that (with the client and the server in separate processes, 20,000 per process is plenty).
# While it runs, /tmp/BENCH_RUNNING exists: other builds on the machine wait for it to go.
set -euo pipefail
VARIANTS=${1:-"spindle netty nio virtual threads"}
WORKLOADS=${2:-"echo http"}
COUNTS=${3:-"100 1000 10000"}
WARMUP=${4:-5}
SECONDS_MEASURED=${5:-10}
JAVA=${JAVA:-$( [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ] && echo /usr/lib/jvm/temurin-25-jdk-amd64/bin/java || echo java)}
JCMD=$(dirname "$(readlink -f "$(command -v "$JAVA")")")/jcmd
CP=benchmarks/target/spindle-benchmarks.jar
AGENT=-javaagent:agent/target/spindle-agent.jar
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
PORT=${PORT:-$((20000 + RANDOM % 10000))} # below the ephemeral range; a fresh one each time, clear of the last run's TIME_WAIT
HOLD=4 # seconds the client keeps its connections open after measuring, while the server's memory is read
# DETAIL=1: the client also reports the latency tail per quarter second and how evenly the connections were
# served (LoadClient's -Dloadclient.detail), printed to stderr after each row
CLIENT_DETAIL=$([ "${DETAIL:-0}" = 1 ] && echo -Dloadclient.detail=true || true)
# taskset and nice exec the JVM, so $! below is the JVM's pid (a shell function would put a subshell in between).
# As root, server and client also run at a higher priority (NICE, default -10), so that builds of other work on
# a shared machine take less from the cores they are pinned to; NICE=0 turns that off.
PRIO=$([ "$(id -u)" = 0 ] && [ "${NICE:--10}" != 0 ] && echo "nice -n ${NICE:--10}" || true)
TASKSET_S="$PRIO $(command -v taskset >/dev/null && echo "taskset -c $SERVER_CPU" || true)"
TASKSET_C="$PRIO $(command -v taskset >/dev/null && echo "taskset -c $CLIENT_CPU" || true)"

max=0
for n in $COUNTS; do [ "$n" -gt "$max" ] && max=$n; done
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((max + 100)) ]; then
  echo "ulimit -n is $(ulimit -n): $max connections need $((max + 100)) descriptors per process" >&2
  exit 1
fi

server=
touch /tmp/BENCH_RUNNING
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -f /tmp/BENCH_RUNNING' EXIT

# heap used after a forced GC, in KB: the sum over the heap's generations (one line for G1; young and tenured for
# the serial GC that a JVM pinned to one core picks), without Metaspace
heap_kb() {
  "$JCMD" "$1" GC.run > /dev/null 2>&1 || true
  "$JCMD" "$1" GC.heap_info 2>/dev/null | grep -vE 'Metaspace|class space' | grep -oE 'used [0-9]+K' \
      | grep -oE '[0-9]+' | awk '{s += $1} END {print s + 0}'
}

# user + system CPU time of a process, in clock ticks
cpu_ticks() {
  awk '{print $14 + $15}' /proc/"$1"/stat
}

echo "$("$JAVA" -version 2>&1 | head -2 | tail -1); $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "| workload | server | connections | round trips/s | p50 µs | p99 µs | server CPU µs/round trip | client CPU µs/round trip | server RSS MB | heap after GC MB | heap per connection B |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for w in $WORKLOADS; do
  for v in $VARIANTS; do
    for n in $COUNTS; do
      PORT=$((PORT + 1))
      out=$(mktemp)
      agent=$([ "$v" = spindle ] && echo "$AGENT" || true)
      $TASKSET_S "$JAVA" $agent -Xms256m -Xmx2g -cp $CP dev.spindle.benchmarks.io.BenchServer "$v" "$w" $PORT > "$out" 2>&1 &
      server=$!
      until grep -q READY "$out"; do
        kill -0 $server 2>/dev/null || { echo "server $v $w failed: $(cat "$out")" >&2; exit 1; }
        sleep 0.1
      done
      base=$(heap_kb $server)
      cpu0=$(cpu_ticks $server)
      cout=$(mktemp)
      $TASKSET_C "$JAVA" -Xms512m -Xmx1g $CLIENT_DETAIL -cp $CP dev.spindle.benchmarks.io.LoadClient "$w" 127.0.0.1 $PORT "$n" \
          "$WARMUP" "$SECONDS_MEASURED" $HOLD > "$cout" 2>&1 &
      client=$!
      until grep -qE '^[0-9]+ ' "$cout"; do
        kill -0 $client 2>/dev/null || break
        sleep 0.2
      done
      cpu1=$(cpu_ticks $server)
      sleep 0.3 # the client holds its connections open and idle: measure the server with all of them established
      rss=$(awk '/VmRSS/ {printf "%.0f", $2 / 1024}' /proc/$server/status)
      heap=$(heap_kb $server)
      client_ok=0
      wait $client || client_ok=$?
      if read -r _ tput p50 p99 total ccpu < <(grep -E '^[0-9]+ ' "$cout" | head -1); then
        per=$(awk -v h="$heap" -v b="$base" -v n="$n" 'BEGIN {printf "%.0f", (h - b) * 1024 / n}')
        heapmb=$(awk -v h="$heap" 'BEGIN {printf "%.1f", h / 1024}')
        cpu=$(awk -v a="$cpu0" -v b="$cpu1" -v t="$total" -v hz="$(getconf CLK_TCK)" \
            'BEGIN {printf "%.1f", (b - a) / hz * 1e6 / t}')
        echo "| $w | $v | $n | $tput | $p50 | $p99 | $cpu | $ccpu | $rss | $heapmb | $per |"
        if [ -n "$CLIENT_DETAIL" ]; then grep '^detail:' "$cout" | sed "s/^detail:/  $v $w $n:/" >&2 || true; fi
      else
        echo "| $w | $v | $n | failed (client exit $client_ok): $(tail -3 "$cout" | tr '\n' ' ') | | | | | | | |"
      fi
      kill $server 2>/dev/null; wait $server 2>/dev/null || true
      server=
      rm -f "$out" "$cout"
    done
  done
done
