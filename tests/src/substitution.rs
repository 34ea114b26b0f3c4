//! What changes between a command as the book prints it and the command the tests run, and
//! the guard that keeps every run on this machine.
//!
//! The whole table, applied in this order to each runnable line:
//!
//! | Book | Run | Why |
//! | --- | --- | --- |
//! | an outside address from [`ADDRESSES`] (`8.8.8.8`) | its loopback stand-in (`127.0.0.1`) | nothing may leave the machine; `ping` still has a target that answers |
//! | any other non-loopback IPv4 literal | (the test fails, naming the line) | an address with no substitution could probe off-machine |
//! | `docker pull/push/login/search` | (the test fails) | they need a registry |
//! | `curl`/`wget`/`ping`/`nc`/`telnet` to a host that is not local | (the test fails) | same reason |
//! | `docker service create ...`, `docker service update ...` | `docker service create --no-resolve-image ...` | no registry here: the CLI's digest lookup is the only step that differs; tasks start from the stand-in images every node has. The attached wait (progress bars, ~5 s "verify") is kept: it is what the learner sees, and it fails the command if the service does not converge |
//! | `curl [ARGS] URL` | `curl --max-time 10 --silent --show-error --fail [ARGS] URL`, or, with no curl on the host, `printf 'GET /PATH HTTP/1.0\r\nHost: HOST\r\n\r\n' \| busybox nc -w 3 HOST PORT` (which must print something) | bounded, and a refused connection or HTTP error fails the command; busybox-static is a harness requirement, curl is not |
//! | `<node1-ip>` … `<nodeN-ip>` | that node's address on the cluster bridge | |
//! | `<worker-token>`, `<manager-token>` | `docker swarm join-token -q worker\|manager` on node1, when the line runs | |
//! | `<service-name>` | the name the engine gave the service of the lesson's last `docker service create` without `--name` | |
//! | `<container-name>` | a running task container of that service on the node the line runs on (`docker ps --filter label=com.docker.swarm.service.name=…`, retried for 10 s) | |
//!
//! Every line runs as `sh -c LINE` inside its node's network namespace, with `DOCKER_HOST`
//! set to that node's engine: `localhost` is the node itself, as on a learner's node.

use lab_schema::command_line::{with_service_flags, ServiceFlags};
use std::net::Ipv4Addr;

/// An outside address a lesson uses, and what the tests use instead.
#[derive(Debug, Clone, Copy)]
pub struct AddressSubstitution {
    pub book: &'static str,
    pub run: &'static str,
    pub why: &'static str,
}

/// Every outside address the book may put in a runnable line.
pub const ADDRESSES: &[AddressSubstitution] = &[AddressSubstitution {
    book: "8.8.8.8",
    run: "127.0.0.1",
    why: "first-service.md's service pings Google's DNS; loopback answers ping inside the task too",
}];

/// The placeholders of runnable lines (introduction.md's table), shared with `lab solve`.
pub use lab_schema::command_line::{placeholder_names, Placeholder};

/// Why a runnable line cannot be run here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("contains the outside address {0}, which has no substitution in swarm_e2e::substitution::ADDRESSES: add one, or the test would probe off this machine")]
    OutsideAddress(String),
    #[error("`{0}` needs a registry, and nothing may leave this machine")]
    Registry(String),
    #[error("probes the non-local host `{0}`; only localhost and the nodes may be reached")]
    OutsideHost(String),
    #[error("unknown placeholder <{0}> (known: <nodeN-ip>, <worker-token>, <manager-token>, <service-name>, <container-name>)")]
    UnknownPlaceholder(String),
}

/// An HTTP request a line makes with curl.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpProbe {
    pub host: String,
    pub port: u16,
    pub path: String,
}

/// Which HTTP client runs `curl` lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpClient {
    Curl,
    BusyboxNc,
}

