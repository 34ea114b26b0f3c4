//! The stand-in scripts run as packed in the image (see [`Sandbox`]): each protocol subset,
//! the vote carried from vote through redis, worker and db to result, and what a missing
//! link looks like.

use super::sandbox::Sandbox;

/// Starts the servers of a scenario as their images' CMDs do, stderr to /tmp/NAME.log.
const REDIS: &str = "(cd /data && exec /usr/local/bin/redis-stand-in 2>>/tmp/redis.log) &\nwait_port 6379\n";
const DB: &str = "POSTGRES_HOST_AUTH_METHOD=trust /usr/local/bin/postgres-stand-in 2>>/tmp/db.log &\nwait_port 5432\n";
const VOTE: &str = "/usr/local/bin/vote-stand-in 2>>/tmp/vote.log &\nwait_port 80\n";
const WORKER: &str = "/usr/local/bin/worker-stand-in 2>>/tmp/worker.log &\n";
/// result on 8080: vote has port 80 of the one loopback the scenario shares.
const RESULT: &str = "nc -ll -p 8080 -e /usr/local/bin/result-session 2>>/tmp/result.log &\nwait_port 8080\n";

fn read(sandbox: &Sandbox, path: &str) -> String {
    String::from_utf8_lossy(&std::fs::read(sandbox.path(path)).unwrap_or_default()).into_owned()
}

#[test]
fn redis_answers_inline_and_multibulk_commands_binary_safe() {
    let Some(sandbox) = Sandbox::new("") else { return };
    // One connection: inline commands, then multibulk ones whose values hold CR LF, a NUL and
    // a '$' (read by their length, never by line).
    let (out, _) = sandbox.run(
        "redis",
        &format!(
            r#"{REDIS}
{{
  printf 'PING\r\nping hello\r\necho spaced\r\n'
  printf '*2\r\n$4\r\nECHO\r\n$6\r\nhe\r\nl$\r\n'
  printf '*3\r\n$3\r\nSET\r\n$5\r\nk\r\ney\r\n$4\r\na\000\r\n\r\n'
  printf '*2\r\n$3\r\nGET\r\n$5\r\nk\r\ney\r\n'
  printf '*2\r\n$3\r\nget\r\n$7\r\nmissing\r\n'
  printf 'RPUSH l a b c\r\nLPUSH l z\r\nLLEN l\r\nLPOP l\r\nRPOP l\r\nLLEN l\r\n'
  printf 'GET l\r\n*3\r\n$5\r\nRPUSH\r\n$5\r\nk\r\ney\r\n$1\r\nx\r\nGET\r\n'
  printf 'SELECT 1\r\nLLEN l\r\nSELECT 16\r\nSELECT x\r\nSELECT 0\r\n'
  printf 'DEL l nothing\r\nLLEN l\r\nLPOP l\r\nFLUSHALL\r\n'
  printf 'QUIT\r\nPING\r\n'
}} | nc -w 5 127.0.0.1 6379 >/tmp/out
printf 'INFO\r\n' | nc -w 5 127.0.0.1 6379 >/tmp/info
printf '*x\r\nPING\r\n' | nc -w 5 127.0.0.1 6379 >/tmp/bad
"#
        ),
    );
    assert_eq!(out, "");
    let wrongtype = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    let expected = format!(
        "+PONG\r\n$5\r\nhello\r\n$6\r\nspaced\r\n$6\r\nhe\r\nl$\r\n\
         +OK\r\n$4\r\na\0\r\n\r\n$-1\r\n\
         :3\r\n:4\r\n:4\r\n$1\r\nz\r\n$1\r\nc\r\n:2\r\n\
         {wrongtype}{wrongtype}-ERR wrong number of arguments for 'get' command\r\n\
         +OK\r\n:0\r\n-ERR DB index is out of range\r\n-ERR invalid DB index\r\n+OK\r\n\
         :1\r\n:0\r\n$-1\r\n-ERR unknown command 'FLUSHALL'\r\n\
         +OK\r\n"
    );
    assert_eq!(read(&sandbox, "/tmp/out"), expected);
    let info = read(&sandbox, "/tmp/info");
    assert!(info.starts_with('$') && info.contains("redis_version:3.2.12\r\n"), "{info:?}");
    assert!(info.contains("db0:keys=1,"), "the string left after DEL: {info:?}");
    assert_eq!(read(&sandbox, "/tmp/bad"), "-ERR Protocol error: invalid multibulk length\r\n");
}

