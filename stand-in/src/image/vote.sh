#!/bin/sh
# Stands in for the voting app's vote front end (dockersamples/examplevotingapp_vote,
# bretfisher/examplevotingapp_vote): a page with two choices, one vote per voter (its
# voter_id cookie), each vote pushed to the list "votes" of the redis service, as the
# real app does. The server: nc runs vote-session once per connection.
echo "vote stand-in: serving the ballot on port 80 (options: ${OPTION_A:-Cats} / ${OPTION_B:-Dogs})" >&2
exec nc -ll -p 80 -e /usr/local/bin/vote-session
