//! A service as the docker CLI's flags describe it: what a service has now (read from the
//! snapshot), what the reference answer's `docker service create` line gives it, and what
//! it must have to pass an assertion. The difference between two specs becomes one
//! `docker service update` line; a whole spec becomes a `docker service create` line.

use super::shell;
use bollard::models::Service;
use lab_grader::evaluate::Ctx;
use lab_i18n::{words, Language};
use lab_schema::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Port {
    pub target: u16,
    /// `None`: the engine picks a port.
    pub published: Option<u16>,
    pub protocol: String,
    pub mode: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MountSpec {
    pub kind: String,
    /// Empty for an anonymous volume or a tmpfs.
    pub source: String,
    pub target: String,
    pub readonly: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServiceSpec {
    pub name: String,
    pub image: String,
    pub global: bool,
    pub replicas: u64,
    pub entrypoint: Vec<String>,
    pub args: Vec<String>,
    /// In order; a name appears once.
    pub env: Vec<(String, String)>,
    pub ports: Vec<Port>,
    /// Network names.
    pub networks: Vec<String>,
    pub mounts: Vec<MountSpec>,
    pub dnsrr: bool,
    pub constraints: Vec<String>,
    /// Secret and config names with their targets.
    pub secrets: Vec<(String, String)>,
    pub configs: Vec<(String, String)>,
}

impl Default for ServiceSpec {
    fn default() -> Self {
        ServiceSpec {
            name: String::new(),
            image: String::new(),
            global: false,
            replicas: 1,
            entrypoint: Vec::new(),
            args: Vec::new(),
            env: Vec::new(),
            ports: Vec::new(),
            networks: Vec::new(),
            mounts: Vec::new(),
            dnsrr: false,
            constraints: Vec::new(),
            secrets: Vec::new(),
            configs: Vec::new(),
        }
    }
}

/// Why a check has no computed fix: a sentence of [`words`] and the values for its
/// placeholders, told in the report's language when the fix note is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NoFix {
    template: &'static str,
    values: Vec<(&'static str, String)>,
}

impl NoFix {
    /// `template` (a [`words`] constant) with `values` for its placeholders.
    pub fn new(template: &'static str, values: &[(&'static str, &dyn std::fmt::Display)]) -> NoFix {
        NoFix { template, values: values.iter().map(|(k, v)| (*k, v.to_string())).collect() }
    }

    /// The reason in `lang`.
    pub fn text(&self, lang: Language) -> String {
        let values: Vec<(&str, &dyn std::fmt::Display)> =
            self.values.iter().map(|(k, v)| (*k, v as &dyn std::fmt::Display)).collect();
        lang.fill(self.template, &values)
    }
}

/// A reason without values: `.ok_or(words::NO_IMAGE_TO_CHOOSE)?`.
impl From<&'static str> for NoFix {
    fn from(template: &'static str) -> NoFix {
        NoFix { template, values: Vec::new() }
    }
}

impl std::fmt::Display for NoFix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Language::english()))
    }
}

fn image_ref(image: &str) -> Option<ImageRef> {
    ImageRef::parse(image).ok()
}

/// The image a pattern names, as a learner would type it (`repo:*` → `repo`).
pub(crate) fn pattern_image(p: &ImagePattern) -> String {
    p.text.strip_suffix(":*").unwrap_or(&p.text).to_string()
}

fn port_matches(e: &PortExpectation, p: &Port) -> bool {
    e.target.is_none_or(|t| t == p.target)
        && e.published.is_none_or(|c| p.published.is_some_and(|pp| c.matches(pp as u64)))
        && e.protocol.is_none_or(|x| plain(&x) == p.protocol)
        && e.mode.is_none_or(|x| plain(&x) == p.mode)
}

fn plain<T: serde::Serialize>(v: &T) -> String {
    lab_grader::evaluate::serde_plain(v)
}

/// A network name as the lab says it, or `<stack>_name`.
fn net_is(actual: &str, want: &str) -> bool {
    actual == want || actual.ends_with(&format!("_{want}"))
}

