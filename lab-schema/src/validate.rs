//! The rules serde cannot express: ids, points adding up to 100, exactly one assertion per
//! check, and references (a service's network or volume) to objects the lab defines.

use crate::assertion::*;
use crate::diagnostic::LabError;
use crate::drill::{Drill, DrillExpect, Fault, RawDrill};
use crate::lab::{Answer, Check, Lab, RawCheck, RawLab};
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
        self.list.push(LabError::new(self.path, self.text, Some(span), message, label, help.map(str::to_string)));
    }
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// Where one assertion is written: `header` is what toml spans (the `[check.service]` line
/// or the inline table), `body` runs from there to the next `[[check]]`, so that a problem
/// can be pointed at the key or value that causes it.
struct Place {
    header: Range<usize>,
    body: Range<usize>,
}

impl Place {
    /// The first `"needle"` (quoted) in the body, else the header.
    fn quoted(&self, text: &str, needle: &str) -> Range<usize> {
        let hay = &text[self.body.clone()];
        for q in ['"', '\''] {
            let pat = format!("{q}{needle}{q}");
            if let Some(i) = hay.find(&pat) {
                let start = self.body.start + i;
                return start..start + pat.len();
            }
        }
        self.header.clone()
    }

    /// The first `key = …` in the body, else the header.
    fn key(&self, text: &str, key: &str) -> Range<usize> {
        let hay = &text[self.body.clone()];
        let mut from = 0;
        while let Some(i) = hay[from..].find(key) {
            let at = from + i;
            let before = at.checked_sub(1).map(|b| hay.as_bytes()[b]);
            let before_ok = before.is_none_or(|b| !b.is_ascii_alphanumeric() && b != b'_' && b != b'-');
            if before_ok && hay[at + key.len()..].trim_start_matches([' ', '\t']).starts_with('=') {
                return self.body.start + at..self.body.start + at + key.len();
            }
            from = at + key.len();
        }
        self.header.clone()
    }
}

/// The byte range each check occupies: from its `[[check]]` to the next one (or the end).
fn check_bodies(text: &str, checks: &[Spanned<RawCheck>]) -> Vec<Range<usize>> {
    let starts: Vec<usize> = checks.iter().map(|c| c.span().start.min(text.len())).collect();
    starts
        .iter()
        .enumerate()
        .map(|(i, &start)| {
            let end = starts.get(i + 1).copied().filter(|&n| n >= start).unwrap_or(text.len());
            start..end
        })
        .collect()
}

