#!/bin/sh
# Stands in for the voting app's worker: takes the votes the vote app pushed to redis
# (LPOP votes on redis:6379) and writes each one to db:5432 (VOTE, postgres-session's
# upsert), logging like the real worker ("Waiting for db", "Connected to db", "Processing
# vote for 'a' by '…'"). Either link may be away: it waits and reconnects, and a vote
# taken while db is away goes back to the head of the list (the real worker would drop it).
. /usr/local/lib/swarm-lab/link.sh
set -f
tmp=$(mktemp -d /tmp/worker.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
cr=$(printf '\r')
db_up='' redis_up='' told=''
# Empty LPOPs in a row: while no vote comes the pause between them grows (0.5, 1, then
# 2 s), so an idle app costs its node little CPU (each LPOP is a redis-session of a dozen
# processes). A vote is taken at most 2 s after it was cast; after a vote the next LPOP
# follows at once, so a burst of votes moves without pauses.
idle=0

# say_once WHY: logs WHY unless it was the last thing said about a link.
say_once() {
  [ "$1" = "$told" ] || echo "$1" >&2
  told=$1
}
# db REQUEST-LINES: sends them (and QUIT) to db; its answer in $tmp/db.
db() {
  printf '%s\nQUIT\n' "$1" >"$tmp/db.request"
  link db 5432 "$tmp/db.request" "$tmp/db"
}
# redis ARGS…: one RESP command (and QUIT) to redis; its answer in $tmp/redis.
redis() {
  printf '*%s\r\n' $# >"$tmp/redis.request"
  for a; do printf '$%s\r\n%s\r\n' $(($(printf '%s' "$a" | wc -c))) "$a" >>"$tmp/redis.request"; done
  printf '*1\r\n$4\r\nQUIT\r\n' >>"$tmp/redis.request"
  link redis 6379 "$tmp/redis.request" "$tmp/redis"
}

while :; do
  if [ -z "$db_up" ]; then
    if db PING && grep -q '^PONG' "$tmp/db"; then
      echo "Connected to db" >&2
      db_up=1 told=''
    else
      say_once "worker could not reach db:5432: ${LINK_WHY:-db did not answer PING}"
      echo "Waiting for db" >&2
      sleep 1
      continue
    fi
  fi
  if ! redis LPOP votes; then
    [ -z "$redis_up" ] || echo "Reconnecting Redis" >&2
    redis_up=''
    say_once "worker could not reach redis:6379: $LINK_WHY"
    echo "Waiting for redis" >&2
    sleep 1
    continue
  fi
  if [ -z "$redis_up" ]; then
    echo "Connected to redis" >&2
    redis_up=1 told=''
  fi
  header=$(head -n 1 "$tmp/redis" | tr -d '\r')
  case "$header" in
    '$-1')
      idle=$((idle + 1))
      case "$idle" in 1) sleep 0.5 ;; 2) sleep 1 ;; *) sleep 2 ;; esac
      continue
      ;;
    '$'*)
      idle=0
      json=$(sed -n 2p "$tmp/redis" | tr -d '\r')
      ;;
    *)
      say_once "worker: redis answered LPOP votes with $(printf '%s' "$header" | cut -c 1-200)"
      sleep 1
      continue
      ;;
  esac
  voter=$(printf '%s' "$json" | sed -n 's/.*"voter_id" *: *"\([^"]*\)".*/\1/p')
  vote=$(printf '%s' "$json" | sed -n 's/.*"vote" *: *"\([^"]*\)".*/\1/p')
  if [ -z "$voter" ] || [ -z "$vote" ]; then
    echo "Skipping a vote that is not {\"voter_id\":…,\"vote\":…}: $(printf '%s' "$json" | cut -c 1-200)" >&2
    continue
  fi
  echo "Processing vote for '$vote' by '$voter'" >&2
  if db "VOTE $voter $vote" && grep -q '^OK' "$tmp/db"; then
    continue
  fi
  if grep -q '^ERR' "$tmp/db" 2>/dev/null; then
    echo "db refused the vote: $(grep '^ERR' "$tmp/db" | head -n 1 | cut -c 1-200)" >&2
    continue
  fi
  echo "Reconnecting DB" >&2
  say_once "worker could not reach db:5432: $LINK_WHY"
  db_up=''
  # Back to the head of the list, so the vote is not lost while db is away.
  redis LPUSH votes "$json" || echo "lost the vote of '$voter': redis is away too" >&2
done
