#!/bin/sh
# One connection to the postgres stand-in (run by `nc -ll -e` per client). The real wire
# protocol is out of reach of a shell, so the voting app's stand-ins speak a line protocol
# of their own, one command per line, answers one line each (COUNT: several, then END):
#   PING              -> PONG
#   VOTE VOTER CHOICE -> OK    (the worker's upsert: VOTER's earlier vote is replaced)
#   COUNT             -> one "CHOICE N" line per choice, then END (the result app's
#                        SELECT vote, COUNT(id) AS count FROM votes GROUP BY vote)
#   QUIT              -> BYE, and the connection closes
#   anything else     -> ERR …
# VOTER and CHOICE: 1 to 64 of [A-Za-z0-9_-]. The table is the file votes in $PGDATA, one
# "VOTER CHOICE" line per voter; a write replaces the file by rename under a lock (in
# /tmp: one per container), so readers need none.
set -f
cr=$(printf '\r')
PGDATA=${PGDATA:-/var/lib/postgresql/data}
votes="$PGDATA/votes"
lockfile=/tmp/postgres-stand-in.lock
held=''
trap 'unlock' EXIT

unlock() {
  [ -z "$held" ] || rm -f "$lockfile"
  held=''
}
# lock: the lock is a symbolic link naming its holder's pid, made in one atomic step.
lock() {
  tries=0
  until ln -s "$$" "$lockfile" 2>/dev/null; do
    tries=$((tries + 1))
    if [ "$tries" -ge 100 ]; then
      # Held for 5 s: a holder that died (killed mid-command) never unlocks.
      owner=$(readlink "$lockfile" 2>/dev/null)
      if [ -n "$owner" ] && ! kill -0 "$owner" 2>/dev/null; then rm -f "$lockfile"; fi
      tries=0
    fi
    sleep 0.05
  done
  held=1
}
plain() {
  case "$1" in '' | *[!A-Za-z0-9_-]*) return 1 ;; esac
  [ ${#1} -le 64 ]
}

while IFS= read -r -t 30 request; do
  request=${request%"$cr"}
  set -- $request
  case "$1" in
    PING) echo PONG ;;
    VOTE)
      if [ $# != 3 ] || ! plain "$2" || ! plain "$3"; then
        echo "ERR VOTE takes a voter id and a choice (1 to 64 of A-Z a-z 0-9 _ -)"
        continue
      fi
      lock
      { awk -v id="$2" '$1 != id' "$votes" 2>/dev/null; echo "$2 $3"; } >"$votes.new" \
        && mv "$votes.new" "$votes"
      status=$?
      unlock
      if [ "$status" = 0 ]; then echo OK; else echo "ERR cannot write $votes"; fi
      ;;
    COUNT)
      awk '{ n[$2]++ } END { for (c in n) print c, n[c] }' "$votes" 2>/dev/null
      echo END
      ;;
    QUIT)
      echo BYE
      exit 0
      ;;
    '') ;;
    *) echo "ERR unknown command $(printf '%s' "$1" | cut -c 1-64)" ;;
  esac
done