pub(crate) fn validate(path: &Path, text: &Arc<String>, raw: RawLab) -> Result<Lab, Vec<LabError>> {
    let mut e = Errors { path, text, list: Vec::new() };

    let id = raw.id.get_ref().clone();
    let stem = path.file_stem().and_then(|s| s.to_str()).filter(|_| path.extension().is_some_and(|x| x == "toml"));
    if !is_id(&id) {
        let example = stem.filter(|s| is_id(s)).unwrap_or("day6-voting-app");
        e.push(
            raw.id.span(),
            format!("lab id `{id}` must be lower-case letters, digits and dashes"),
            "this id",
            Some(&format!("e.g. id = \"{example}\"; the file is then {example}.toml")),
        );
    } else if let Some(stem) = stem.filter(|s| *s != id) {
        e.push(
            raw.id.span(),
            format!("lab id `{id}` does not match its file name `{stem}.toml`"),
            "this id",
            Some(&format!("rename the file to {id}.toml or set id = \"{stem}\"")),
        );
    }
    for (field, v) in [("title", &raw.title), ("lesson", &raw.lesson), ("goal", &raw.goal), ("answer", &raw.answer)] {
        if v.get_ref().trim().is_empty() {
            e.push(v.span(), format!("`{field}` is empty"), "empty", None);
        }
    }
    if !raw.lesson.get_ref().trim().is_empty() && !raw.lesson.get_ref().ends_with(".md") {
        e.push(
            raw.lesson.span(),
            format!(
                "`lesson` must name the book chapter file, e.g. \"first-service.md\", found `{}`",
                raw.lesson.get_ref()
            ),
            "not a chapter file",
            Some("the file name of the chapter in book/src that teaches this lab"),
        );
    }
    if raw.checks.is_empty() {
        let end = text.trim_end().len();
        e.push(
            end..end,
            "the lab has no checks",
            "no [[check]] table in the file",
            Some("add [[check]] tables, each with one assertion; their points add up to 100"),
        );
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
    let refs = Defined { networks, volumes, services };

    let mut seen: HashMap<String, Range<usize>> = HashMap::new();
    let mut total: i64 = 0;
    let mut points_out_of_range = false;
    let mut checks = Vec::new();
    let last_points_span = raw.checks.last().map(|c| c.get_ref().points.span());
    let bodies = check_bodies(text, &raw.checks);
    for (spanned, body) in raw.checks.into_iter().zip(bodies) {
        let c = spanned.into_inner();
        let cid = c.id.get_ref().clone();
        if !is_id(&cid) {
            e.push(
                c.id.span(),
                format!("check id `{cid}` must be lower-case letters, digits and dashes"),
                "this id",
                Some("e.g. id = \"scaled-to-3\"; the runner and the book refer to checks by id"),
            );
        }
        if let Some(first) = seen.get(&cid) {
            let (line, _) = crate::diagnostic::line_col(text, first.start);
            e.push(
                c.id.span(),
                format!("duplicate check id `{cid}` (first used on line {line})"),
                "used twice",
                Some("every check in a lab needs its own id"),
            );
        } else {
            seen.insert(cid.clone(), c.id.span());
        }
        let points = *c.points.get_ref();
        if !(1..=TOTAL_POINTS).contains(&points) {
            points_out_of_range = true;
            e.push(
                c.points.span(),
                format!("check `{cid}` has {points} points; a check is worth 1 to {TOTAL_POINTS} points"),
                "out of range",
                Some("the points of all checks add up to 100"),
            );
        }
        // Saturating: two checks of i64::MAX points must be an error, not an overflow.
        total = total.saturating_add(points);
        for (field, v) in [("title", &c.title), ("hint", &c.hint), ("fix", &c.fix)] {
            if v.get_ref().trim().is_empty() {
                e.push(v.span(), format!("check `{cid}` has an empty `{field}`"), "empty", None);
            }
        }
        let Some((header, assertion)) = one_assertion(&mut e, &cid, &c) else { continue };
        let body = if header.start >= body.start && header.start <= body.end {
            header.start..body.end
        } else {
            header.clone()
        };
        check_assertion(&mut e, text, &Place { header, body }, &cid, &assertion, &refs);
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
        // A check out of range is reported on its own; the sum would only repeat it.
        if total != TOTAL_POINTS && !points_out_of_range {
            e.push(
                ps,
                format!("the checks' points add up to {total}, not {TOTAL_POINTS}"),
                "the last check's points",
                Some("adjust the points so every lab is graded out of 100"),
            );
        }
    }

    let drills = validate_drills(&mut e, raw.drills, &refs);

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
        drills,
        fixes: raw.fixes.unwrap_or(true),
        source: path.to_path_buf(),
    })
}

