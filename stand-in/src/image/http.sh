# Sourced by the vote and result stand-ins, which nc runs once per connection (`nc -ll -e`,
# the web server of a busybox without httpd, like Alpine's): reading one HTTP request from
# stdin, writing one response to stdout.

# http_read_request (with globbing off: set -f): sets METHOD, TARGET (the path, no query), VOTER_ID (the voter_id cookie,
# only its safe characters) and BODY (at most 4 KiB of it). 1 when no request came.
http_read_request() {
  _cr=$(printf '\r')
  METHOD='' TARGET='' VOTER_ID='' BODY=''
  _length=0
  IFS=' ' read -r -t 10 METHOD TARGET _version || return 1
  TARGET=${TARGET%%\?*}
  _version=${_version%"$_cr"}
  while IFS= read -r -t 10 _line; do
    _line=${_line%"$_cr"}
    [ -n "$_line" ] || break
    case "$_line" in
      [Cc][Oo][Nn][Tt][Ee][Nn][Tt]-[Ll][Ee][Nn][Gg][Tt][Hh]:*)
        _length=$(printf '%s' "${_line#*:}" | tr -cd '0-9' | cut -c 1-9)
        ;;
      [Cc][Oo][Oo][Kk][Ii][Ee]:*)
        # voter_id=… among the cookies; anything but [A-Za-z0-9_-] is dropped, so the id is
        # safe in JSON and HTML.
        _ifs=$IFS
        IFS=';'
        for _cookie in ${_line#*:}; do
          while :; do case "$_cookie" in ' '*) _cookie=${_cookie# } ;; *) break ;; esac; done
          case "$_cookie" in
            voter_id=*) VOTER_ID=$(printf '%s' "${_cookie#voter_id=}" | tr -cd 'A-Za-z0-9_-' | cut -c 1-64) ;;
          esac
        done
        IFS=$_ifs
        ;;
    esac
  done
  [ -n "$_length" ] || _length=0
  if [ "$_length" -gt 0 ]; then
    [ "$_length" -le 4096 ] || _length=4096
    BODY=$(dd bs=1 count="$_length" 2>/dev/null)
  fi
  return 0
}

# http_respond STATUS FILE [HEADER]: the response, FILE as an HTML body.
http_respond() {
  _size=$(wc -c <"$2")
  printf 'HTTP/1.0 %s\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %s\r\n' "$1" $((_size))
  [ -z "$3" ] || printf '%s\r\n' "$3"
  printf 'Connection: close\r\n\r\n'
  [ "$METHOD" = HEAD ] || cat "$2"
}

# html TEXT: TEXT with &, <, >, " escaped.
html() {
  printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g'
}
