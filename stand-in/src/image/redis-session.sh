#!/bin/sh
# One redis connection (run by `nc -ll -e` per client). RESP requests, inline
# (`PING\r\n`) or multibulk (`*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n`, binary-safe: values are
# read by their length, never by line); RESP replies. Commands: PING, ECHO, QUIT, SELECT,
# RPUSH, LPUSH, LPOP, RPOP, LLEN, DEL, GET, SET, INFO, COMMAND; anything else gets
# "-ERR unknown command".
#
# Store, under the working directory (/data): stand-in/DB/s.KEY holds a string,
# stand-in/DB/l.KEY/ a list (files head and tail hold its index range, e.INDEX its
# elements), KEY being the key's bytes in hex. Writers hold a lock (in /tmp: one per
# container; nc runs connections concurrently); readers of one file need none,
# since every write replaces a file by rename.
set -f
cr=$(printf '\r')
store="$PWD/stand-in"
db=0
lockfile=/tmp/redis-stand-in.lock
held=''
tmp=$(mktemp -d /tmp/redis.XXXXXX) || exit 1
trap 'unlock; rm -rf "$tmp"' EXIT

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

line() { printf '%s\r\n' "$1"; }
bulk() { printf '$%s\r\n' $(($(wc -c <"$1"))); cat "$1"; printf '\r\n'; }
nil() { printf '$-1\r\n'; }
arity() { line "-ERR wrong number of arguments for '$(tr 'A-Z' 'a-z' <"$tmp/1")' command"; }
# key N: the file-name form of argument N (hex of its bytes; a digest when that is long).
key() {
  k=$(od -An -v -tx1 <"$tmp/$1" | tr -d ' \n')
  if [ ${#k} -gt 200 ]; then k=h$(sha256sum <"$tmp/$1" | cut -c 1-64); fi
  printf 'k%s' "$k"
}
# list_range DIR: sets head and tail of the list in DIR (0 0 when it is empty).
list_range() {
  head=$(cat "$1/head" 2>/dev/null) || head=0
  tail=$(cat "$1/tail" 2>/dev/null) || tail=0
}
set_range() {
  echo "$head" >"$1/head.new" && mv "$1/head.new" "$1/head"
  echo "$tail" >"$1/tail.new" && mv "$1/tail.new" "$1/tail"
}

# read_command: the next request's arguments into $tmp/1 … $tmp/$argc. 1 at the end of the
# connection or after a protocol error (answered, the connection then closes, as redis does).
read_command() {
  argc=0
  IFS= read -r request || return 1
  request=${request%"$cr"}
  case "$request" in
    '*'*)
      n=${request#\*}
      case "$n" in '' | *[!0-9]* | ?????*)
        line "-ERR Protocol error: invalid multibulk length"
        return 1
        ;;
      esac
      while [ "$argc" -lt "$n" ]; do
        IFS= read -r header || return 1
        header=${header%"$cr"}
        case "$header" in
          '$'*) len=${header#\$} ;;
          *)
            line "-ERR Protocol error: expected '\$', got '$(printf '%s' "$header" | cut -c 1-1)'"
            return 1
            ;;
        esac
        case "$len" in '' | *[!0-9]* | ????????*)
          line "-ERR Protocol error: invalid bulk length"
          return 1
          ;;
        esac
        argc=$((argc + 1))
        dd bs=1 count="$len" of="$tmp/$argc" 2>/dev/null
        dd bs=1 count=2 of=/dev/null 2>/dev/null
      done
      ;;
    *)
      for word in $request; do
        argc=$((argc + 1))
        printf '%s' "$word" >"$tmp/$argc"
      done
      ;;
  esac
  return 0
}

info() {
  cat >"$tmp/info" <<INFO
# Server${cr}
redis_version:3.2.12${cr}
redis_mode:standalone${cr}
os:Linux (swarm-lab stand-in)${cr}
tcp_port:6379${cr}
${cr}
# Keyspace${cr}
INFO
  set +f
  dbs=$(ls -d "$store"/[0-9]* 2>/dev/null)
  set -f
  for d in $dbs; do
    [ -d "$d" ] || continue
    n=$(ls "$d" | wc -l)
    [ "$n" -eq 0 ] || printf 'db%s:keys=%s,expires=0,avg_ttl=0\r\n' "${d##*/}" $((n)) >>"$tmp/info"
  done
  bulk "$tmp/info"
}