/// The `[[drill]]` tables: ids, texts, a service the lab's checks name (or an image) for
/// the faults that act on one, expectations in range.
fn validate_drills(e: &mut Errors, raw: Vec<Spanned<RawDrill>>, defined: &Defined) -> Vec<Drill> {
    let mut seen: HashMap<String, Range<usize>> = HashMap::new();
    let mut drills = Vec::new();
    for spanned in raw {
        let table = spanned.span();
        let d = spanned.into_inner();
        let did = d.id.get_ref().clone();
        if !is_id(&did) {
            e.push(
                d.id.span(),
                format!("drill id `{did}` must be lower-case letters, digits and dashes"),
                "this id",
                Some("e.g. id = \"task-killed\"; `lab drill LAB --only ID` names drills by id"),
            );
        }
        if let Some(first) = seen.get(&did) {
            let (line, _) = crate::diagnostic::line_col(e.text, first.start);
            e.push(
                d.id.span(),
                format!("duplicate drill id `{did}` (first used on line {line})"),
                "used twice",
                Some("every drill in a lab needs its own id"),
            );
        } else {
            seen.insert(did.clone(), d.id.span());
        }
        for (field, v) in [("title", &d.title), ("hint", &d.hint)] {
            if v.get_ref().trim().is_empty() {
                e.push(v.span(), format!("drill `{did}` has an empty `{field}`"), "empty", None);
            }
        }
        let fault = *d.fault.get_ref();
        if let (Some(s), Some(i)) = (&d.service, &d.image) {
            let later = if s.span().start > i.span().start { s.span() } else { i.span() };
            e.push(
                later,
                format!("drill `{did}` names its service twice, by `service` and by `image`"),
                "one of them",
                Some("use service = \"vote\", or image = \"alpine:*\" when the engine picks the name"),
            );
        }
        if fault.needs_service() && d.service.is_none() && d.image.is_none() {
            e.push(
                d.fault.span(),
                format!("drill `{did}`: the fault `{fault}` acts on a service, and the drill names none"),
                "which service?",
                Some("add service = \"vote\" (a service a check of the lab names), or image = \"alpine:*\""),
            );
        }
        let service_named = |e: &mut Errors, name: &Spanned<String>, what: &str| {
            if !defined.services.contains(name.get_ref()) {
                e.push(
                    name.span(),
                    format!(
                        "drill `{did}` {what} service `{}`, which no service check of the lab names (services named: {})",
                        name.get_ref(),
                        listed(&defined.services)
                    ),
                    "unknown service",
                    Some("a drill tests what the lab builds: name a service of a [check.service], or fix the name"),
                );
            }
        };
        if let Some(s) = &d.service {
            service_named(e, s, "acts on");
        }
        for (port, span) in [
            d.probe.as_ref().map(|p| (p.get_ref().port, p.span())),
            d.data.as_ref().map(|p| (p.get_ref().port, p.span())),
        ]
        .into_iter()
        .flatten()
        {
            if port == 0 {
                e.push(
                    span,
                    format!("drill `{did}`: port 0 is not a port"),
                    "port 0",
                    Some("ports run from 1 to 65535"),
                );
            }
        }
        if let Some(p) = &d.probe {
            match &p.get_ref().service {
                Some(name) if !defined.services.contains(name) => {
                    e.push(
                        p.span(),
                        format!("drill `{did}` probes service `{name}`, which no service check of the lab names (services named: {})", listed(&defined.services)),
                        "unknown service",
                        Some("name a service of a [check.service], or fix the name"),
                    );
                }
                None if d.service.is_none() => {
                    e.push(
                        p.span(),
                        format!("drill `{did}` probes a port but names no service to probe"),
                        "which service?",
                        Some("add service = \"…\" to the drill or to its probe"),
                    );
                }
                _ => {}
            }
        }
        if let Some(data) = &d.data {
            if !defined.services.contains(&data.get_ref().service) {
                e.push(
                    data.span(),
                    format!("drill `{did}` reads a count from service `{}`, which no service check of the lab names (services named: {})", data.get_ref().service, listed(&defined.services)),
                    "unknown service",
                    Some("name a service of a [check.service], or fix the name"),
                );
            }
            if data.get_ref().counts.trim().is_empty() {
                e.push(
                    data.span(),
                    format!("drill `{did}`: `counts` is empty"),
                    "empty",
                    Some("the word after the number on the page, e.g. counts = \"votes\""),
                );
            }
        }
        let expect = d.expect.as_ref().map(|x| x.get_ref().clone()).unwrap_or_default();
        let expect_span = d.expect.as_ref().map(|x| x.span()).unwrap_or(table.clone());
        if let Some(a) = expect.availability {
            if !(0.0..=1.0).contains(&a) || a.is_nan() {
                e.push(
                    expect_span.clone(),
                    format!("drill `{did}`: availability {a} is outside 0 to 1"),
                    "not a share",
                    Some("the share of probes answered: availability = 0.99 means 99 in 100"),
                );
            }
            if d.probe.is_none() {
                e.push(
                    expect_span.clone(),
                    format!("drill `{did}` expects an availability but probes nothing"),
                    "nothing to measure it with",
                    Some("add probe = { port = 80 } (the port the service's containers listen on)"),
                );
            }
        }
        if expect.recovery.is_some_and(|r| r.0.is_zero()) {
            e.push(
                expect_span.clone(),
                format!("drill `{did}`: a recovery of 0s cannot be met"),
                "zero",
                Some("e.g. recovery = \"30s\""),
            );
        }
        if expect.quorum.is_some() && fault != Fault::ManagerLoss {
            e.push(
                expect_span.clone(),
                format!("drill `{did}`: `quorum` is what `manager-loss` measures, not `{fault}`"),
                "not measured",
                Some("drop it, or use fault = \"manager-loss\""),
            );
        }
        if expect == DrillExpect::default() && d.data.is_none() {
            e.push(
                expect_span,
                format!("drill `{did}` expects nothing, so it could never fail"),
                "no expectation",
                Some("add expect = { recovery = \"30s\" } or an availability, or data = { … } for an informational drill"),
            );
        }
        drills.push(Drill {
            id: did,
            title: d.title.into_inner(),
            fault,
            service: d.service.map(Spanned::into_inner),
            image: d.image.map(Spanned::into_inner),
            probe: d.probe.map(Spanned::into_inner),
            data: d.data.map(Spanned::into_inner),
            expect,
            hint: d.hint.into_inner(),
            informational: d.informational,
        });
    }
    drills
}

