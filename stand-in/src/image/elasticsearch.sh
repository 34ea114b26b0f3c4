#!/bin/sh
# Stands in for elasticsearch:2. The real one names itself after a random Marvel
# character at start; this one after its container (its hostname), different per replica.
mkdir -p /tmp/es
cat > /tmp/es/index.html <<EOF
{
  "name" : "$(hostname)",
  "cluster_name" : "elasticsearch",
  "version" : {
    "number" : "2.4.6",
    "lucene_version" : "5.5.4"
  },
  "tagline" : "You Know, for Search"
}
EOF
if command -v httpd >/dev/null 2>&1; then exec httpd -f -p 9200 -h /tmp/es -c /etc/httpd-json.conf; fi
export STAND_IN_PAGE=/tmp/es/index.html STAND_IN_TYPE=application/json
exec nc -ll -p 9200 -e /usr/local/bin/http-stand-in