/// The book's line with the address table applied and the guards passed, placeholders
/// still in it; then [`prepare`] turns it into what runs.
pub fn substitute_addresses(text: &str) -> Result<String, Refusal> {
    let mut out = text.to_string();
    for s in ADDRESSES {
        out = replace_address(&out, s.book, s.run);
    }
    if let Some(addr) = ipv4_literals(&out).into_iter().find(|a| !a.is_loopback() && !a.is_unspecified()) {
        return Err(Refusal::OutsideAddress(addr.to_string()));
    }
    let words: Vec<&str> = out.split_whitespace().collect();
    if let ["docker", verb @ ("pull" | "push" | "login" | "search"), ..] = words.as_slice() {
        return Err(Refusal::Registry(format!("docker {verb}")));
    }
    if let Some(host) = probe_host(&words) {
        if !is_local_host(&host) {
            return Err(Refusal::OutsideHost(host));
        }
    }
    for name in placeholder_names(&out) {
        Placeholder::parse(&name).ok_or(Refusal::UnknownPlaceholder(name))?;
    }
    Ok(out)
}

/// The command that runs for `text` (already through [`substitute_addresses`], placeholders
/// filled): `--no-resolve-image` for service create/update, HTTP probes bounded.
pub fn prepare(text: &str, client: HttpClient) -> String {
    let no_registry = ServiceFlags { detach: false, no_resolve_image: true };
    if text.starts_with("docker service create ") || text.starts_with("docker service update ") {
        return with_service_flags(text, no_registry);
    }
    if let Some(args) = text.strip_prefix("curl ") {
        return match (client, http_probe(text)) {
            (HttpClient::BusyboxNc, Some(p)) => format!(
                "out=$(printf 'GET {} HTTP/1.0\\r\\nHost: {}\\r\\n\\r\\n' | busybox nc -w 3 {} {}) && [ -n \"$out\" ] && printf '%s\\n' \"$out\"",
                p.path, p.host, p.host, p.port
            ),
            _ => format!("curl --max-time 10 --silent --show-error --fail {args}"),
        };
    }
    text.to_string()
}

/// The request of a `curl` line: its last non-option argument as a URL.
pub fn http_probe(text: &str) -> Option<HttpProbe> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.first() != Some(&"curl") {
        return None;
    }
    let url = words[1..].iter().rev().find(|w| !w.starts_with('-'))?;
    let (default_port, rest) = match url.split_once("://") {
        Some(("https", rest)) => (443, rest),
        Some((_, rest)) => (80, rest),
        None => (80, *url),
    };
    let (authority, path) = rest.find('/').map_or((rest, "/"), |i| (&rest[..i], &rest[i..]));
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') => (h, p.parse().ok()?),
        _ => (authority, default_port),
    };
    Some(HttpProbe { host: host.to_string(), port, path: path.to_string() })
}

/// Every dotted-quad IPv4 literal in `text` (not parts of longer dotted numbers).
pub fn ipv4_literals(text: &str) -> Vec<Ipv4Addr> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|tok| tok.trim_matches('.').parse::<Ipv4Addr>().ok())
        .collect()
}

fn replace_address(text: &str, from: &str, to: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(from) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + from.len()..].chars().next();
        let part_of_number = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit() || c == '.');
        out.push_str(&rest[..i]);
        out.push_str(if part_of_number(before) || part_of_number(after) { from } else { to });
        rest = &rest[i + from.len()..];
    }
    out + rest
}

/// The host a probing command (curl, wget, ping, nc, telnet) reaches.
fn probe_host(words: &[&str]) -> Option<String> {
    match words.first()? {
        &"curl" => http_probe(&words.join(" ")).map(|p| p.host),
        &"wget" | &"ping" => {
            let target = words[1..].iter().rev().find(|w| !w.starts_with('-'))?;
            let target = target.split_once("://").map_or(*target, |(_, r)| r);
            Some(target.split(['/', ':']).next().unwrap_or_default().to_string())
        }
        &"nc" | &"telnet" => words[1..].iter().find(|w| !w.starts_with('-')).map(|h| h.to_string()),
        _ => None,
    }
}

