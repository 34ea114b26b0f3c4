#!/bin/sh
# Stands in for the voting app's result page (dockersamples/examplevotingapp_result,
# bretfisher/examplevotingapp_result): the share of each choice and the number of votes,
# read from db:5432 at every request. The server: nc runs result-session per connection.
echo "result stand-in: serving the results on port 80, read from db" >&2
exec nc -ll -p 80 -e /usr/local/bin/result-session
