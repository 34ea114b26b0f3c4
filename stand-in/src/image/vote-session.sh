#!/bin/sh
# One HTTP request to the vote app (run by `nc -ll -e` per connection; stderr is the
# container's log). GET / shows the ballot; POST / with vote=a or vote=b records the vote:
#   RPUSH votes {"voter_id":"…","vote":"a"}
# on redis:6379 (the real app's command), then shows the ballot with the choice marked.
# A request without a voter_id cookie gets a new random one, as the real app sets it.
. /usr/local/lib/swarm-lab/http.sh
. /usr/local/lib/swarm-lab/link.sh
set -f
tmp=$(mktemp -d /tmp/vote.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
option_a=$(html "${OPTION_A:-Cats}")
option_b=$(html "${OPTION_B:-Dogs}")
host=$(html "$(hostname)")

http_read_request || exit 0
[ -n "$VOTER_ID" ] || VOTER_ID=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
cookie="Set-Cookie: voter_id=$VOTER_ID; Path=/"

# page STATUS VOTE NOTE: the ballot, VOTE's button marked, NOTE (HTML) under it.
page() {
  mark_a='' mark_b=''
  [ "$2" = a ] && mark_a=' &#10004;'
  [ "$2" = b ] && mark_b=' &#10004;'
  cat >"$tmp/page" <<PAGE
<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8">
    <title>$option_a vs $option_b!</title>
  </head>
  <body>
    <div id="content-container">
      <h3>$option_a vs $option_b!</h3>
      <form id="choice" name="form" method="POST" action="/">
        <button id="a" type="submit" name="vote" class="a" value="a">$option_a$mark_a</button>
        <button id="b" type="submit" name="vote" class="b" value="b">$option_b$mark_b</button>
      </form>
      <div id="tip">(Tip: you can change your vote)</div>
      $3
      <div id="hostname">Processed by container ID $host</div>
      <p><small>Swarm Lab stand-in for the voting app's vote page.</small></p>
    </div>
  </body>
</html>
PAGE
  http_respond "$1" "$tmp/page" "$cookie"
}

case "$TARGET" in
  / | /index.html) ;;
  *)
    printf '<!DOCTYPE html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n' >"$tmp/page"
    http_respond "404 Not Found" "$tmp/page"
    exit 0
    ;;
esac
case "$METHOD" in
  GET | HEAD) page "200 OK" "" "" ;;
  POST)
    case "&$BODY&" in
      *"&vote=a&"*) vote=a ;;
      *"&vote=b&"*) vote=b ;;
      *)
        page "400 Bad Request" "" '<p id="error">The form must send vote=a or vote=b.</p>'
        exit 0
        ;;
    esac
    data="{\"voter_id\":\"$VOTER_ID\",\"vote\":\"$vote\"}"
    printf '*3\r\n$5\r\nRPUSH\r\n$5\r\nvotes\r\n$%s\r\n%s\r\n*1\r\n$4\r\nQUIT\r\n' ${#data} "$data" >"$tmp/request"
    if link redis 6379 "$tmp/request" "$tmp/reply"; then
      answer=$(head -n 1 "$tmp/reply" | tr -d '\r')
      case "$answer" in
        :*)
          echo "Received vote for $vote" >&2
          page "200 OK" "$vote" ""
          exit 0
          ;;
        *) LINK_WHY="redis answered $(printf '%s' "$answer" | cut -c 1-200)" ;;
      esac
    fi
    why="vote could not reach redis:6379: $LINK_WHY"
    echo "$why" >&2
    page "503 Service Unavailable" "" "<p id=\"error\">$(html "$why"). The vote was not recorded: vote needs a service named redis on a network it shares.</p>"
    ;;
  *)
    printf '<!DOCTYPE html>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n' >"$tmp/page"
    http_respond "405 Method Not Allowed" "$tmp/page" "Allow: GET, HEAD, POST"
    ;;
esac