fn is_local_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host == "::1"
        || host.parse::<Ipv4Addr>().is_ok_and(|a| a.is_loopback())
        || placeholder_names(host)
            .first()
            .and_then(|n| Placeholder::parse(n))
            .is_some_and(|p| matches!(p, Placeholder::NodeIp(_)))
        || host.strip_prefix("node").is_some_and(|n| n.parse::<usize>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_addresses_become_loopback() {
        assert_eq!(
            substitute_addresses("docker service create alpine ping 8.8.8.8").unwrap(),
            "docker service create alpine ping 127.0.0.1"
        );
        // Not a part of a longer number.
        assert_eq!(replace_address("v18.8.8.89", "8.8.8.8", "127.0.0.1"), "v18.8.8.89");
    }

    #[test]
    fn an_outside_address_without_substitution_is_refused() {
        assert_eq!(
            substitute_addresses("docker service create alpine ping 1.1.1.1"),
            Err(Refusal::OutsideAddress("1.1.1.1".into()))
        );
        assert_eq!(
            substitute_addresses("docker swarm join --token T 192.168.56.11:2377"),
            Err(Refusal::OutsideAddress("192.168.56.11".into()))
        );
        assert!(substitute_addresses("curl http://example.com/").is_err());
        assert!(substitute_addresses("ping -c 1 google.com").is_err());
        assert!(substitute_addresses("docker pull alpine").is_err());
        // Version numbers and loopback are fine.
        assert!(substitute_addresses("echo 2.4.6 127.0.0.1 0.0.0.0:80").is_ok());
        assert!(substitute_addresses("curl localhost:9200").is_ok());
        assert!(substitute_addresses("curl http://<node2-ip>:8080/").is_ok());
    }

    #[test]
    fn placeholders_are_known_or_refused() {
        assert_eq!(
            placeholder_names("docker swarm join --token <worker-token> <node1-ip>:2377"),
            ["worker-token", "node1-ip"]
        );
        assert_eq!(Placeholder::parse("node3-ip"), Some(Placeholder::NodeIp(3)));
        assert_eq!(Placeholder::parse("node0-ip"), None);
        assert_eq!(substitute_addresses("docker service ps <name>"), Err(Refusal::UnknownPlaceholder("name".into())));
        assert!(placeholder_names("a < b > c").is_empty());
    }

    #[test]
    fn service_commands_skip_the_registry_and_keep_their_wait() {
        assert_eq!(
            prepare("docker service create --name search -p 9200:9200 elasticsearch:2", HttpClient::Curl),
            "docker service create --no-resolve-image --name search -p 9200:9200 elasticsearch:2"
        );
        assert_eq!(
            prepare("docker service update web --replicas 3", HttpClient::Curl),
            "docker service update --no-resolve-image web --replicas 3"
        );
        assert_eq!(prepare("docker service ls", HttpClient::Curl), "docker service ls");
    }

    #[test]
    fn http_probes_are_bounded_with_either_client() {
        assert_eq!(
            http_probe("curl localhost:9200"),
            Some(HttpProbe { host: "localhost".into(), port: 9200, path: "/".into() })
        );
        assert_eq!(
            http_probe("curl -s http://10.1.2.3/x/y"),
            Some(HttpProbe { host: "10.1.2.3".into(), port: 80, path: "/x/y".into() })
        );
        assert_eq!(
            prepare("curl localhost:9200", HttpClient::Curl),
            "curl --max-time 10 --silent --show-error --fail localhost:9200"
        );
        assert_eq!(
            prepare("curl localhost:9200", HttpClient::BusyboxNc),
            "out=$(printf 'GET / HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' | busybox nc -w 3 localhost 9200) && [ -n \"$out\" ] && printf '%s\\n' \"$out\""
        );
    }
}
