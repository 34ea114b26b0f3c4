#!/bin/sh
# Answers one HTTP request with $STAND_IN_PAGE as $STAND_IN_TYPE, whatever was asked.
cr=$(printf '\r')
while read -r -t 10 line; do
  line=${line%"$cr"}
  [ -n "$line" ] || break
done
size=$(wc -c < "$STAND_IN_PAGE")
printf 'HTTP/1.0 200 OK\r\nContent-Type: %s\r\nContent-Length: %s\r\nConnection: close\r\n\r\n' "$STAND_IN_TYPE" $size
cat "$STAND_IN_PAGE"
