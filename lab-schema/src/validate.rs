//! The rules serde cannot express: ids, points adding up to 100, exactly one assertion per
//! check, and references (a service's network or volume) to objects the lab defines.

use crate::assertion::*;
use crate::lab::{Answer, Check, Lab, RawCheck, RawLab};
use crate::load::LabError;
use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use toml::Spanned;

/// Every lab's points add up to this.
pub const TOTAL_POINTS: i64 = 100;

struct Errors<'a> {
    path: &'a Path,
    text: &'a Arc<String>,
    list: Vec<LabError>,
}

impl Errors<'_> {
    fn push(&mut self, span: Range<usize>, message: impl Into<String>, label: &str, help: Option<&str>) {
        self.list.push(LabError::new(
            self.path,
            self.text,
            Some(span),
            message,
            label,
            help.map(str::to_string),
        ));
    }
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// Byte range of the first `"needle"` (quoted) inside `within`, else `within` itself.
fn find_quoted(text: &str, within: &Range<usize>, needle: &str) -> Range<usize> {
    let hay = &text[within.clone()];
    for q in ['"', '\''] {
        let pat = format!("{q}{needle}{q}");
        if let Some(i) = hay.find(&pat) {
            let start = within.start + i;
            return start..start + pat.len();
        }
    }
    within.clone()
}

/// Byte range of `key` (as a TOML key) inside `within`, else `within`.
fn find_key(text: &str, within: &Range<usize>, key: &str) -> Range<usize> {
    let hay = &text[within.clone()];
    let mut from = 0;
    while let Some(i) = hay[from..].find(key) {
        let at = from + i;
        let before_ok = at == 0 || !hay.as_bytes()[at - 1].is_ascii_alphanumeric() && hay.as_bytes()[at - 1] != b'_';
        let after = hay[at + key.len()..].trim_start();
        if before_ok && (after.starts_with('=') || after.starts_with(']')) {
            return within.start + at..within.start + at + key.len();
        }
        from = at + key.len();
    }
    within.clone()
}

pub(crate) fn validate(path: &Path, text: &Arc<String>, raw: RawLab) -> Result<Lab, Vec<LabError>> {
    let mut e = Errors { path, text, list: Vec::new() };

    let id = raw.id.get_ref().clone();
    if !is_id(&id) {
        e.push(raw.id.span(), format!("lab id `{id}` must be lower-case letters, digits and dashes"), "this id", Some("e.g. id = \"day6-voting-app\""));
    }
    if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
        if stem != id && path.extension().is_some_and(|x| x == "toml") {
            e.push(raw.id.span(), format!("lab id `{id}` does not match its file name `{stem}.toml`"), "this id", Some(&format!("rename the file to {id}.toml or set id = \"{stem}\"")));
        }
    }
    for (field, v) in [("title", &raw.title), ("lesson", &raw.lesson), ("goal", &raw.goal), ("answer", &raw.answer)] {
        if v.get_ref().trim().is_empty() {
            e.push(v.span(), format!("`{field}` is empty"), "empty", None);
        }
    }
    if !raw.lesson.get_ref().ends_with(".md") {
        e.push(raw.lesson.span(), format!("`lesson` must name the book chapter file, e.g. \"first-service.md\", found `{}`", raw.lesson.get_ref()), "not a chapter file", None);
    }
    if raw.checks.is_empty() {
        e.push(0..0, "the lab has no checks", "", Some("add [[check]] tables; their points add up to 100"));
    }

    // Names the lab defines, for reference checks.
    let mut networks = BTreeSet::new();
    let mut volumes = BTreeSet::new();
    let mut services = BTreeSet::new();
    for c in &raw.checks {
        let c = c.get_ref();
        if let Some(n) = &c.network {
            networks.insert(n.get_ref().name.clone());
        }
        if let Some(v) = &c.volume {
            volumes.insert(v.get_ref().name.clone());
        }
        if let Some(s) = &c.service {
            if let Some(n) = &s.get_ref().name {
                services.insert(n.clone());
            }
        }
    }

    let mut seen: HashMap<String, Range<usize>> = HashMap::new();
    let mut total: i64 = 0;
    let mut checks = Vec::new();
    let last_points_span = raw.checks.last().map(|c| c.get_ref().points.span());
    for spanned in raw.checks {
        let span = spanned.span();
        let c = spanned.into_inner();
        let cid = c.id.get_ref().clone();
        if !is_id(&cid) {
            e.push(c.id.span(), format!("check id `{cid}` must be lower-case letters, digits and dashes"), "this id", None);
        }
        if let Some(first) = seen.get(&cid) {
            let (line, _) = crate::load::line_col(text, first.start);
            e.push(c.id.span(), format!("duplicate check id `{cid}` (first used on line {line})"), "used twice", Some("every check in a lab needs its own id"));
        } else {
            seen.insert(cid.clone(), c.id.span());
        }
        let points = *c.points.get_ref();
        if !(1..=TOTAL_POINTS).contains(&points) {
            e.push(c.points.span(), format!("check `{cid}` has {points} points; a check is worth 1 to {TOTAL_POINTS} points"), "out of range", None);
        }
        total += points;
        for (field, v) in [("title", &c.title), ("hint", &c.hint), ("fix", &c.fix)] {
            if v.get_ref().trim().is_empty() {
                e.push(v.span(), format!("check `{cid}` has an empty `{field}`"), "empty", None);
            }
        }
        let Some(assertion) = one_assertion(&mut e, text, &span, &cid, &c) else { continue };
        check_assertion(&mut e, text, &span, &cid, &assertion, &networks, &volumes, &services);
        checks.push(Check {
            id: cid,
            title: c.title.into_inner(),
            points: points.clamp(0, TOTAL_POINTS) as u32,
            assertion,
            hint: c.hint.into_inner(),
            fix: c.fix.into_inner(),
            wait: c.wait,
        });
    }
    if let Some(ps) = last_points_span {
        if total != TOTAL_POINTS {
            e.push(ps, format!("the checks' points add up to {total}, not {TOTAL_POINTS}"), "the last check's points", Some("adjust the points so every lab is graded out of 100"));
        }
    }

    if !e.list.is_empty() {
        e.list.sort_by_key(|x| (x.line, x.column));
        return Err(e.list);
    }
    Ok(Lab {
        id,
        title: raw.title.into_inner(),
        lesson: raw.lesson.into_inner(),
        goal: raw.goal.into_inner(),
        answer: Answer::parse(raw.answer.get_ref()),
        checks,
        source: path.to_path_buf(),
    })
}