while read_command; do
  [ "$argc" -gt 0 ] || continue
  dir="$store/$db"
  command=$(tr 'a-z' 'A-Z' <"$tmp/1")
  case "$command" in
    PING)
      case "$argc" in 1) line "+PONG" ;; 2) bulk "$tmp/2" ;; *) arity ;; esac
      ;;
    ECHO)
      if [ "$argc" = 2 ]; then bulk "$tmp/2"; else arity; fi
      ;;
    QUIT)
      line "+OK"
      exit 0
      ;;
    SELECT)
      if [ "$argc" != 2 ]; then
        arity
      else
        index=$(cat "$tmp/2")
        case "$index" in
          '' | *[!0-9]* | ???*) line "-ERR invalid DB index" ;;
          *) if [ "$index" -lt 16 ]; then db=$((index)) && line "+OK"; else line "-ERR DB index is out of range"; fi ;;
        esac
      fi
      ;;
    COMMAND) line "*0" ;;
    INFO) info ;;
    RPUSH | LPUSH)
      if [ "$argc" -lt 3 ]; then arity && continue; fi
      k=$(key 2)
      lock
      if [ -e "$dir/s.$k" ]; then
        unlock
        line "-WRONGTYPE Operation against a key holding the wrong kind of value"
        continue
      fi
      mkdir -p "$dir/l.$k"
      list_range "$dir/l.$k"
      i=3
      while [ "$i" -le "$argc" ]; do
        if [ "$command" = RPUSH ]; then
          mv "$tmp/$i" "$dir/l.$k/e.$tail" && tail=$((tail + 1))
        else
          head=$((head - 1)) && mv "$tmp/$i" "$dir/l.$k/e.$head"
        fi
        i=$((i + 1))
      done
      set_range "$dir/l.$k"
      unlock
      line ":$((tail - head))"
      ;;
    LPOP | RPOP)
      if [ "$argc" != 2 ]; then arity && continue; fi
      k=$(key 2)
      if [ -e "$dir/s.$k" ]; then
        line "-WRONGTYPE Operation against a key holding the wrong kind of value"
        continue
      fi
      lock
      list_range "$dir/l.$k"
      if [ "$head" -ge "$tail" ]; then
        unlock
        nil
        continue
      fi
      if [ "$command" = LPOP ]; then
        mv "$dir/l.$k/e.$head" "$tmp/popped"
        head=$((head + 1))
      else
        tail=$((tail - 1))
        mv "$dir/l.$k/e.$tail" "$tmp/popped"
      fi
      if [ "$head" -ge "$tail" ]; then rm -rf "$dir/l.$k"; else set_range "$dir/l.$k"; fi
      unlock
      bulk "$tmp/popped"
      ;;
    LLEN)
      if [ "$argc" != 2 ]; then arity && continue; fi
      k=$(key 2)
      if [ -e "$dir/s.$k" ]; then
        line "-WRONGTYPE Operation against a key holding the wrong kind of value"
        continue
      fi
      lock
      list_range "$dir/l.$k"
      unlock
      line ":$((tail - head))"
      ;;
    DEL)
      if [ "$argc" -lt 2 ]; then arity && continue; fi
      removed=0
      i=2
      lock
      while [ "$i" -le "$argc" ]; do
        k=$(key "$i")
        if [ -e "$dir/s.$k" ] || [ -d "$dir/l.$k" ]; then
          rm -rf "$dir/s.$k" "$dir/l.$k"
          removed=$((removed + 1))
        fi
        i=$((i + 1))
      done
      unlock
      line ":$removed"
      ;;
    GET)
      if [ "$argc" != 2 ]; then arity && continue; fi
      k=$(key 2)
      if [ -d "$dir/l.$k" ]; then
        line "-WRONGTYPE Operation against a key holding the wrong kind of value"
      elif cp "$dir/s.$k" "$tmp/value" 2>/dev/null; then
        bulk "$tmp/value"
      else
        nil
      fi
      ;;
    SET)
      if [ "$argc" -lt 3 ]; then arity && continue; fi
      if [ "$argc" -gt 3 ]; then line "-ERR syntax error" && continue; fi
      k=$(key 2)
      mkdir -p "$dir"
      lock
      rm -rf "$dir/l.$k"
      mv "$tmp/3" "$dir/s.$k"
      unlock
      line "+OK"
      ;;
    *)
      line "-ERR unknown command '$(tr -d '\r\n' <"$tmp/1" | cut -c 1-100)'"
      ;;
  esac
done