/// The names the lab's own checks define, which other checks may refer to.
struct Defined {
    networks: BTreeSet<String>,
    volumes: BTreeSet<String>,
    services: BTreeSet<String>,
}

fn listed(names: &BTreeSet<String>) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
    }
}

/// The check's one assertion and the span of its table, or a diagnostic for none or several.
fn one_assertion(e: &mut Errors, cid: &str, c: &RawCheck) -> Option<(Range<usize>, Assertion)> {
    fn take<T: Clone>(v: &Option<Spanned<T>>) -> Option<(Range<usize>, T)> {
        v.as_ref().map(|s| (s.span(), s.get_ref().clone()))
    }
    let mut found: Vec<(Range<usize>, Assertion)> = Vec::new();
    if let Some((s, a)) = take(&c.swarm) {
        found.push((s, Assertion::Swarm(a)))
    }
    if let Some((s, a)) = take(&c.node) {
        found.push((s, Assertion::Node(a)))
    }
    if let Some((s, a)) = take(&c.service) {
        found.push((s, Assertion::Service(a)))
    }
    if let Some((s, a)) = take(&c.tasks) {
        found.push((s, Assertion::Tasks(a)))
    }
    if let Some((s, a)) = take(&c.network) {
        found.push((s, Assertion::Network(a)))
    }
    if let Some((s, a)) = take(&c.volume) {
        found.push((s, Assertion::Volume(a)))
    }
    if let Some((s, a)) = take(&c.secret) {
        found.push((s, Assertion::Secret(a)))
    }
    if let Some((s, a)) = take(&c.config) {
        found.push((s, Assertion::Config(a)))
    }
    // Report the later table, the one to move out, and keep the order of the file.
    found.sort_by_key(|(s, _)| s.start);
    match found.len() {
        0 => {
            e.push(
                c.id.span(),
                format!("check `{cid}` makes no assertion"),
                "this check",
                Some(&format!(
                    "add one assertion table such as [check.service]; the kinds are {}",
                    ASSERTION_KINDS.join(", ")
                )),
            );
            None
        }
        1 => found.pop(),
        _ => {
            let kinds: Vec<&str> = found.iter().map(|(_, a)| a.kind()).collect();
            e.push(
                found[1].0.clone(),
                format!(
                    "check `{cid}` makes {} assertions ({}); a check makes exactly one",
                    found.len(),
                    kinds.join(", ")
                ),
                "a second assertion",
                Some("split it into two [[check]] tables, each with its own id and points"),
            );
            None
        }
    }
}

