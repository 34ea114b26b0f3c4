//! The docker command lines of lab answers and lessons, as text: their placeholders
//! (`<node1-ip>`, `<worker-token>`, `<manager-token>`, `<service-name>`,
//! `<container-name>`, the table of the book's introduction) and the one rewrite every
//! runner of those lines applies (`lab solve --detach`, the tests, the benches): flags added
//! to `docker service create|update|scale`. Filling a placeholder needs an engine, so the
//! caller brings the values; this module only finds, parses and replaces.

/// A placeholder of a runnable line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    /// `<nodeN-ip>`, N from 1.
    NodeIp(usize),
    WorkerToken,
    ManagerToken,
    /// The name the engine gave the last service created without `--name`.
    ServiceName,
    /// A running task container of that service.
    ContainerName,
}

/// Every placeholder, for messages.
pub const PLACEHOLDERS: &str = "<nodeN-ip>, <worker-token>, <manager-token>, <service-name>, <container-name>";

impl Placeholder {
    /// The placeholder named `name` (without the angle brackets).
    pub fn parse(name: &str) -> Option<Placeholder> {
        Some(match name {
            "worker-token" => Placeholder::WorkerToken,
            "manager-token" => Placeholder::ManagerToken,
            "service-name" => Placeholder::ServiceName,
            "container-name" => Placeholder::ContainerName,
            _ => {
                let n: usize = name.strip_prefix("node")?.strip_suffix("-ip")?.parse().ok()?;
                if n == 0 {
                    return None;
                }
                Placeholder::NodeIp(n)
            }
        })
    }
}

/// The names inside `<…>` in `text`, e.g. `node1-ip`, in order (repeats included).
pub fn placeholder_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        match after.find('>') {
            Some(end) if after[..end].chars().all(|c| c.is_ascii_alphanumeric() || c == '-') && end > 0 => {
                names.push(after[..end].to_string());
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    names
}

/// Why a placeholder could not be filled: its name and the resolver's reason (`None` for a
/// name that is no placeholder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfilled<E> {
    pub name: String,
    pub why: Option<E>,
}

/// `text` with every placeholder replaced by what `resolve` gives for it; each distinct
/// placeholder is resolved once.
pub fn fill<E>(text: &str, mut resolve: impl FnMut(Placeholder) -> Result<String, E>) -> Result<String, Unfilled<E>> {
    let mut out = text.to_string();
    let mut names = placeholder_names(text);
    names.dedup();
    for name in names {
        let tag = format!("<{name}>");
        if !out.contains(&tag) {
            continue;
        }
        let p = Placeholder::parse(&name).ok_or_else(|| Unfilled { name: name.clone(), why: None })?;
        let value = resolve(p).map_err(|e| Unfilled { name: name.clone(), why: Some(e) })?;
        out = out.replace(&tag, &value);
    }
    Ok(out)
}

/// Flags to add to `docker service` lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServiceFlags {
    /// `--detach` on create, update and scale: return before the tasks converge.
    pub detach: bool,
    /// `--no-resolve-image` on create and update: no registry lookup of the image digest.
    pub no_resolve_image: bool,
}

impl ServiceFlags {
    /// What tests and benches use: no wait, no registry.
    pub const FAST: ServiceFlags = ServiceFlags { detach: true, no_resolve_image: true };
}

/// `line` with `flags` added right after `docker service create|update|scale`, unless the
/// line has them already (`-d`, `--detach`, `--detach=…`, `--no-resolve-image`). Other
/// lines are returned as they are.
pub fn with_service_flags(line: &str, flags: ServiceFlags) -> String {
    let Some((verb, rest)) = ["create", "update", "scale"]
        .iter()
        .find_map(|v| line.strip_prefix(&format!("docker service {v} ")).map(|rest| (*v, rest)))
    else {
        return line.to_string();
    };
    let words: Vec<&str> = rest.split_whitespace().collect();
    let mut add = Vec::new();
    if flags.detach && !words.iter().any(|w| *w == "-d" || w.starts_with("--detach")) {
        add.push("--detach");
    }
    if flags.no_resolve_image && verb != "scale" && !words.contains(&"--no-resolve-image") {
        add.push("--no-resolve-image");
    }
    if add.is_empty() {
        return line.to_string();
    }
    format!("docker service {verb} {} {rest}", add.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_parse_by_name() {
        assert_eq!(Placeholder::parse("node3-ip"), Some(Placeholder::NodeIp(3)));
        assert_eq!(Placeholder::parse("node0-ip"), None);
        assert_eq!(Placeholder::parse("worker-token"), Some(Placeholder::WorkerToken));
        assert_eq!(Placeholder::parse("token"), None);
        assert_eq!(placeholder_names("a <node1-ip> <b c> <x>y <> <service-name>"), ["node1-ip", "x", "service-name"]);
    }

    #[test]
    fn fill_replaces_each_placeholder_once_resolved() {
        let mut asked = Vec::new();
        let out = fill("docker swarm join --token <worker-token> <node1-ip>:2377 # <node1-ip>", |p| {
            asked.push(p);
            Ok::<_, String>(match p {
                Placeholder::WorkerToken => "SWMTKN-1-x".into(),
                Placeholder::NodeIp(1) => "10.0.0.1".into(),
                _ => unreachable!(),
            })
        })
        .unwrap();
        assert_eq!(out, "docker swarm join --token SWMTKN-1-x 10.0.0.1:2377 # 10.0.0.1");
        assert_eq!(asked, [Placeholder::WorkerToken, Placeholder::NodeIp(1)]);
        let e = fill("x <nope>", |_| Ok::<_, String>(String::new())).unwrap_err();
        assert_eq!(e, Unfilled { name: "nope".into(), why: None });
        let e = fill("x <service-name>", |_| Err("none yet")).unwrap_err();
        assert_eq!(e.why, Some("none yet"));
    }

    #[test]
    fn service_flags_are_added_once_to_service_verbs_only() {
        let f = ServiceFlags::FAST;
        assert_eq!(
            with_service_flags("docker service create --name x alpine", f),
            "docker service create --detach --no-resolve-image --name x alpine"
        );
        assert_eq!(
            with_service_flags("docker service update -d --replicas 3 x", f),
            "docker service update --no-resolve-image -d --replicas 3 x"
        );
        assert_eq!(with_service_flags("docker service scale vote=3", f), "docker service scale --detach vote=3");
        assert_eq!(with_service_flags("docker network create -d overlay x", f), "docker network create -d overlay x");
        let detach = ServiceFlags { detach: true, no_resolve_image: false };
        assert_eq!(
            with_service_flags("docker service create --detach=false x", detach),
            "docker service create --detach=false x"
        );
        let resolve = ServiceFlags { detach: false, no_resolve_image: true };
        assert_eq!(
            with_service_flags("docker service create --no-resolve-image x", resolve),
            "docker service create --no-resolve-image x"
        );
    }
}