fn same_path(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// A value inside `count`: `prefer` when it fits, else `current` moved to the nearest bound.
fn pick(count: Count, prefer: Option<u64>, current: u64) -> u64 {
    if let Some(p) = prefer.filter(|p| count.matches(*p)) {
        return p;
    }
    let lo = count.min.unwrap_or(0);
    let hi = count.max.unwrap_or(u64::MAX);
    current.clamp(lo, hi.max(lo))
}

impl ServiceSpec {
    /// The service as the snapshot shows it.
    pub fn from_service(ctx: &Ctx, svc: &Service) -> ServiceSpec {
        let spec = svc.spec.clone().unwrap_or_default();
        let task = spec.task_template.clone().unwrap_or_default();
        let cs = task.container_spec.clone().unwrap_or_default();
        let mode = spec.mode.clone().unwrap_or_default();
        let image = cs.image.clone().unwrap_or_default();
        let image = image.split('@').next().unwrap_or_default().to_string();
        let endpoint_ports = svc.endpoint.as_ref().and_then(|e| e.ports.clone()).filter(|p| !p.is_empty());
        let ports = endpoint_ports
            .or_else(|| spec.endpoint_spec.as_ref().and_then(|e| e.ports.clone()))
            .unwrap_or_default()
            .iter()
            .map(|p| Port {
                target: p.target_port.unwrap_or(0).clamp(0, 65535) as u16,
                published: p.published_port.filter(|x| *x > 0).map(|x| x.clamp(0, 65535) as u16),
                protocol: p.protocol.map(|x| x.to_string()).unwrap_or_else(|| "tcp".into()),
                mode: p
                    .publish_mode
                    .map(|x| x.to_string())
                    .filter(|m| !m.is_empty())
                    .unwrap_or_else(|| "ingress".into()),
            })
            .collect();
        let networks = task
            .networks
            .clone()
            .or_else(|| spec.networks.clone())
            .unwrap_or_default()
            .iter()
            .filter_map(|n| n.target.clone())
            .map(|t| ctx.network(&t).and_then(|n| n.name.clone()).unwrap_or(t))
            .collect();
        let mounts = cs
            .mounts
            .clone()
            .unwrap_or_default()
            .iter()
            .map(|m| MountSpec {
                kind: m.typ.map(|t| t.to_string()).unwrap_or_else(|| "volume".into()),
                source: m.source.clone().unwrap_or_default(),
                target: m.target.clone().unwrap_or_default(),
                readonly: m.read_only.unwrap_or(false),
            })
            .collect();
        let mut env: Vec<(String, String)> = Vec::new();
        for kv in cs.env.iter().flatten() {
            let (k, v) = kv.split_once('=').unwrap_or((kv.as_str(), ""));
            env.retain(|(n, _)| n != k);
            env.push((k.to_string(), v.to_string()));
        }
        ServiceSpec {
            name: spec.name.clone().unwrap_or_default(),
            image,
            global: mode.global.is_some(),
            replicas: match &mode.replicated {
                Some(r) => r.replicas.unwrap_or(1).max(0) as u64,
                None => 1,
            },
            entrypoint: cs.command.clone().unwrap_or_default(),
            args: cs.args.clone().unwrap_or_default(),
            env,
            ports,
            networks,
            mounts,
            dnsrr: spec.endpoint_spec.as_ref().and_then(|e| e.mode).is_some_and(|m| m.to_string() == "dnsrr"),
            constraints: task.placement.and_then(|p| p.constraints).unwrap_or_default(),
            secrets: cs
                .secrets
                .iter()
                .flatten()
                .map(|s| {
                    let name = s.secret_name.clone().unwrap_or_default();
                    (name, s.file.as_ref().and_then(|f| f.name.clone()).unwrap_or_default())
                })
                .collect(),
            configs: cs
                .configs
                .iter()
                .flatten()
                .map(|s| {
                    let name = s.config_name.clone().unwrap_or_default();
                    (name, s.file.as_ref().and_then(|f| f.name.clone()).unwrap_or_default())
                })
                .collect(),
        }
    }

    /// A `docker service create …` line of a lab's answer, read back into a spec. Flags the
    /// spec does not model are skipped; `None` for any other line.
    pub fn from_create_line(line: &str) -> Option<ServiceSpec> {
        let words = shell::split(line);
        let rest = words.strip_prefix(&["docker".to_string(), "service".into(), "create".into()])?;
        let mut s = ServiceSpec::default();
        let mut i = 0;
        let value = |i: &mut usize, w: &str| -> Option<String> {
            if let Some((_, v)) = w.split_once('=').filter(|_| w.starts_with("--")) {
                return Some(v.to_string());
            }
            *i += 1;
            rest.get(*i).cloned()
        };
        while i < rest.len() {
            let w = rest[i].as_str();
            if !w.starts_with('-') {
                s.image = w.to_string();
                s.args = rest[i + 1..].to_vec();
                return Some(s);
            }
            let flag = w.split('=').next().unwrap_or(w);
            match flag {
                "--name" => s.name = value(&mut i, w)?,
                "--replicas" => s.replicas = value(&mut i, w)?.parse().ok()?,
                "--mode" => s.global = value(&mut i, w)? == "global",
                "-e" | "--env" => {
                    let kv = value(&mut i, w)?;
                    let (k, v) = kv.split_once('=').unwrap_or((kv.as_str(), ""));
                    s.env.retain(|(n, _)| n != k);
                    s.env.push((k.to_string(), v.to_string()));
                }
                "-p" | "--publish" => s.ports.push(parse_port(&value(&mut i, w)?)?),
                "--network" | "--net" => {
                    let v = value(&mut i, w)?;
                    s.networks.push(csv_field(&v, "name").unwrap_or(v));
                }
                "--mount" => s.mounts.push(parse_mount(&value(&mut i, w)?)?),
                "--endpoint-mode" => s.dnsrr = value(&mut i, w)? == "dnsrr",
                "--constraint" => s.constraints.push(value(&mut i, w)?),
                "--entrypoint" => s.entrypoint = shell::split(&value(&mut i, w)?),
                "--secret" => {
                    let v = value(&mut i, w)?;
                    let name = csv_field(&v, "source").or_else(|| csv_field(&v, "src")).unwrap_or(v.clone());
                    s.secrets.push((name.clone(), csv_field(&v, "target").unwrap_or(name)));
                }
                "--config" => {
                    let v = value(&mut i, w)?;
                    let name = csv_field(&v, "source").or_else(|| csv_field(&v, "src")).unwrap_or(v.clone());
                    s.configs.push((name.clone(), csv_field(&v, "target").unwrap_or(name)));
                }
                "-d" | "--detach" | "-q" | "--quiet" | "--no-resolve-image" => {}
                _ if w.contains('=') => {}
                // An unknown flag: assume it takes a value, as most do.
                _ => i += 1,
            }
            i += 1;
        }
        None
    }

    /// Changes what `a` needs changed, choosing values from `answer` where the lab allows
    /// several. Fields the assertion does not state are left alone.
    pub fn conform(&mut self, a: &ServiceAssertion, answer: Option<&ServiceSpec>) -> Result<(), NoFix> {
        if let Some(want) = &a.image {
            if !image_ref(&self.image).is_some_and(|r| want.matches(&r)) {
                self.image = answer
                    .map(|s| s.image.clone())
                    .filter(|i| image_ref(i).is_some_and(|r| want.matches(&r)))
                    .or_else(|| want.0.first().map(pattern_image))
                    .ok_or(words::NO_IMAGE_TO_CHOOSE)?;
            }
        }
        if let Some(m) = a.mode {
            self.global = m == ServiceMode::Global;
        }
        if !self.global {
            let prefer = answer.map(|s| s.replicas);
            if let Some(want) = a.replicas {
                if !want.matches(self.replicas) {
                    self.replicas = pick(want, prefer, self.replicas);
                }
            }
            // Running tasks can only reach what is asked for.
            if let Some(want) = a.running {
                if want.min.is_some_and(|m| self.replicas < m) || want.max.is_some_and(|m| self.replicas > m) {
                    let both = match a.replicas {
                        Some(r) => Count {
                            min: r.min.max(want.min),
                            max: match (r.max, want.max) {
                                (Some(x), Some(y)) => Some(x.min(y)),
                                (x, y) => x.or(y),
                            },
                        },
                        None => want,
                    };
                    self.replicas = pick(both, prefer, self.replicas);
                }
            }
        }
        let line = |s: &ServiceSpec| s.entrypoint.iter().chain(&s.args).cloned().collect::<Vec<_>>().join(" ");
        if let Some(want) = &a.command {
            if !glob::matches(want, &line(self)) {
                match answer.filter(|s| glob::matches(want, &line(s))) {
                    Some(s) => {
                        self.entrypoint = s.entrypoint.clone();
                        self.args = s.args.clone();
                    }
                    None if !want.contains(['*', '?']) => {
                        self.entrypoint.clear();
                        self.args = shell::split(want);
                    }
                    None => return Err(NoFix::new(words::NO_COMMAND_TO_CHOOSE, &[("pattern", want)])),
                }
            }
        }
        if let Some(want) = &a.args {
            if !glob::matches(want, &self.args.join(" ")) {
                match answer.filter(|s| glob::matches(want, &s.args.join(" "))) {
                    Some(s) => self.args = s.args.clone(),
                    None if !want.contains(['*', '?']) => self.args = shell::split(want),
                    None => return Err(NoFix::new(words::NO_ARGUMENTS_TO_CHOOSE, &[("pattern", want)])),
                }
            }
        }
        self.conform_env(a, answer)?;
        self.conform_ports(a, answer)?;
        if let Some(want) = &a.networks {
            for w in want {
                if !self.networks.iter().any(|n| net_is(n, w)) {
                    self.networks.push(w.clone());
                }
            }
            if a.exact.contains(&ExactField::Networks) {
                self.networks.retain(|n| want.iter().any(|w| net_is(n, w)));
            }
        }
        self.conform_mounts(a, answer)?;
        if let Some(m) = a.endpoint_mode {
            self.dnsrr = m == EndpointMode::Dnsrr;
        }
        if let Some(want) = &a.constraints {
            let norm = |c: &str| c.chars().filter(|ch| !ch.is_whitespace()).collect::<String>();
            for c in want {
                if !self.constraints.iter().any(|x| norm(x) == norm(c)) {
                    self.constraints.push(c.clone());
                }
            }
            if a.exact.contains(&ExactField::Constraints) {
                self.constraints.retain(|x| want.iter().any(|c| norm(x) == norm(c)));
            }
        }
        Ok(())
    }

    fn env_value(&self, k: &str) -> Option<&str> {
        self.env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }

    fn set_env(&mut self, k: &str, v: &str) {
        match self.env.iter_mut().find(|(n, _)| n == k) {
            Some(e) => e.1 = v.to_string(),
            None => self.env.push((k.to_string(), v.to_string())),
        }
    }

    fn conform_env(&mut self, a: &ServiceAssertion, answer: Option<&ServiceSpec>) -> Result<(), NoFix> {
        let from_answer = |k: &str| answer.and_then(|s| s.env_value(k)).map(str::to_string);
        if let Some(want) = &a.env {
            for (k, e) in want {
                match e {
                    EnvExpectation::Present(true) if self.env_value(k).is_none() => {
                        let v = from_answer(k).ok_or_else(|| NoFix::new(words::NO_VALUE_TO_CHOOSE, &[("name", k)]))?;
                        self.set_env(k, &v);
                    }
                    EnvExpectation::Present(false) => self.env.retain(|(n, _)| n != k),
                    EnvExpectation::Value(v) if self.env_value(k) != Some(v) => self.set_env(k, v),
                    _ => {}
                }
            }
            if a.exact.contains(&ExactField::Env) {
                self.env.retain(|(n, _)| want.contains_key(n));
            }
        }
        if let Some(any) = &a.env_any {
            if !any.iter().any(|k| self.env_value(k).is_some()) {
                let (k, v) = any
                    .iter()
                    .find_map(|k| Some((k.clone(), from_answer(k)?)))
                    .ok_or_else(|| NoFix::new(words::NO_VALUE_TO_CHOOSE_ANY, &[("names", &any.join(", "))]))?;
                self.set_env(&k, &v);
            }
        }
        Ok(())
    }

    fn conform_ports(&mut self, a: &ServiceAssertion, answer: Option<&ServiceSpec>) -> Result<(), NoFix> {
        let Some(want) = &a.ports else { return Ok(()) };
        for e in want {
            if self.ports.iter().any(|p| port_matches(e, p)) {
                continue;
            }
            let same_target = self.ports.iter().position(|p| {
                e.target.is_some_and(|t| t == p.target) && !want.iter().any(|other| port_matches(other, p))
            });
            let old = same_target.map(|i| self.ports.remove(i));
            let new = match answer.and_then(|s| s.ports.iter().find(|p| port_matches(e, p))) {
                Some(p) => p.clone(),
                None => {
                    let target = e
                        .target
                        .or_else(|| e.published.and_then(|c| c.min.filter(|m| c.max == Some(*m))).map(|p| p as u16))
                        .ok_or(words::NO_CONTAINER_PORT_TO_CHOOSE)?;
                    let published = match e.published {
                        Some(c) => {
                            let current = old.as_ref().and_then(|p| p.published).map(u64::from);
                            Some(pick(c, current, current.unwrap_or(c.min.unwrap_or(1))).min(65535) as u16)
                        }
                        None => old.as_ref().and_then(|p| p.published).or(Some(target)),
                    };
                    Port {
                        target,
                        published,
                        protocol: e.protocol.map(|x| plain(&x)).unwrap_or_else(|| "tcp".into()),
                        mode: e.mode.map(|x| plain(&x)).unwrap_or_else(|| "ingress".into()),
                    }
                }
            };
            self.ports.push(new);
        }
        if a.exact.contains(&ExactField::Ports) {
            self.ports.retain(|p| want.iter().any(|e| port_matches(e, p)));
        }
        Ok(())
    }

    fn conform_mounts(&mut self, a: &ServiceAssertion, answer: Option<&ServiceSpec>) -> Result<(), NoFix> {
        let Some(want) = &a.mounts else { return Ok(()) };
        for e in want {
            let kind = e.kind.map(|k| plain(&k));
            let fits = |m: &MountSpec| {
                same_path(&m.target, &e.target)
                    && kind.as_ref().is_none_or(|k| *k == m.kind)
                    && e.source.as_ref().is_none_or(|s| *s == m.source || m.source.ends_with(&format!("_{s}")))
                    && e.readonly.is_none_or(|r| r == m.readonly)
            };
            if self.mounts.iter().any(fits) {
                continue;
            }
            let at = self.mounts.iter().position(|m| same_path(&m.target, &e.target));
            let old = at.map(|i| self.mounts.remove(i));
            let from_answer = answer.and_then(|s| s.mounts.iter().find(|m| fits(m)).cloned());
            let new = match from_answer {
                Some(m) => m,
                None => {
                    let kind = kind.or(old.as_ref().map(|m| m.kind.clone())).unwrap_or_else(|| "volume".into());
                    let source = e
                        .source
                        .clone()
                        .or(old.as_ref().filter(|m| m.kind == kind).map(|m| m.source.clone()))
                        .unwrap_or_default();
                    if kind == "bind" && source.is_empty() {
                        return Err(NoFix::new(words::NO_HOST_PATH_TO_CHOOSE, &[("target", &e.target)]));
                    }
                    MountSpec {
                        kind,
                        source,
                        target: e.target.clone(),
                        readonly: e.readonly.or(old.as_ref().map(|m| m.readonly)).unwrap_or(false),
                    }
                }
            };
            // The same volume mounted at another path the lab does not ask for: move it.
            if !new.source.is_empty() {
                self.mounts.retain(|m| {
                    !(m.kind == new.kind
                        && m.source == new.source
                        && !want.iter().any(|w| same_path(&w.target, &m.target)))
                });
            }
            self.mounts.push(new);
        }
        if a.exact.contains(&ExactField::Mounts) {
            self.mounts.retain(|m| want.iter().any(|w| same_path(&w.target, &m.target)));
        }
        Ok(())
    }

    /// Adds what the answer sets and this spec lacks: a password postgres needs to start,
    /// say, when tasks fail for a reason the lab does not name.
    pub fn add_answer_env(&mut self, answer: &ServiceSpec) {
        for (k, v) in &answer.env {
            if self.env_value(k).is_none() {
                self.env.push((k.clone(), v.clone()));
            }
        }
    }

    /// `docker service create …` for this spec.
    pub fn create_line(&self) -> String {
        let mut w: Vec<String> = vec!["docker".into(), "service".into(), "create".into()];
        if !self.name.is_empty() {
            w.extend(["--name".into(), self.name.clone()]);
        }
        if self.global {
            w.extend(["--mode".into(), "global".into()]);
        } else if self.replicas != 1 {
            w.extend(["--replicas".into(), self.replicas.to_string()]);
        }
        if self.dnsrr {
            w.extend(["--endpoint-mode".into(), "dnsrr".into()]);
        }
        for p in &self.ports {
            w.extend(["--publish".into(), port_flag(p)]);
        }
        for n in &self.networks {
            w.extend(["--network".into(), n.clone()]);
        }
        for (k, v) in &self.env {
            w.extend(["--env".into(), format!("{k}={v}")]);
        }
        for m in &self.mounts {
            w.extend(["--mount".into(), mount_flag(m)]);
        }
        for c in &self.constraints {
            w.extend(["--constraint".into(), c.clone()]);
        }
        for (s, t) in &self.secrets {
            w.extend(["--secret".into(), format!("source={s},target={t}")]);
        }
        for (s, t) in &self.configs {
            w.extend(["--config".into(), format!("source={s},target={t}")]);
        }
        if !self.entrypoint.is_empty() {
            w.extend(["--entrypoint".into(), shell::join(&self.entrypoint)]);
        }
        w.push(self.image.clone());
        w.extend(self.args.iter().cloned());
        shell::join(&w)
    }

    /// The `docker service update` lines that turn `self` into `to`: usually one, two when
    /// a kept port would be caught by a `--publish-rm` (it matches on the target port).
    pub fn update_lines(&self, to: &ServiceSpec) -> Vec<String> {
        let mut flags: Vec<String> = Vec::new();
        if self.image != to.image {
            flags.extend(["--image".into(), to.image.clone()]);
        }
        if !to.global && self.replicas != to.replicas {
            flags.extend(["--replicas".into(), to.replicas.to_string()]);
        }
        if self.entrypoint != to.entrypoint {
            flags.extend(["--entrypoint".into(), shell::join(&to.entrypoint)]);
        }
        if self.args != to.args {
            flags.extend(["--args".into(), shell::join(&to.args)]);
        }
        for (k, _) in self.env.iter().filter(|(k, _)| to.env_value(k).is_none()) {
            flags.extend(["--env-rm".into(), k.clone()]);
        }
        for (k, v) in to.env.iter().filter(|(k, v)| self.env_value(k) != Some(v)) {
            flags.extend(["--env-add".into(), format!("{k}={v}")]);
        }
        let removed: Vec<&Port> = self.ports.iter().filter(|p| !to.ports.contains(p)).collect();
        let added: Vec<&Port> = to.ports.iter().filter(|p| !self.ports.contains(p)).collect();
        let key = |p: &Port| (p.target, p.protocol.clone(), p.mode.clone());
        let caught: Vec<&Port> =
            to.ports.iter().filter(|p| self.ports.contains(p) && removed.iter().any(|r| key(r) == key(p))).collect();
        for p in &removed {
            flags.extend(["--publish-rm".into(), port_rm_flag(p)]);
        }
        let mut later: Vec<String> = Vec::new();
        let adds = if caught.is_empty() { &mut flags } else { &mut later };
        for p in added.iter().chain(&caught) {
            adds.extend(["--publish-add".into(), port_flag(p)]);
        }
        for n in self.networks.iter().filter(|n| !to.networks.contains(n)) {
            flags.extend(["--network-rm".into(), n.clone()]);
        }
        for n in to.networks.iter().filter(|n| !self.networks.contains(n)) {
            flags.extend(["--network-add".into(), n.clone()]);
        }
        // `--mount-rm T` also drops a mount added at T, so a changed mount is only added.
        for m in self.mounts.iter().filter(|m| !to.mounts.iter().any(|t| same_path(&t.target, &m.target))) {
            flags.extend(["--mount-rm".into(), m.target.clone()]);
        }
        for m in to.mounts.iter().filter(|m| !self.mounts.contains(m)) {
            flags.extend(["--mount-add".into(), mount_flag(m)]);
        }
        if self.dnsrr != to.dnsrr {
            flags.extend(["--endpoint-mode".into(), if to.dnsrr { "dnsrr" } else { "vip" }.into()]);
        }
        for c in self.constraints.iter().filter(|c| !to.constraints.contains(c)) {
            flags.extend(["--constraint-rm".into(), c.clone()]);
        }
        for c in to.constraints.iter().filter(|c| !self.constraints.contains(c)) {
            flags.extend(["--constraint-add".into(), c.clone()]);
        }
        for (s, _) in self.secrets.iter().filter(|s| !to.secrets.contains(s)) {
            flags.extend(["--secret-rm".into(), s.clone()]);
        }
        for (s, t) in to.secrets.iter().filter(|s| !self.secrets.contains(s)) {
            flags.extend(["--secret-add".into(), format!("source={s},target={t}")]);
        }
        for (s, _) in self.configs.iter().filter(|s| !to.configs.contains(s)) {
            flags.extend(["--config-rm".into(), s.clone()]);
        }
        for (s, t) in to.configs.iter().filter(|s| !self.configs.contains(s)) {
            flags.extend(["--config-add".into(), format!("source={s},target={t}")]);
        }
        let line = |flags: Vec<String>| {
            let mut w: Vec<String> = vec!["docker".into(), "service".into(), "update".into()];
            w.extend(flags);
            w.push(self.name.clone());
            shell::join(&w)
        };
        [flags, later].into_iter().filter(|f| !f.is_empty()).map(line).collect()
    }
}

/// `-p` long syntax, which every CLI version reads the same way.
fn port_flag(p: &Port) -> String {
    let mut s = match p.published {
        Some(pp) => format!("published={pp},target={}", p.target),
        None => format!("target={}", p.target),
    };
    if p.protocol != "tcp" {
        s.push_str(&format!(",protocol={}", p.protocol));
    }
    if p.mode != "ingress" {
        s.push_str(&format!(",mode={}", p.mode));
    }
    s
}

/// `--publish-rm` matches target, protocol and mode.
fn port_rm_flag(p: &Port) -> String {
    let mut s = format!("target={}", p.target);
    if p.protocol != "tcp" {
        s.push_str(&format!(",protocol={}", p.protocol));
    }
    if p.mode != "ingress" {
        s.push_str(&format!(",mode={}", p.mode));
    }
    s
}

fn mount_flag(m: &MountSpec) -> String {
    let mut s = format!("type={}", m.kind);
    if !m.source.is_empty() {
        s.push_str(&format!(",source={}", m.source));
    }
    s.push_str(&format!(",target={}", m.target));
    if m.readonly {
        s.push_str(",readonly");
    }
    s
}

fn csv_field(v: &str, key: &str) -> Option<String> {
    v.split(',').find_map(|kv| kv.split_once('=').filter(|(k, _)| *k == key).map(|(_, v)| v.to_string()))
}

/// `-p 8080:80`, `-p 80`, `-p 53:53/udp` or the long `published=…,target=…` syntax.
fn parse_port(v: &str) -> Option<Port> {
    if v.contains('=') {
        return Some(Port {
            target: csv_field(v, "target")?.parse().ok()?,
            published: csv_field(v, "published").and_then(|p| p.parse().ok()),
            protocol: csv_field(v, "protocol").unwrap_or_else(|| "tcp".into()),
            mode: csv_field(v, "mode").unwrap_or_else(|| "ingress".into()),
        });
    }
    let (ports, protocol) = v.split_once('/').unwrap_or((v, "tcp"));
    let (published, target) = match ports.rsplit_once(':') {
        Some((p, t)) => (p.rsplit(':').next().and_then(|p| p.parse().ok()), t.parse().ok()?),
        None => (None, ports.parse().ok()?),
    };
    Some(Port { target, published, protocol: protocol.to_string(), mode: "ingress".into() })
}

/// `--mount type=volume,source=x,target=/y[,readonly]`.
fn parse_mount(v: &str) -> Option<MountSpec> {
    let field = |keys: &[&str]| keys.iter().find_map(|k| csv_field(v, k));
    Some(MountSpec {
        kind: field(&["type"]).unwrap_or_else(|| "volume".into()),
        source: field(&["source", "src"]).unwrap_or_default(),
        target: field(&["target", "destination", "dst"])?,
        readonly: v.split(',').any(|kv| kv == "readonly" || kv == "ro" || kv == "readonly=true" || kv == "ro=true"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(line: &str) -> ServiceSpec {
        ServiceSpec::from_create_line(line).unwrap()
    }

    #[test]
    fn answer_lines_read_back_into_specs() {
        let s = answer("docker service create --name db --network backend -e POSTGRES_HOST_AUTH_METHOD=trust --mount type=volume,source=db-data,target=/var/lib/postgresql/data postgres:9.4");
        assert_eq!(s.name, "db");
        assert_eq!(s.networks, ["backend"]);
        assert_eq!(s.env, [("POSTGRES_HOST_AUTH_METHOD".to_string(), "trust".to_string())]);
        assert_eq!(s.mounts[0].source, "db-data");
        assert_eq!(s.image, "postgres:9.4");
        let p = answer("docker service create alpine ping 127.0.0.1");
        assert_eq!((p.image.as_str(), p.args.join(" ")), ("alpine", "ping 127.0.0.1".to_string()));
        let r = answer("docker service create --name result --network backend -p 5001:80 x/result");
        assert_eq!(
            r.ports[0],
            Port { target: 80, published: Some(5001), protocol: "tcp".into(), mode: "ingress".into() }
        );
        assert!(ServiceSpec::from_create_line("docker network create -d overlay x").is_none());
    }

    #[test]
    fn a_create_line_reads_back_as_the_same_spec() {
        let mut s = answer("docker service create --name w --replicas 3 -p 8080:80 --network a --mount type=bind,source=/tmp,target=/x,readonly --constraint 'node.role == manager' -e A='b c' nginx sh -c 'echo hi'");
        s.ports.push(Port { target: 53, published: None, protocol: "udp".into(), mode: "host".into() });
        assert_eq!(ServiceSpec::from_create_line(&s.create_line()), Some(s));
    }

    #[test]
    fn a_changed_mount_is_added_alone_and_a_moved_port_is_removed_by_target() {
        let from = answer("docker service create --name db --mount type=bind,source=/tmp,target=/data -p 8080:80 pg");
        let mut to = from.clone();
        to.mounts[0] = MountSpec { kind: "volume".into(), source: "v".into(), target: "/data".into(), readonly: false };
        to.ports[0].published = Some(80);
        assert_eq!(
            from.update_lines(&to),
            ["docker service update --publish-rm target=80 --publish-add published=80,target=80 --mount-add type=volume,source=v,target=/data db"]
        );
    }

    #[test]
    fn removing_one_of_two_ports_on_a_target_takes_two_lines() {
        let from = answer("docker service create --name w -p 80:80 -p 8080:80 nginx");
        let mut to = from.clone();
        to.ports.remove(1);
        assert_eq!(
            from.update_lines(&to),
            [
                "docker service update --publish-rm target=80 w",
                "docker service update --publish-add published=80,target=80 w"
            ]
        );
    }

    #[test]
    fn conform_takes_ranges_and_choices_from_the_answer() {
        let a: ServiceAssertion = toml::from_str(
            r#"name = "result"
image = ["x/result:*"]
replicas = { min = 1 }
ports = [{ target = 80, published = { min = 1024, max = 65535 }, protocol = "tcp" }]
networks = ["backend"]
exact = ["ports", "networks"]"#,
        )
        .unwrap();
        let ans = answer("docker service create --name result --network backend -p 5001:80 x/result");
        let mut s = answer("docker service create --name result --network frontend -p 500:80 y/result");
        s.conform(&a, Some(&ans)).unwrap();
        assert_eq!(s.image, "x/result");
        assert_eq!(s.networks, ["backend"]);
        assert_eq!(s.ports, ans.ports);
        let mut bare = ServiceSpec { name: "result".into(), ..Default::default() };
        bare.conform(&a, None).unwrap();
        assert_eq!(bare.image, "x/result");
        assert_eq!(bare.ports[0].published, Some(1024));
    }

    #[test]
    fn a_needed_value_the_lab_does_not_give_is_no_fix() {
        let a: ServiceAssertion = toml::from_str("name = \"psql\"\nenv_any = [\"POSTGRES_PASSWORD\"]").unwrap();
        let mut s = ServiceSpec { name: "psql".into(), image: "postgres".into(), ..Default::default() };
        assert!(s.conform(&a, None).is_err());
        let ans = answer("docker service create --name psql -e POSTGRES_PASSWORD=mypass postgres");
        s.conform(&a, Some(&ans)).unwrap();
        assert_eq!(s.env_value("POSTGRES_PASSWORD"), Some("mypass"));
    }
}
