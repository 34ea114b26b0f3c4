#!/bin/sh
# Stands in for redis: the real protocol (RESP) for the commands the voting app and a
# learner's redis-cli use, each connection served by redis-session (nc forks one per
# client). Keys live under the working directory, /data, as the real redis keeps its dump
# there: a named volume keeps them.
mkdir -p ./stand-in 2>/dev/null
echo "1:M $(date '+%d %b %H:%M:%S') * The server is now ready to accept connections on port 6379 (swarm-lab stand-in)" >&2
exec nc -ll -p 6379 -e /usr/local/bin/redis-session