fn one_assertion(e: &mut Errors, _text: &str, span: &Range<usize>, cid: &str, c: &RawCheck) -> Option<Assertion> {
    fn take<T: Clone>(v: &Option<Spanned<T>>) -> Option<(Range<usize>, T)> {
        v.as_ref().map(|s| (s.span(), s.get_ref().clone()))
    }
    let mut found: Vec<(Range<usize>, Assertion)> = Vec::new();
    if let Some((s, a)) = take(&c.swarm) { found.push((s, Assertion::Swarm(a))) }
    if let Some((s, a)) = take(&c.node) { found.push((s, Assertion::Node(a))) }
    if let Some((s, a)) = take(&c.service) { found.push((s, Assertion::Service(a))) }
    if let Some((s, a)) = take(&c.tasks) { found.push((s, Assertion::Tasks(a))) }
    if let Some((s, a)) = take(&c.network) { found.push((s, Assertion::Network(a))) }
    if let Some((s, a)) = take(&c.volume) { found.push((s, Assertion::Volume(a))) }
    if let Some((s, a)) = take(&c.secret) { found.push((s, Assertion::Secret(a))) }
    if let Some((s, a)) = take(&c.config) { found.push((s, Assertion::Config(a))) }
    match found.len() {
        0 => {
            e.push(c.id.span().start..c.id.span().end.max(span.start), format!("check `{cid}` makes no assertion"), "this check", Some(&format!("add one table such as [check.service]; the kinds are {}", ASSERTION_KINDS.join(", "))));
            None
        }
        1 => found.pop().map(|(_, a)| a),
        _ => {
            let kinds: Vec<&str> = found.iter().map(|(_, a)| a.kind()).collect();
            e.push(found[1].0.clone(), format!("check `{cid}` makes {} assertions ({}); a check makes exactly one", found.len(), kinds.join(", ")), "a second assertion", Some("split it into two checks"));
            None
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn check_assertion(
    e: &mut Errors,
    text: &str,
    span: &Range<usize>,
    cid: &str,
    a: &Assertion,
    networks: &BTreeSet<String>,
    volumes: &BTreeSet<String>,
    services: &BTreeSet<String>,
) {
    let empty = |s: &Option<String>| s.as_ref().is_some_and(|v| v.trim().is_empty());
    match a {
        Assertion::Service(s) => {
            if s.name.is_none() && s.image.is_none() {
                e.push(span.clone(), format!("check `{cid}`: a service assertion needs `name` or `image` to find the service"), "which service?", Some("use name = \"vote\", or image = \"alpine\" when the engine picks the name"));
            }
            if empty(&s.name) {
                e.push(find_key(text, span, "name"), format!("check `{cid}`: the service name is empty"), "empty", None);
            }
            for net in s.networks.iter().flatten() {
                if net != "ingress" && !networks.contains(net) {
                    let known = if networks.is_empty() { "none".to_string() } else { networks.iter().cloned().collect::<Vec<_>>().join(", ") };
                    e.push(find_quoted(text, span, net), format!("check `{cid}` puts the service on network `{net}`, which the lab never defines (networks defined: {known})"), "unknown network", Some("add a check with [check.network] name = \"…\" for it, or fix the name"));
                }
            }
            for m in s.mounts.iter().flatten() {
                if m.target.trim().is_empty() || !m.target.starts_with('/') {
                    e.push(find_key(text, span, "target"), format!("check `{cid}`: a mount target must be an absolute path, found `{}`", m.target), "not absolute", None);
                }
                if m.kind == Some(MountType::Volume) || m.kind.is_none() {
                    if let Some(src) = &m.source {
                        if m.kind == Some(MountType::Volume) && !volumes.contains(src) {
                            e.push(find_quoted(text, span, src), format!("check `{cid}` mounts volume `{src}`, which the lab never defines"), "unknown volume", Some("add a check with [check.volume] name = \"…\" for it, or fix the name"));
                        }
                    }
                }
            }
            for p in s.ports.iter().flatten() {
                if p.target == Some(0) {
                    e.push(find_key(text, span, "target"), format!("check `{cid}`: port 0 is not a port"), "port 0", Some("ports run from 1 to 65535"));
                }
                if let Some(c) = p.published {
                    if c.min == Some(0) && c.max == Some(0) || c.min.is_some_and(|m| m > 65535) || c.max.is_some_and(|m| m > 65535) {
                        e.push(find_key(text, span, "published"), format!("check `{cid}`: published port `{c}` is outside 1–65535"), "not a port", None);
                    }
                }
                if p.target.is_none() && p.published.is_none() {
                    e.push(find_key(text, span, "ports"), format!("check `{cid}`: each expected port needs `target` or `published`"), "which port?", None);
                }
            }
            for (k, _) in s.env.iter().flatten() {
                if k.is_empty() || k.contains('=') {
                    e.push(find_key(text, span, "env"), format!("check `{cid}`: `{k}` is not an environment variable name"), "bad name", None);
                }
            }
            for f in &s.exact {
                let stated = match f {
                    ExactField::Ports => s.ports.is_some(),
                    ExactField::Networks => s.networks.is_some(),
                    ExactField::Mounts => s.mounts.is_some(),
                    ExactField::Constraints => s.constraints.is_some(),
                    ExactField::Env => s.env.is_some(),
                };
                if !stated {
                    let name = serde_json::to_value(f).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
                    e.push(find_quoted(text, span, &name), format!("check `{cid}`: `exact` names `{name}` but the check states no {name}"), "nothing to match exactly", Some(&format!("add `{name} = [...]` (an empty list means none at all)")));
                }
            }
        }
        Assertion::Tasks(t) => {
            if t.service.is_none() && t.image.is_none() {
                e.push(span.clone(), format!("check `{cid}`: a tasks assertion needs `service` or `image`"), "which service?", None);
            }
            if t.replaced.is_none() && t.running.is_none() {
                e.push(span.clone(), format!("check `{cid}`: a tasks assertion needs `replaced` or `running`"), "nothing to check", None);
            }
        }
        Assertion::Network(n) if n.name.trim().is_empty() => {
            e.push(find_key(text, span, "name"), format!("check `{cid}`: the network name is empty"), "empty", None);
        }
        Assertion::Volume(v) => {
            if v.name.trim().is_empty() {
                e.push(find_key(text, span, "name"), format!("check `{cid}`: the volume name is empty"), "empty", None);
            }
            if let Some(svc) = &v.service {
                if !services.contains(svc) {
                    e.push(find_quoted(text, span, svc), format!("check `{cid}`: volume is mounted by service `{svc}`, which no service check of the lab names"), "unknown service", None);
                }
            }
        }
        Assertion::Secret(o) | Assertion::Config(o) if o.name.trim().is_empty() => {
            e.push(find_key(text, span, "name"), format!("check `{cid}`: the name is empty"), "empty", None);
        }
        Assertion::Node(n) if n.hostname.as_ref().is_some_and(|h| h.is_empty()) => {
            e.push(find_key(text, span, "hostname"), format!("check `{cid}`: the hostname pattern is empty"), "empty", None);
        }
        _ => {}
    }
}