#[test]
fn redis_keeps_its_keys_in_data_across_a_restart() {
    let Some(sandbox) = Sandbox::new("") else { return };
    sandbox.run(
        "redis",
        &format!(
            "{REDIS}printf 'RPUSH votes one two\\r\\nSET greeting hi\\r\\nQUIT\\r\\n' | nc -w 5 127.0.0.1 6379 >/dev/null\n"
        ),
    );
    let (out, _) = sandbox.run(
        "redis",
        &format!(
            "{REDIS}printf 'LPOP votes\\r\\nLLEN votes\\r\\nGET greeting\\r\\nQUIT\\r\\n' | nc -w 5 127.0.0.1 6379\n"
        ),
    );
    assert_eq!(out, "$3\r\none\r\n:1\r\n$2\r\nhi\r\n+OK\r\n");
}

/// Forty clients push at once. Each one's push is answered with the list's new length, so
/// forty different lengths prove the pushes were serialized (none overwrote another); the
/// list then holds every value once. nc listens with a tiny backlog: a connection the
/// kernel reset before redis-session ran gets no answer and is sent again, as link.sh does.
#[test]
fn concurrent_pushes_lose_no_vote() {
    let Some(sandbox) = Sandbox::new("") else { return };
    let (out, _) = sandbox.run(
        "redis",
        &format!(
            r#"{REDIS}
push() {{
  tries=0
  until grep -q '^:' /tmp/push.$1 2>/dev/null; do
    tries=$((tries + 1))
    [ $tries -le 20 ] || return 1
    printf '*3\r\n$5\r\nRPUSH\r\n$5\r\nvotes\r\n$%s\r\n%s\r\n*1\r\n$4\r\nQUIT\r\n' ${{#1}} $1 | nc -w 10 127.0.0.1 6379 >/tmp/push.$1
  done
}}
i=0
while [ $i -lt 40 ]; do
  push $i &
  pushes="$pushes $!"
  i=$((i + 1))
done
for p in $pushes; do wait $p || echo "a push was never answered"; done
cat /tmp/push.* | grep '^:' | tr -d ':\r' | sort -n | tr '\n' ' '
echo
printf 'LLEN votes\r\n' | nc -w 5 127.0.0.1 6379
i=0
while [ $i -lt 40 ]; do printf 'LPOP votes\r\n'; i=$((i + 1)); done | nc -w 5 127.0.0.1 6379 | grep -v '^\$' | tr -d '\r' | sort -n | tr '\n' ' '
"#
        ),
    );
    let values = |range: std::ops::Range<usize>| range.map(|i| format!("{i} ")).collect::<String>();
    assert_eq!(out, format!("{}\n:40\r\n{}", values(1..41), values(0..40)));
}

#[test]
fn vote_shows_the_ballot_and_pushes_one_vote_per_request_with_the_voters_cookie() {
    let Some(sandbox) = Sandbox::new("127.0.0.1 redis tasks.redis") else { return };
    let (out, _) = sandbox.run(
        "vote-a1",
        &format!(
            r#"{REDIS}{VOTE}
http GET / >/tmp/get
http POST / vote=a >/tmp/new
http POST / 'x=1&vote=b' 'Cookie: theme=dark; voter_id=abc' >/tmp/b
http POST / vote=b 'Cookie: voter_id=abc"}},<b>' >/tmp/again
http POST / vote=c 'Cookie: voter_id=abc' >/tmp/bad
http DELETE / >/tmp/delete
http GET /nothing >/tmp/missing
printf 'LLEN votes\r\nLPOP votes\r\nLPOP votes\r\nLPOP votes\r\n' | nc -w 5 127.0.0.1 6379 | tr -d '\r'
"#
        ),
    );
    let get = read(&sandbox, "/tmp/get");
    assert!(get.starts_with("HTTP/1.0 200 OK\r\n"), "{get}");
    for part in [
        r#"<button id="a" type="submit" name="vote" class="a" value="a">Cats</button>"#,
        r#"<button id="b" type="submit" name="vote" class="b" value="b">Dogs</button>"#,
        r#"method="POST" action="/""#,
        "Processed by container ID vote-a1",
    ] {
        assert!(get.contains(part), "{part} missing from {get}");
    }
    let cookie = |page: &str| {
        let line =
            page.lines().find_map(|l| l.strip_prefix("Set-Cookie: voter_id=")).unwrap_or_else(|| panic!("{page}"));
        line.trim_end_matches('\r').trim_end_matches("; Path=/").to_string()
    };
    let new = read(&sandbox, "/tmp/new");
    let voter = cookie(&new);
    assert!(voter.len() == 16 && voter.chars().all(|c| c.is_ascii_hexdigit()), "a new random voter id: {voter}");
    assert_ne!(voter, cookie(&get), "every new voter gets an id of its own");
    assert!(new.contains("Cats &#10004;</button>"), "the choice is marked: {new}");
    assert_eq!(cookie(&read(&sandbox, "/tmp/b")), "abc", "a voter keeps its id");
    assert_eq!(cookie(&read(&sandbox, "/tmp/again")), "abcb", "only [A-Za-z0-9_-] of a cookie is kept");
    assert!(read(&sandbox, "/tmp/bad").starts_with("HTTP/1.0 400 Bad Request\r\n"));
    assert!(read(&sandbox, "/tmp/delete").starts_with("HTTP/1.0 405 Method Not Allowed\r\n"));
    assert!(read(&sandbox, "/tmp/missing").starts_with("HTTP/1.0 404 Not Found\r\n"));
    let pushed: String = [(voter.as_str(), "a"), ("abc", "b"), ("abcb", "b")]
        .iter()
        .map(|(id, vote)| {
            let json = format!(r#"{{"voter_id":"{id}","vote":"{vote}"}}"#);
            format!("${}\n{json}\n", json.len())
        })
        .collect();
    assert_eq!(out, format!(":3\n{pushed}"), "the real app's RPUSH votes, in order");
    assert_eq!(read(&sandbox, "/tmp/vote.log").matches("Received vote for b").count(), 2);
}

#[test]
fn the_options_can_be_renamed_as_in_the_real_app_and_are_escaped() {
    let Some(sandbox) = Sandbox::new("") else { return };
    sandbox.run("vote", &format!("export OPTION_A='Tea & <cake>' OPTION_B=Coffee\n{VOTE}http GET / >/tmp/get\n"));
    let get = read(&sandbox, "/tmp/get");
    assert!(get.contains(r#"value="a">Tea &amp; &lt;cake&gt;</button>"#), "{get}");
    assert!(get.contains(r#"value="b">Coffee</button>"#), "{get}");
}

/// The result page's total and shares, from a result page.
fn tally(page: &str) -> (String, String, String) {
    let between = |from: &str, to: &str| {
        let start = page.find(from).unwrap_or_else(|| panic!("{from} missing from {page}")) + from.len();
        page[start..].split(to).next().unwrap().to_string()
    };
    (between(r#"id="a">"#, "<"), between(r#"id="b">"#, "<"), between(r#"<div id="result">"#, "<"))
}

#[test]
fn a_vote_travels_from_vote_through_redis_worker_and_db_to_result() {
    let Some(sandbox) = Sandbox::new("127.0.0.1 redis tasks.redis db tasks.db") else { return };
    // Three voters; v1 changes its mind: the worker's upsert keeps one vote per voter.
    let (out, _) = sandbox.run(
        "flow",
        &format!(
            r#"{REDIS}{DB}{VOTE}{RESULT}{WORKER}
HTTP_PORT=8080 http GET / >/tmp/empty
http POST / vote=a 'Cookie: voter_id=v1' >/dev/null
until HTTP_PORT=8080 http GET / | grep -q '>1 vote<'; do sleep 0.1; done
HTTP_PORT=8080 http GET / >/tmp/one
http POST / vote=b 'Cookie: voter_id=v2' >/dev/null
http POST / vote=b 'Cookie: voter_id=v1' >/dev/null
http POST / vote=a 'Cookie: voter_id=v3' >/dev/null
until printf 'LLEN votes\r\n' | nc -w 5 127.0.0.1 6379 | grep -q '^:0'; do sleep 0.1; done
until HTTP_PORT=8080 http GET / | grep -q '>3 votes<'; do sleep 0.1; done
HTTP_PORT=8080 http GET / >/tmp/three
sort /var/lib/postgresql/data/votes
"#
        ),
    );
    assert_eq!(tally(&read(&sandbox, "/tmp/empty")), ("50%".into(), "50%".into(), "No votes yet".into()));
    assert_eq!(tally(&read(&sandbox, "/tmp/one")), ("100%".into(), "0%".into(), "1 vote".into()));
    assert_eq!(tally(&read(&sandbox, "/tmp/three")), ("33%".into(), "67%".into(), "3 votes".into()));
    assert_eq!(out, "v1 b\nv2 b\nv3 a\n", "one row per voter in the db's data directory");
    let worker = read(&sandbox, "/tmp/worker.log");
    assert!(worker.starts_with("Connected to db\nConnected to redis\n"), "{worker}");
    for line in
        ["Processing vote for 'a' by 'v1'", "Processing vote for 'b' by 'v1'", "Processing vote for 'a' by 'v3'"]
    {
        assert!(worker.contains(line), "{line} missing from {worker}");
    }
}

#[test]
fn the_worker_waits_for_db_and_redis_and_keeps_a_vote_taken_while_db_is_away() {
    let Some(sandbox) = Sandbox::new("127.0.0.1 redis tasks.redis db tasks.db") else { return };
    let (out, _) = sandbox.run(
        "worker",
        &format!(
            r#"{WORKER}
until grep -q 'Waiting for db' /tmp/worker.log 2>/dev/null; do sleep 0.1; done
{DB}db=$!
until grep -q 'Waiting for redis' /tmp/worker.log; do sleep 0.1; done
{REDIS}
printf 'RPUSH votes {{"voter_id":"v1","vote":"a"}}\r\n' | nc -w 5 127.0.0.1 6379 >/dev/null
until grep -q 'v1 a' /var/lib/postgresql/data/votes; do sleep 0.1; done
kill $db
until ! nc -w 1 127.0.0.1 5432 </dev/null 2>/dev/null; do sleep 0.1; done
printf 'RPUSH votes {{"voter_id":"v2","vote":"b"}}\r\n' | nc -w 5 127.0.0.1 6379 >/dev/null
until grep -q 'Reconnecting DB' /tmp/worker.log; do sleep 0.1; done
until printf 'LLEN votes\r\n' | nc -w 5 127.0.0.1 6379 | grep -q '^:1'; do sleep 0.1; done
{DB}
until grep -q 'v2 b' /var/lib/postgresql/data/votes; do sleep 0.1; done
sort /var/lib/postgresql/data/votes
"#
        ),
    );
    assert_eq!(out, "v1 a\nv2 b\n");
    let log = read(&sandbox, "/tmp/worker.log");
    for line in [
        "worker could not reach db:5432: connection refused\nWaiting for db\n",
        "Connected to db\n",
        "worker could not reach redis:6379: connection refused\nWaiting for redis\n",
        "Connected to redis\nProcessing vote for 'a' by 'v1'\n",
        "Processing vote for 'b' by 'v2'\nReconnecting DB\nworker could not reach db:5432: connection refused\n",
    ] {
        assert!(log.contains(line), "{line:?} missing from {log}");
    }
    assert_eq!(
        log.matches("worker could not reach db:5432: connection refused").count(),
        2,
        "said once per outage: {log}"
    );
}

#[test]
fn db_refuses_to_initialize_without_a_password_setting_and_keeps_votes_in_its_data_directory() {
    let Some(sandbox) = Sandbox::new("") else { return };
    let (out, _) = sandbox.run(
        "db",
        r#"/usr/local/bin/postgres-stand-in 2>/tmp/nopw.log; echo "exit $?"
ls /var/lib/postgresql/data
POSTGRES_PASSWORD=secret /usr/local/bin/postgres-stand-in 2>/tmp/first.log &
wait_port 5432
printf 'VOTE v1 a\nVOTE v2 b\nVOTE v1 b\nVOTE v3 x\nVOTE bad"id a\nDROP TABLE votes\nCOUNT\nQUIT\nPING\n' | nc -w 5 127.0.0.1 5432
"#,
    );
    let nopw = read(&sandbox, "/tmp/nopw.log");
    assert!(nopw.starts_with("Error: Database is uninitialized and superuser password is not specified.\n"), "{nopw}");
    assert!(nopw.contains("POSTGRES_HOST_AUTH_METHOD=trust"), "{nopw}");
    let (counts, rest) = out.split_once("ERR unknown command DROP\n").unwrap_or_else(|| panic!("{out}"));
    assert_eq!(
        counts, "exit 1\nOK\nOK\nOK\nOK\nERR VOTE takes a voter id and a choice (1 to 64 of A-Z a-z 0-9 _ -)\n",
        "nothing initialized without a password: an empty data directory"
    );
    let mut rows: Vec<&str> = rest.lines().collect();
    assert_eq!(rows.pop(), Some("BYE"));
    assert_eq!(rows.pop(), Some("END"));
    rows.sort();
    assert_eq!(rows, ["b 2", "x 1"]);
    assert_eq!(read(&sandbox, "/var/lib/postgresql/data/PG_VERSION"), "9.4\n");

    // A data directory that holds a database starts without the password (as the real one),
    // with its votes; another (a new volume) starts empty.
    let (out, _) = sandbox.run(
        "db2",
        r#"/usr/local/bin/postgres-stand-in 2>/tmp/again.log &
wait_port 5432
printf 'COUNT\nQUIT\n' | nc -w 5 127.0.0.1 5432 | sort | tr '\n' ' '
kill $!
until ! nc -w 1 127.0.0.1 5432 </dev/null 2>/dev/null; do sleep 0.1; done
PGDATA=/tmp/new POSTGRES_HOST_AUTH_METHOD=trust /usr/local/bin/postgres-stand-in 2>/tmp/new.log &
wait_port 5432
printf 'COUNT\nQUIT\n' | nc -w 5 127.0.0.1 5432 | tr '\n' ' '
"#,
    );
    assert_eq!(out, "BYE END b 2 x 1 END BYE ");
    assert!(read(&sandbox, "/tmp/again.log").contains("appears to contain a database; Skipping initialization"));
}

#[test]
fn mysql_refuses_to_start_without_a_password_option_then_listens_on_3306() {
    let Some(sandbox) = Sandbox::new("") else { return };
    let (out, _) = sandbox.run(
        "mysql",
        r#"/usr/local/bin/mysql-stand-in 2>/tmp/nopw.log; echo "exit $?"
MYSQL_RANDOM_ROOT_PASSWORD=yes MYSQL_DATABASE=shop /usr/local/bin/mysql-stand-in 2>/tmp/ok.log &
wait_port 3306
ls /var/lib/mysql | tr '\n' ' '
"#,
    );
    assert_eq!(out, "exit 1\nmysql shop ");
    let nopw = read(&sandbox, "/tmp/nopw.log");
    assert!(
        nopw.contains("[ERROR] [Entrypoint]: Database is uninitialized and password option is not specified"),
        "{nopw}"
    );
    for option in ["MYSQL_ROOT_PASSWORD", "MYSQL_ALLOW_EMPTY_PASSWORD", "MYSQL_RANDOM_ROOT_PASSWORD"] {
        assert!(nopw.contains(&format!("- {option}\n")), "{nopw}");
    }
    assert!(read(&sandbox, "/tmp/ok.log").contains("GENERATED ROOT PASSWORD: "));
}

#[test]
fn a_missing_link_is_named_on_the_page_and_in_the_log() {
    // redis resolves to nothing that listens; db does not resolve at all.
    let Some(sandbox) = Sandbox::new("127.0.0.1 redis") else { return };
    sandbox.run(
        "links",
        &format!("{VOTE}{RESULT}http POST / vote=a >/tmp/vote\nHTTP_PORT=8080 http GET / >/tmp/result\n"),
    );
    let vote = read(&sandbox, "/tmp/vote");
    assert!(vote.starts_with("HTTP/1.0 503 Service Unavailable\r\n"), "{vote}");
    assert!(vote.contains("vote could not reach redis:6379: connection refused. The vote was not recorded"), "{vote}");
    assert!(read(&sandbox, "/tmp/vote.log").contains("vote could not reach redis:6379: connection refused\n"));
    let result = read(&sandbox, "/tmp/result");
    assert!(result.starts_with("HTTP/1.0 503 Service Unavailable\r\n"), "{result}");
    assert!(result.contains("result could not reach db:5432: name does not resolve."), "{result}");
    assert!(read(&sandbox, "/tmp/result.log").contains("result could not reach db:5432: name does not resolve\n"));
}

/// An address on a link whose other end is down: connecting to it times out, as a
/// service's virtual IP does on a kernel without IPVS.
const DEAD_END: &str =
    "ip link add sbx0 type veth peer name sbx1; ip addr add 10.9.9.1/24 dev sbx0; ip link set sbx0 up";

#[test]
fn a_name_that_never_connects_times_out_and_the_task_addresses_come_first() {
    // redis is a VIP that never connects; without tasks.redis the vote times out.
    let Some(sandbox) = Sandbox::new("10.9.9.2 redis") else { return };
    sandbox.run_with_net("vip", DEAD_END, &format!("{VOTE}http POST / vote=a >/tmp/vote\n"));
    let vote = read(&sandbox, "/tmp/vote");
    assert!(vote.contains("vote could not reach redis:6379: timed out."), "{vote}");

    // With tasks.redis (a shared swarm network) the vote goes to the task, VIP or not.
    let Some(sandbox) = Sandbox::new("10.9.9.2 redis\n127.0.0.2 tasks.redis") else { return };
    let (out, _) = sandbox.run_with_net(
        "vip",
        DEAD_END,
        &format!("{REDIS}{VOTE}http POST / vote=a >/tmp/vote\nprintf 'LLEN votes\\r\\n' | nc -w 5 127.0.0.1 6379\n"),
    );
    assert!(read(&sandbox, "/tmp/vote").starts_with("HTTP/1.0 200 OK\r\n"));
    assert_eq!(out, ":1\r\n");
}

/// Offline, Docker's DNS forwards a name it does not know to servers that never answer:
/// nc only says "timed out", and the page must still say the name does not resolve.
#[test]
fn a_name_the_dns_never_answers_for_does_not_resolve() {
    let Some(sandbox) = Sandbox::new("") else { return };
    std::fs::write(sandbox.path("/etc/resolv.conf"), "nameserver 10.9.9.2\n").unwrap();
    sandbox.run_with_net("offline", DEAD_END, &format!("{RESULT}HTTP_PORT=8080 http GET / >/tmp/result\n"));
    let result = read(&sandbox, "/tmp/result");
    assert!(result.contains("result could not reach db:5432: name does not resolve."), "{result}");
}
