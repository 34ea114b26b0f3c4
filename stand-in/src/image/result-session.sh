#!/bin/sh
# One HTTP request to the result app (run by `nc -ll -e` per connection; stderr is the
# container's log): GET / counts the votes in db (COUNT, see postgres-session) and shows
# each choice's share as the real app does (rounded, the two adding up to 100; 50/50
# without votes) and the total: "No votes yet", "1 vote", "N votes". The page reloads
# itself every few seconds, as the real one updates live.
. /usr/local/lib/swarm-lab/http.sh
. /usr/local/lib/swarm-lab/link.sh
set -f
tmp=$(mktemp -d /tmp/result.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
host=$(html "$(hostname)")

http_read_request || exit 0
case "$METHOD $TARGET" in
  "GET /" | "HEAD /" | "GET /index.html" | "HEAD /index.html") ;;
  GET* | HEAD*)
    printf '<!DOCTYPE html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n' >"$tmp/page"
    http_respond "404 Not Found" "$tmp/page"
    exit 0
    ;;
  *)
    printf '<!DOCTYPE html>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n' >"$tmp/page"
    http_respond "405 Method Not Allowed" "$tmp/page" "Allow: GET, HEAD"
    exit 0
    ;;
esac

printf 'COUNT\nQUIT\n' >"$tmp/request"
if link db 5432 "$tmp/request" "$tmp/counts" && grep -q '^END' "$tmp/counts"; then
  a=$(awk '$1 == "a" { print $2 + 0 }' "$tmp/counts")
  b=$(awk '$1 == "b" { print $2 + 0 }' "$tmp/counts")
  a=$((${a:-0})) b=$((${b:-0}))
  total=$((a + b))
  if [ "$total" -gt 0 ]; then
    # Math.round(a / total * 100), in integers: halves round up.
    pa=$(((200 * a + total) / (2 * total)))
  else
    pa=50
  fi
  pb=$((100 - pa))
  case "$total" in
    0) said="No votes yet" ;;
    1) said="1 vote" ;;
    *) said="$total votes" ;;
  esac
  status="200 OK"
  body="<div id=\"choice\">
        <div class=\"choice cats\"><div class=\"label\">Cats</div><div class=\"stat\" id=\"a\">$pa%</div></div>
        <div class=\"choice dogs\"><div class=\"label\">Dogs</div><div class=\"stat\" id=\"b\">$pb%</div></div>
      </div>
      <div id=\"result\">$said</div>"
else
  [ -n "$LINK_WHY" ] || LINK_WHY="db did not answer COUNT"
  why="result could not reach db:5432: $LINK_WHY"
  echo "$why" >&2
  echo "Waiting for db" >&2
  status="503 Service Unavailable"
  body="<p id=\"error\">$(html "$why"). result needs a service named db on a network it shares.</p>"
fi
cat >"$tmp/page" <<PAGE
<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8">
    <meta http-equiv="refresh" content="3">
    <title>Cats vs Dogs -- Result</title>
  </head>
  <body>
    <div id="content-container">
      $body
      <p><small>Swarm Lab stand-in for the voting app's result page, served by container $host.</small></p>
    </div>
  </body>
</html>
PAGE
http_respond "$status" "$tmp/page"
