#!/usr/bin/env bash
# The echo benchmark of dev.spindle.io against other servers: each server variant in its own process pinned to
# one core, the same Spindle load client pinned to another, for each connection count. Prints a markdown table:
# round trips/s, p50 and p99 latency, server RSS and server heap after a forced GC with the connections open.
#
#   benchmarks/io-bench.sh [variants] [connection counts] [warm-up s] [measured s]
#   benchmarks/io-bench.sh "spindle nio virtual threads" "100 1000 10000" 5 10
#
# Run from the repository root after `mvn -B -q -DskipTests package`. JAVA defaults to JDK 25 when installed
# (virtual threads need 21+). 10,000 connections need 10,000 descriptors in each process (`ulimit -n`).
set -euo pipefail
VARIANTS=${1:-"spindle nio virtual threads"}
COUNTS=${2:-"100 1000 10000"}
WARMUP=${3:-5}
SECONDS_MEASURED=${4:-10}
JAVA=${JAVA:-$( [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ] && echo /usr/lib/jvm/temurin-25-jdk-amd64/bin/java || echo java)}
JCMD=$(dirname "$(readlink -f "$(command -v "$JAVA")")")/jcmd
CP=benchmarks/target/spindle-benchmarks.jar
AGENT=-javaagent:agent/target/spindle-agent.jar
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
PORT=${PORT:-19000}
# taskset execs the JVM, so $! below is the JVM's pid (a shell function would put a subshell in between)
TASKSET_S=$(command -v taskset >/dev/null && echo "taskset -c $SERVER_CPU" || true)
TASKSET_C=$(command -v taskset >/dev/null && echo "taskset -c $CLIENT_CPU" || true)

echo "| server | connections | round trips/s | p50 µs | p99 µs | server RSS MB | heap after GC MB |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for v in $VARIANTS; do
  for n in $COUNTS; do
    PORT=$((PORT + 1))
    out=$(mktemp)
    $TASKSET_S "$JAVA" $AGENT -Xms256m -Xmx2g -cp $CP dev.spindle.benchmarks.io.EchoBenchServer "$v" $PORT > "$out" 2>&1 &
    server=$!
    until grep -q READY "$out"; do
      kill -0 $server 2>/dev/null || { echo "server $v failed: $(cat "$out")" >&2; exit 1; }
      sleep 0.1
    done
    cout=$(mktemp)
    $TASKSET_C "$JAVA" $AGENT -Xmx2g -cp $CP dev.spindle.benchmarks.io.EchoBenchClient 127.0.0.1 $PORT "$n" "$WARMUP" "$SECONDS_MEASURED" 1 > "$cout" 2>&1 &
    client=$!
    until grep -qE '^[0-9]+ ' "$cout"; do
      kill -0 $client 2>/dev/null || break
      sleep 0.2
    done
    sleep 0.5 # the client holds its connections open: measure the server with all of them established
    rss=$(awk '/VmRSS/ {printf "%.0f", $2 / 1024}' /proc/$server/status)
    "$JCMD" $server GC.run > /dev/null 2>&1 || true
    # the sum over the heap's generations (one line for G1; young and tenured for the serial GC a JVM pinned to
    # one core picks), without Metaspace
    heap=$("$JCMD" $server GC.heap_info 2>/dev/null | grep -vE 'Metaspace|class space' | grep -oE 'used [0-9]+K' \
        | grep -oE '[0-9]+' | awk '{s += $1} END {printf "%.1f", s / 1024}' || true)
    wait $client || true
    read -r conns tput p50 p99 < <(grep -E '^[0-9]+ ' "$cout" | head -1 || echo "$n - - -")
    echo "| $v | $n | $tput | $p50 | $p99 | $rss | ${heap:--} |"
    kill $server 2>/dev/null; wait $server 2>/dev/null || true
    rm -f "$out" "$cout"
  done
done