fn check_assertion(e: &mut Errors, text: &str, at: &Place, cid: &str, a: &Assertion, defined: &Defined) {
    let empty = |s: &Option<String>| s.as_ref().is_some_and(|v| v.trim().is_empty());
    match a {
        Assertion::Service(s) => {
            if s.name.is_none() && s.image.is_none() {
                e.push(
                    at.header.clone(),
                    format!("check `{cid}`: a service assertion needs `name` or `image` to find the service"),
                    "which service?",
                    Some("use name = \"vote\", or image = \"alpine:*\" when the engine picks the name"),
                );
            }
            if empty(&s.name) {
                e.push(at.key(text, "name"), format!("check `{cid}`: the service name is empty"), "empty", None);
            }
            for net in s.networks.iter().flatten() {
                if net != "ingress" && !defined.networks.contains(net) {
                    e.push(at.quoted(text, net), format!("check `{cid}` puts the service on network `{net}`, which the lab never defines (networks defined: {})", listed(&defined.networks)), "unknown network", Some("add a check with [check.network] name = \"…\" for it, or fix the name"));
                }
            }
            for m in s.mounts.iter().flatten() {
                if !m.target.starts_with('/') {
                    let place = if m.target.is_empty() { at.key(text, "target") } else { at.quoted(text, &m.target) };
                    e.push(
                        place,
                        format!("check `{cid}`: a mount target must be an absolute path, found `{}`", m.target),
                        "not absolute",
                        Some("the path inside the container, e.g. target = \"/var/lib/postgresql/data\""),
                    );
                }
                if let (Some(MountType::Volume), Some(src)) = (m.kind, &m.source) {
                    if !defined.volumes.contains(src) {
                        e.push(at.quoted(text, src), format!("check `{cid}` mounts volume `{src}`, which the lab never defines (volumes defined: {})", listed(&defined.volumes)), "unknown volume", Some("add a check with [check.volume] name = \"…\" for it, or fix the name"));
                    }
                }
            }
            for p in s.ports.iter().flatten() {
                if p.target == Some(0) {
                    e.push(
                        at.key(text, "target"),
                        format!("check `{cid}`: port 0 is not a port"),
                        "port 0",
                        Some("ports run from 1 to 65535"),
                    );
                }
                if let Some(c) = p.published {
                    if c.min == Some(0) && c.max == Some(0)
                        || c.min.is_some_and(|m| m > 65535)
                        || c.max.is_some_and(|m| m > 65535)
                    {
                        e.push(
                            at.key(text, "published"),
                            format!("check `{cid}`: published port `{c}` is outside 1–65535"),
                            "not a port",
                            Some("ports run from 1 to 65535; `{ min = 1024 }` means a high port"),
                        );
                    }
                }
                if p.target.is_none() && p.published.is_none() {
                    e.push(
                        at.key(text, "ports"),
                        format!("check `{cid}`: each expected port needs `target` or `published`"),
                        "which port?",
                        None,
                    );
                }
            }
            if s.env_any.as_ref().is_some_and(|v| v.is_empty()) {
                e.push(
                    at.key(text, "env_any"),
                    format!("check `{cid}`: `env_any` lists no variables"),
                    "empty list",
                    Some("name the alternatives, e.g. env_any = [\"POSTGRES_PASSWORD\", \"POSTGRES_PASSWORD_FILE\"]"),
                );
            }
            for k in s.env_any.iter().flatten() {
                if k.is_empty() || k.contains('=') {
                    e.push(
                        at.key(text, "env_any"),
                        format!("check `{cid}`: `{k}` is not an environment variable name"),
                        "bad name",
                        None,
                    );
                }
            }
            for (k, _) in s.env.iter().flatten() {
                if k.is_empty() || k.contains('=') {
                    e.push(
                        at.key(text, "env"),
                        format!("check `{cid}`: `{k}` is not an environment variable name"),
                        "bad name",
                        Some("write env = { NAME = \"value\" }; the key is the name alone"),
                    );
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
                    let name =
                        serde_json::to_value(f).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
                    e.push(
                        at.quoted(text, &name),
                        format!("check `{cid}`: `exact` names `{name}` but the check states no {name}"),
                        "nothing to match exactly",
                        Some(&format!(
                            "add `{name} = [...]` (an empty list means none at all), or drop it from `exact`"
                        )),
                    );
                }
            }
        }
        Assertion::Tasks(t) => {
            if t.service.is_none() && t.image.is_none() {
                e.push(
                    at.header.clone(),
                    format!("check `{cid}`: a tasks assertion needs `service` or `image` to find the service"),
                    "which service?",
                    Some("use service = \"web\", or image = \"alpine:*\" when the engine picks the name"),
                );
            }
            if t.replaced.is_none() && t.running.is_none() {
                e.push(
                    at.header.clone(),
                    format!("check `{cid}`: a tasks assertion needs `replaced` or `running`"),
                    "nothing to check",
                    Some("e.g. replaced = { min = 1 }: swarm replaced at least one failed task"),
                );
            }
        }
        Assertion::Network(n) if n.name.trim().is_empty() => {
            e.push(at.key(text, "name"), format!("check `{cid}`: the network name is empty"), "empty", None);
        }
        Assertion::Volume(v) => {
            if v.name.trim().is_empty() {
                e.push(at.key(text, "name"), format!("check `{cid}`: the volume name is empty"), "empty", None);
            }
            if let Some(svc) = &v.service {
                if !defined.services.contains(svc) {
                    e.push(at.quoted(text, svc), format!("check `{cid}`: volume is mounted by service `{svc}`, which no service check of the lab names (services named: {})", listed(&defined.services)), "unknown service", Some("add a [check.service] with this name, or fix the name"));
                }
            }
        }
        Assertion::Secret(o) | Assertion::Config(o) if o.name.trim().is_empty() => {
            e.push(at.key(text, "name"), format!("check `{cid}`: the name is empty"), "empty", None);
        }
        Assertion::Node(n) if n.hostname.as_ref().is_some_and(|h| h.is_empty()) => {
            e.push(at.key(text, "hostname"), format!("check `{cid}`: the hostname pattern is empty"), "empty", None);
        }
        _ => {}
    }
}
