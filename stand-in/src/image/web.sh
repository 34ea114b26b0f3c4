#!/bin/sh
# Stands in for nginx, drupal and other web servers: one page naming this container.
mkdir -p /tmp/www
cat > /tmp/www/index.html <<EOF
<!doctype html>
<title>Swarm Lab stand-in</title>
<h1>Swarm Lab stand-in web app</h1>
<p>Served by container <b id="hostname">$(hostname)</b>.</p>
<p>This image stands in for nginx, drupal and other web servers on a practice swarm
that cannot pull images. If you can read this, the service is reachable; the name
above tells you which replica answered.</p>
EOF
if command -v httpd >/dev/null 2>&1; then exec httpd -f -p 80 -h /tmp/www; fi
export STAND_IN_PAGE=/tmp/www/index.html STAND_IN_TYPE=text/html
exec nc -ll -p 80 -e /usr/local/bin/http-stand-in
