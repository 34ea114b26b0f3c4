//! Fix commands computed from the state found: for each failing check, the docker CLI
//! lines a learner pastes, in order, to get from *their* swarm to a passing check.
//!
//! The lab's assertions say what must hold; the [`Snapshot`] says what is there; where the
//! lab allows several values (a high port, any tag, a password) the reference answer's
//! choice is taken. Checks are planned in report order against a model of the
//! swarm that every planned command changes, so a later check sees what earlier fixes
//! leave behind: nothing is created twice, nothing an earlier fix set is undone. Objects are
//! updated in place (`docker service update --replicas/--publish-rm/--network-add/…`);
//! `create` is used only for what is missing; what cannot change in place (a network's
//! driver, a service's mode) is removed and created again, with whatever depended on it.
//!
//! Where no command run against this engine can fix a check (a node that has not joined),
//! the lab file's own `fix` text is offered, unless it holds a `<placeholder>`.
//!
//! Layering: this crate reads `lab-grader`'s evaluation (its snapshot, report and lookups);
//! grading calls back into it only through [`PLAN`], a `lab_grader::PlanFixes` the `lab`
//! binary hands to `CheckOptions`/`WatchOptions` when fixes are asked for.

mod model;
pub mod shell;
mod spec;

use bollard::models::{Node, TaskState};
use lab_grader::evaluate::{evaluate_check, Ctx};
use lab_grader::report::{Report, Status};
use lab_grader::snapshot::Snapshot;
use lab_i18n::{words, Language};
use lab_schema::*;
use model::{Model, PLANNED};
use spec::{NoFix, ServiceSpec};

/// [`attach_in`] as grading takes it (`CheckOptions::fixes`, `WatchOptions::fixes`).
pub const PLAN: lab_grader::PlanFixes = attach_in;

/// Fills `fix` (and, when there is none, `fix_note`) of every failed check of `report`;
/// fix notes in English.
pub fn attach(lab: &Lab, snap: &Snapshot, report: &mut Report) {
    attach_in(lab, snap, report, Language::english())
}

/// [`attach`], with fix notes in `lang` (the commands are the same in every language).
pub fn attach_in(lab: &Lab, snap: &Snapshot, report: &mut Report, lang: Language) {
    let mut plan = Planner::new(lab, snap);
    for c in report.checks.iter_mut().filter(|c| c.status == Status::Fail) {
        let Some(check) = lab.check(&c.id) else { continue };
        match plan.fix(check) {
            Ok(lines) if lines.is_empty() => {
                c.fix_note = Some(lang.tr(words::FIXED_BY_THE_FIXES_ABOVE).into_owned());
            }
            Ok(lines) => c.fix = Some(lines.join("\n")),
            Err(_) if plan.fallback(check) => c.fix = Some(check.fix.trim().to_string()),
            Err(why) => c.fix_note = Some(lang.fill(words::NO_COMMAND_FIXES_THIS, &[("why", &why.text(lang))])),
        }
    }
}

struct Planner<'a> {
    lab: &'a Lab,
    model: Model,
    /// The `docker service create` lines of the reference answer.
    answers: Vec<ServiceSpec>,
}

fn image_matches(image: &str, m: &ImageMatch) -> bool {
    ImageRef::parse(image).is_ok_and(|r| m.matches(&r))
}

fn is_running(t: &bollard::models::Task) -> bool {
    t.status.as_ref().and_then(|s| s.state) == Some(TaskState::RUNNING)
}

impl<'a> Planner<'a> {
    fn new(lab: &'a Lab, snap: &Snapshot) -> Planner<'a> {
        let answers = lab
            .answer
            .steps
            .iter()
            .filter(|s| s.node.is_none() && !s.command.contains('<'))
            .filter_map(|s| ServiceSpec::from_create_line(&s.command))
            .collect();
        Planner { lab, model: Model::new(snap), answers }
    }

    fn fails(&self, check: &Check) -> bool {
        evaluate_check(check, &self.model.snap).status == Status::Fail
    }

    /// The lines that fix `check`, given the fixes planned before it. Empty when those
    /// already do. Either the whole fix is planned or none of it.
    fn fix(&mut self, check: &Check) -> Result<Vec<String>, NoFix> {
        if !self.fails(check) {
            return Ok(Vec::new());
        }
        let saved = self.model.snap.clone();
        let mut out = Vec::new();
        let planned = match &check.assertion {
            Assertion::Service(a) => self.service(a, &mut out),
            Assertion::Tasks(a) => self.tasks(a, &mut out),
            Assertion::Network(a) => self.network(a, &mut out),
            Assertion::Volume(a) => self.volume(a, &mut out),
            Assertion::Node(a) => self.nodes(a, &mut out),
            Assertion::Swarm(a) => self.swarm(a, &mut out),
            Assertion::Secret(a) => self.object(a, "secret", &mut out),
            Assertion::Config(a) => self.object(a, "config", &mut out),
        };
        let result = planned.and_then(|()| {
            if self.fails(check) {
                Err(NoFix::from(words::NOTHING_HERE_CAN_SET_IT))
            } else {
                Ok(out)
            }
        });
        if result.is_err() {
            self.model.snap = saved;
        }
        result
    }

    /// Whether the lab file's own `fix` text may stand in for a computed fix: every line is
    /// a `docker network create` or `docker service create` this model can run (no
    /// `<placeholder>`, nothing that exists already), and after them the check passes.
    fn fallback(&mut self, check: &Check) -> bool {
        let saved = self.model.snap.clone();
        let ok = !check.fix.contains('<')
            && check.fix.lines().filter(|l| !l.trim().is_empty()).all(|l| self.run_fallback_line(l.trim()))
            && !self.fails(check);
        if !ok {
            self.model.snap = saved;
        }
        ok
    }

    fn run_fallback_line(&mut self, line: &str) -> bool {
        if let Some(s) = ServiceSpec::from_create_line(line) {
            let networks_ok = s.networks.iter().all(|n| {
                self.model
                    .snap
                    .networks
                    .iter()
                    .any(|x| x.name.as_deref() == Some(n) && x.scope.as_deref() == Some("swarm"))
            });
            if s.name.is_empty() || self.model.spec(&s.name).is_some() || !networks_ok {
                return false;
            }
            self.model.put_service(&s);
            return true;
        }
        let words = shell::split(line);
        let Some(rest) = words.strip_prefix(&["docker".to_string(), "network".into(), "create".into()]) else {
            return false;
        };
        let (mut driver, mut name) = ("bridge".to_string(), None);
        let mut i = 0;
        while i < rest.len() {
            match rest[i].as_str() {
                "-d" | "--driver" => {
                    driver = rest.get(i + 1).cloned().unwrap_or_default();
                    i += 1;
                }
                w if w.starts_with('-') => return false,
                w => name = Some(w.to_string()),
            }
            i += 1;
        }
        let Some(name) = name.filter(|n| self.model.network_name(n).is_none()) else { return false };
        let scope = if driver == "overlay" { "swarm" } else { "local" };
        self.model.put_network(&name, &driver, scope, false, false, false);
        true
    }

    /// The answer's create line for a service called `name`, or running one of `image`.
    fn answer_for(&self, name: Option<&str>, image: Option<&ImageMatch>) -> Option<&ServiceSpec> {
        name.and_then(|n| self.answers.iter().find(|s| s.name == n)).or_else(|| {
            let img = image?;
            self.answers
                .iter()
                .find(|s| image_matches(&s.image, img) && name.is_none_or(|n| s.name.is_empty() || s.name == n))
        })
    }

    /// The service the lab calls `name` (exactly, or as `<stack>_name`).
    fn service_named(&self, name: &str) -> Option<String> {
        self.model.ctx().service_named(name).map(|s| Ctx::service_name(s).to_string())
    }

    /// A new service that passes every service check of the lab about it.
    fn new_spec(&self, name: Option<&str>, image: Option<&ImageMatch>) -> Result<ServiceSpec, NoFix> {
        let answer = self.answer_for(name, image);
        let mut s = answer.cloned().unwrap_or_default();
        if let Some(n) = name {
            s.name = n.to_string();
        }
        for c in &self.lab.checks {
            match &c.assertion {
                Assertion::Service(a)
                    if (name.is_some() && a.name.as_deref() == name)
                        || (name.is_none() && a.name.is_none() && a.image.as_ref() == image) =>
                {
                    s.conform(a, answer)?
                }
                Assertion::Tasks(t) if t.running.is_some() && (t.service.as_deref() == name && name.is_some()) => {
                    s.conform(&ServiceAssertion { running: t.running, ..Default::default() }, answer)?
                }
                _ => {}
            }
        }
        if s.image.is_empty() {
            s.image =
                image.and_then(|m| m.0.first()).map(spec::pattern_image).ok_or(words::NO_IMAGE_TO_CREATE_IT_FROM)?;
        }
        if s.name.is_empty() {
            let base = ImageRef::parse(&s.image)
                .map(|r| r.repository.rsplit('/').next().unwrap_or("service").to_string())
                .unwrap_or_else(|_| "service".into());
            let taken = self.model.service_names();
            s.name = std::iter::once(base.clone())
                .chain((2..).map(|i| format!("{base}-{i}")))
                .find(|n| !taken.contains(n))
                .unwrap_or(base);
        }
        Ok(s)
    }

    /// Networks a service spec names exist, as overlays a service can join.
    fn ensure_networks(&mut self, s: &mut ServiceSpec, out: &mut Vec<String>) -> Result<(), NoFix> {
        for n in s.networks.iter_mut() {
            let found =
                self.model.snap.networks.iter().find(|x| {
                    lab_grader::evaluate::name_matches(x.name.as_deref().unwrap_or(""), x.labels.as_ref(), n)
                });
            match found {
                Some(x) if x.scope.as_deref() == Some("swarm") => *n = x.name.clone().unwrap_or_default(),
                Some(_) => {
                    let want = self.network_check(n);
                    self.recreate_network(&want, out)?;
                }
                None => {
                    let want = self.network_check(n);
                    self.create_network(&want, out);
                }
            }
        }
        Ok(())
    }

    /// What the lab says about network `name`, or an overlay.
    fn network_check(&self, name: &str) -> NetworkAssertion {
        self.lab
            .checks
            .iter()
            .find_map(|c| match &c.assertion {
                Assertion::Network(a) if a.name == name => Some(a.clone()),
                _ => None,
            })
            .unwrap_or_else(|| NetworkAssertion { name: name.to_string(), ..Default::default() })
    }

    /// A service created again from what the learner had may print only environment
    /// values the lab or its answer gives: reports never show the values a learner set.
    fn printable(&self, s: &ServiceSpec) -> Result<(), NoFix> {
        let answer = self.answer_for(Some(&s.name), None);
        let from_lab = |k: &str, v: &str| {
            self.lab.checks.iter().any(|c| match &c.assertion {
                Assertion::Service(a) => {
                    a.env.as_ref().and_then(|e| e.get(k)).is_some_and(|e| *e == EnvExpectation::Value(v.to_string()))
                }
                _ => false,
            })
        };
        match s.env.iter().find(|(k, v)| {
            answer.and_then(|a| a.env.iter().find(|(n, _)| n == k)).is_none_or(|(_, x)| x != v) && !from_lab(k, v)
        }) {
            Some((k, _)) => Err(NoFix::new(words::WOULD_PRINT_AN_ENV_VALUE, &[("service", &s.name), ("name", k)])),
            None => Ok(()),
        }
    }

    /// Frees the published ports `s` adds that another service holds.
    fn free_ports(&mut self, s: &ServiceSpec, out: &mut Vec<String>) {
        let current = self.model.spec(&s.name);
        for p in &s.ports {
            let Some(pp) = p.published else { continue };
            if current.as_ref().is_some_and(|c| c.ports.iter().any(|x| x.published == Some(pp))) {
                continue;
            }
            for other in self.model.service_names().into_iter().filter(|n| *n != s.name) {
                let Some(cur) = self.model.spec(&other) else { continue };
                if !cur.ports.iter().any(|x| x.published == Some(pp) && x.protocol == p.protocol) {
                    continue;
                }
                let mut freed = cur.clone();
                freed.ports.retain(|x| !(x.published == Some(pp) && x.protocol == p.protocol));
                out.extend(cur.update_lines(&freed));
                self.model.put_service(&freed);
            }
        }
    }

    fn create_service(&mut self, mut s: ServiceSpec, out: &mut Vec<String>) -> Result<String, NoFix> {
        self.ensure_networks(&mut s, out)?;
        self.free_ports(&s, out);
        out.push(s.create_line());
        self.model.put_service(&s);
        Ok(s.name)
    }

    /// Moves service `name` from `cur` to `des`: an update, or remove and create when
    /// the mode changes (it cannot be updated).
    fn change_service(&mut self, cur: &ServiceSpec, mut des: ServiceSpec, out: &mut Vec<String>) -> Result<(), NoFix> {
        // Tasks that are not running for a reason the lab does not name (postgres without
        // a password): what the answer sets for this service is the best guess.
        if !cur.global && self.running_count(&cur.name) < cur.replicas.min(des.replicas) {
            if let Some(ans) = self.answer_for(Some(&cur.name), None).cloned() {
                des.add_answer_env(&ans);
            }
        }
        if cur == &des {
            return Ok(());
        }
        self.ensure_networks(&mut des, out)?;
        self.free_ports(&des, out);
        if cur.global != des.global {
            self.printable(&des)?;
            out.push(shell::join(&["docker", "service", "rm", &cur.name]));
            self.model.remove_service(&cur.name);
            out.push(des.create_line());
        } else {
            out.extend(cur.update_lines(&des));
        }
        self.model.put_service(&des);
        Ok(())
    }

    fn running_count(&self, name: &str) -> u64 {
        let ctx = self.model.ctx();
        ctx.service_named(name)
            .map(|s| {
                ctx.tasks_of(s).iter().filter(|t| is_running(t) && t.desired_state == Some(TaskState::RUNNING)).count()
            })
            .unwrap_or(0) as u64
    }

    fn service(&mut self, a: &ServiceAssertion, out: &mut Vec<String>) -> Result<(), NoFix> {
        let answer = self.answer_for(a.name.as_deref(), a.image.as_ref()).cloned();
        let target = match (&a.name, &a.image) {
            (Some(n), _) => self.service_named(n),
            (None, Some(img)) => {
                // The candidate the fewest changes away.
                let mut best: Option<(usize, String)> = None;
                for name in self.model.service_names() {
                    let Some(cur) = self.model.spec(&name) else { continue };
                    if !image_matches(&cur.image, img) {
                        continue;
                    }
                    let mut des = cur.clone();
                    if des.conform(a, answer.as_ref()).is_err() {
                        continue;
                    }
                    let cost = cur.update_lines(&des).join(" ").len();
                    if best.as_ref().is_none_or(|(c, _)| cost < *c) {
                        best = Some((cost, name));
                    }
                }
                best.map(|(_, n)| n)
            }
            (None, None) => return Err(words::THE_CHECK_NAMES_NO_SERVICE.into()),
        };
        let Some(name) = target else {
            if let Some(n) = &a.name {
                self.remove_misnamed(n, a.image.as_ref(), out);
            }
            let s = self.new_spec(a.name.as_deref(), a.image.as_ref())?;
            self.create_service(s, out)?;
            return Ok(());
        };
        let cur = self.model.spec(&name).ok_or(words::THE_SERVICE_VANISHED)?;
        let mut des = cur.clone();
        des.conform(a, answer.as_ref())?;
        self.change_service(&cur, des, out)
    }

    /// Removes services whose names are close to `name` (`votes`, `results`, `Vote`) and
    /// that no check of the lab asks for by their own name.
    fn remove_misnamed(&mut self, name: &str, image: Option<&ImageMatch>, out: &mut Vec<String>) {
        let checked: Vec<&str> = self
            .lab
            .checks
            .iter()
            .filter_map(|c| match &c.assertion {
                Assertion::Service(a) => a.name.as_deref(),
                Assertion::Tasks(a) => a.service.as_deref(),
                Assertion::Volume(a) => a.service.as_deref(),
                Assertion::Secret(a) | Assertion::Config(a) => a.service.as_deref(),
                _ => None,
            })
            .collect();
        let misnamed: Vec<String> = self
            .model
            .service_names()
            .into_iter()
            .filter(|n| !checked.contains(&n.as_str()) && close_names(n, name))
            .filter(|n| image.is_none_or(|m| self.model.spec(n).is_some_and(|s| image_matches(&s.image, m))))
            .collect();
        if misnamed.is_empty() {
            return;
        }
        let mut line = vec!["docker".to_string(), "service".into(), "rm".into()];
        line.extend(misnamed.iter().cloned());
        out.push(shell::join(&line));
        for n in &misnamed {
            self.model.remove_service(n);
        }
    }

    fn tasks(&mut self, a: &TasksAssertion, out: &mut Vec<String>) -> Result<(), NoFix> {
        let ctx = self.model.ctx();
        let found: Option<String> = match (&a.service, &a.image) {
            (Some(n), _) => ctx.service_named(n).map(|s| Ctx::service_name(s).to_string()),
            (None, Some(img)) => {
                // Prefer a service with a task running here, whose container can be removed.
                let here = self.model.snap.this_node_id();
                let mut c: Vec<&bollard::models::Service> = self
                    .model
                    .snap
                    .services
                    .iter()
                    .filter(|s| {
                        ServiceSpec::from_service(&ctx, s)
                            .image
                            .split('@')
                            .next()
                            .is_some_and(|i| image_matches(i, img))
                    })
                    .collect();
                c.sort_by_key(|s| {
                    !ctx.tasks_of(s).iter().any(|t| is_running(t) && t.node_id.as_deref() == Some(&here))
                });
                c.first().map(|s| Ctx::service_name(s).to_string())
            }
            (None, None) => None,
        };
        let name = match found {
            Some(n) => n,
            None => {
                if let Some(n) = &a.service {
                    self.remove_misnamed(n, a.image.as_ref(), out);
                }
                let s = self.new_spec(a.service.as_deref(), a.image.as_ref())?;
                self.create_service(s, out)?
            }
        };
        if let Some(want) = a.running {
            let cur = self.model.spec(&name).ok_or(words::THE_SERVICE_VANISHED)?;
            let mut des = cur.clone();
            des.conform(&ServiceAssertion { running: Some(want), ..Default::default() }, None)?;
            self.change_service(&cur, des, out)?;
        }
        if a.replaced.is_some() {
            let tasks = Assertion::Tasks(TasksAssertion { replaced: a.replaced, ..a.clone() });
            let probe = Check {
                id: String::new(),
                title: String::new(),
                points: 0,
                assertion: tasks,
                hint: String::new(),
                fix: String::new(),
                wait: None,
            };
            let mut kills = 0;
            while self.fails(&probe) && kills < 5 {
                out.push(self.kill_line(&name));
                self.model.kill_one_task(&name);
                kills += 1;
            }
        }
        Ok(())
    }

    /// `docker container rm -f` of one running task's container on this node: by its name
    /// when the snapshot shows it, else the first one `docker ps` lists for the service.
    fn kill_line(&self, service: &str) -> String {
        let ctx = self.model.ctx();
        let here = self.model.snap.this_node_id();
        let container = ctx.service_named(service).and_then(|s| {
            ctx.tasks_of(s).into_iter().find(|t| {
                is_running(t)
                    && t.node_id.as_deref() == Some(&here)
                    && t.id.as_deref().is_some_and(|i| !i.starts_with(PLANNED))
            })
        });
        match container.and_then(|t| {
            let place = match t.slot.filter(|s| *s > 0) {
                Some(slot) => slot.to_string(),
                None => t.node_id.clone()?,
            };
            Some(format!("{service}.{place}.{}", t.id.as_deref()?))
        }) {
            Some(c) => shell::join(&["docker", "container", "rm", "-f", &c]),
            None => format!(
                "docker container rm -f \"$(docker ps -q --filter label=com.docker.swarm.service.name={} | head -n 1)\"",
                shell::quote(service)
            ),
        }
    }

    fn create_network(&mut self, a: &NetworkAssertion, out: &mut Vec<String>) {
        let driver = a.driver.clone().unwrap_or_else(|| {
            if a.scope.as_deref() == Some("local") {
                "bridge".into()
            } else {
                "overlay".into()
            }
        });
        let scope = match (a.scope.as_deref(), driver.as_str()) {
            (Some(s), _) => s.to_string(),
            (None, "overlay") => "swarm".into(),
            (None, _) => "local".into(),
        };
        let mut w: Vec<String> =
            vec!["docker".into(), "network".into(), "create".into(), "--driver".into(), driver.clone()];
        if driver != "overlay" && scope == "swarm" {
            w.extend(["--scope".into(), "swarm".into()]);
        }
        if a.attachable == Some(true) {
            w.push("--attachable".into());
        }
        if a.internal == Some(true) {
            w.push("--internal".into());
        }
        if a.encrypted == Some(true) {
            w.extend(["--opt".into(), "encrypted".into()]);
        }
        w.push(a.name.clone());
        out.push(shell::join(&w));
        self.model.put_network(
            &a.name,
            &driver,
            &scope,
            a.attachable == Some(true),
            a.internal == Some(true),
            a.encrypted == Some(true),
        );
    }

    /// A network cannot change its driver or options: remove the services on it, remove it,
    /// create it as the lab wants, and create those services again as they were.
    fn recreate_network(&mut self, a: &NetworkAssertion, out: &mut Vec<String>) -> Result<(), NoFix> {
        let real = self.model.network_name(&a.name).unwrap_or_else(|| a.name.clone());
        let on_it: Vec<ServiceSpec> = self
            .model
            .service_names()
            .iter()
            .filter_map(|n| self.model.spec(n))
            .filter(|s| s.networks.contains(&real))
            .collect();
        for s in &on_it {
            self.printable(s)?;
        }
        if !on_it.is_empty() {
            let mut line = vec!["docker".to_string(), "service".into(), "rm".into()];
            line.extend(on_it.iter().map(|s| s.name.clone()));
            out.push(shell::join(&line));
            for s in &on_it {
                self.model.remove_service(&s.name);
            }
        }
        out.push(shell::join(&["docker", "network", "rm", &real]));
        self.model.remove_network(&real);
        let mut want = a.clone();
        want.name = real.clone();
        self.create_network(&want, out);
        for s in on_it {
            self.create_service(s, out)?;
        }
        Ok(())
    }

    fn network(&mut self, a: &NetworkAssertion, out: &mut Vec<String>) -> Result<(), NoFix> {
        match self.model.network_name(&a.name) {
            None => {
                self.create_network(a, out);
                Ok(())
            }
            Some(_) => self.recreate_network(a, out),
        }
    }

    fn volume(&mut self, a: &VolumeAssertion, out: &mut Vec<String>) -> Result<(), NoFix> {
        let Some(svc) = &a.service else {
            let mut w: Vec<String> = vec!["docker".into(), "volume".into(), "create".into()];
            if let Some(d) = &a.driver {
                w.extend(["--driver".into(), d.clone()]);
            }
            w.push(a.name.clone());
            out.push(shell::join(&w));
            let v = serde_json::json!({"Name": a.name, "Driver": a.driver.clone().unwrap_or_else(|| "local".into()), "Mountpoint": "", "Labels": {}, "Scope": "local", "Options": {}});
            if let Ok(v) = serde_json::from_value(v) {
                self.model.snap.volumes.push(v);
            }
            return Ok(());
        };
        let name = match self.service_named(svc) {
            Some(n) => n,
            None => {
                self.remove_misnamed(svc, None, out);
                let s = self.new_spec(Some(svc), None)?;
                self.create_service(s, out)?
            }
        };
        let cur = self.model.spec(&name).ok_or(words::THE_SERVICE_VANISHED)?;
        let mounted = cur
            .mounts
            .iter()
            .any(|m| m.kind == "volume" && (m.source == a.name || m.source.ends_with(&format!("_{}", a.name))));
        if mounted {
            // Mounted, but no task runs to create the volume: the tasks need help.
            return self.change_service(&cur, cur.clone(), out);
        }
        // Where the lab (or the answer) mounts this volume in that service.
        let from_lab = self.lab.checks.iter().find_map(|c| match &c.assertion {
            Assertion::Service(s) if s.name.as_deref() == Some(svc.as_str()) => s
                .mounts
                .iter()
                .flatten()
                .find(|m| m.source.as_deref() == Some(a.name.as_str()))
                .map(|m| (m.target.clone(), m.readonly.unwrap_or(false))),
            _ => None,
        });
        let from_answer = self
            .answer_for(Some(svc), None)
            .and_then(|s| s.mounts.iter().find(|m| m.source == a.name).map(|m| (m.target.clone(), m.readonly)));
        let (target, readonly) = from_lab.or(from_answer).ok_or(words::NOT_WHERE_TO_MOUNT)?;
        let mut des = cur.clone();
        des.mounts.retain(|m| m.target.trim_end_matches('/') != target.trim_end_matches('/'));
        des.mounts.push(spec::MountSpec { kind: "volume".into(), source: a.name.clone(), target, readonly });
        self.change_service(&cur, des, out)
    }

    /// The name `docker node` commands take for a node: its hostname when no other node
    /// shares it, else its ID.
    fn node_ref(&self, n: &Node) -> String {
        let host = n.description.as_ref().and_then(|d| d.hostname.clone());
        let shared = |h: &str| {
            self.model
                .snap
                .nodes
                .iter()
                .filter(|x| x.description.as_ref().and_then(|d| d.hostname.as_deref()) == Some(h))
                .count()
                > 1
        };
        match host {
            Some(h) if !shared(&h) => h,
            _ => n.id.clone().unwrap_or_default(),
        }
    }

    /// Promotes ready workers until `missing` more managers exist.
    fn promote(&mut self, missing: usize, out: &mut Vec<String>) -> Result<(), NoFix> {
        let workers: Vec<(String, String)> = self
            .model
            .snap
            .nodes
            .iter()
            .filter(|n| n.spec.as_ref().and_then(|s| s.role).map(|r| r.to_string()).as_deref() == Some("worker"))
            .filter(|n| n.status.as_ref().and_then(|s| s.state).map(|s| s.to_string()).as_deref() == Some("ready"))
            .filter_map(|n| Some((n.id.clone()?, self.node_ref(n))))
            .take(missing)
            .collect();
        if workers.len() < missing {
            return Err(NoFix::new(
                words::NOT_ENOUGH_WORKERS_TO_PROMOTE,
                &[("missing", &missing), ("workers", &workers.len())],
            ));
        }
        let mut line = vec!["docker".to_string(), "node".into(), "promote".into()];
        line.extend(workers.iter().map(|(_, r)| r.clone()));
        out.push(shell::join(&line));
        for (id, _) in workers {
            self.model.promote(&id);
        }
        Ok(())
    }

    fn nodes(&mut self, a: &NodeAssertion, out: &mut Vec<String>) -> Result<(), NoFix> {
        let want = a.count.unwrap_or(Count::at_least(1));
        let has = |n: &Node, a: &NodeAssertion| {
            let role = n.spec.as_ref().and_then(|s| s.role).map(|r| r.to_string()).unwrap_or_default();
            let avail = n.spec.as_ref().and_then(|s| s.availability).map(|r| r.to_string()).unwrap_or_default();
            let status = n.status.as_ref().and_then(|s| s.state).map(|r| r.to_string()).unwrap_or_default();
            let reach =
                n.manager_status.as_ref().and_then(|m| m.reachability).map(|r| r.to_string()).unwrap_or_default();
            let leader = n.manager_status.as_ref().and_then(|m| m.leader) == Some(true);
            let host = n.description.as_ref().and_then(|d| d.hostname.clone()).unwrap_or_default();
            a.role.is_none_or(|r| spec_plain(&r) == role)
                && a.availability.is_none_or(|x| spec_plain(&x) == avail)
                && a.status.is_none_or(|x| spec_plain(&x) == status)
                && a.reachability.is_none_or(|x| spec_plain(&x) == reach)
                && a.leader.is_none_or(|l| l == leader)
                && a.hostname.as_ref().is_none_or(|h| glob::matches(h, &host))
        };
        let matching = self.model.snap.nodes.iter().filter(|n| has(n, a)).count() as u64;
        if want.min.is_none_or(|m| matching >= m) {
            return Err(words::TOO_MANY_NODES_MATCH.into());
        }
        let missing = (want.min.unwrap_or(0) - matching) as usize;
        // Nodes that would match once promoted and made active: what a command can change.
        let relaxed = NodeAssertion {
            role: None,
            availability: None,
            reachability: None,
            leader: a.leader.filter(|l| !l),
            ..a.clone()
        };
        let candidates: Vec<Node> =
            self.model.snap.nodes.iter().filter(|n| !has(n, a) && has(n, &relaxed)).take(missing).cloned().collect();
        if candidates.len() < missing {
            return Err(NoFix::new(
                words::NOT_ENOUGH_NODES_TO_CHANGE,
                &[("missing", &missing), ("nodes", &candidates.len())],
            ));
        }
        let wants_manager = a.role == Some(NodeRole::Manager) || a.reachability == Some(Reachability::Reachable);
        let mut promote: Vec<String> = Vec::new();
        for n in &candidates {
            let id = n.id.clone().unwrap_or_default();
            let role = n.spec.as_ref().and_then(|s| s.role).map(|r| r.to_string()).unwrap_or_default();
            if wants_manager && role != "manager" {
                promote.push(self.node_ref(n));
                self.model.promote(&id);
            } else if wants_manager {
                // Promoted moments ago: it becomes reachable by itself.
                self.model.promote(&id);
            }
            if a.role == Some(NodeRole::Worker) && role != "worker" {
                out.push(shell::join(&["docker", "node", "demote", &self.node_ref(n)]));
                self.model.demote(&id);
            }
            if let Some(x) = a.availability {
                out.push(shell::join(&[
                    "docker",
                    "node",
                    "update",
                    "--availability",
                    &spec_plain(&x),
                    &self.node_ref(n),
                ]));
                self.model.set_availability(&id, &spec_plain(&x));
            }
        }
        if !promote.is_empty() {
            let mut line = vec!["docker".to_string(), "node".into(), "promote".into()];
            line.extend(promote);
            out.insert(0, shell::join(&line));
        }
        Ok(())
    }

    fn swarm(&mut self, a: &SwarmAssertion, out: &mut Vec<String>) -> Result<(), NoFix> {
        if let Some(want) = a.managers {
            let managers = self
                .model
                .snap
                .nodes
                .iter()
                .filter(|n| n.spec.as_ref().and_then(|s| s.role).map(|r| r.to_string()).as_deref() == Some("manager"))
                .count() as u64;
            if let Some(min) = want.min.filter(|m| managers < *m) {
                self.promote((min - managers) as usize, out)?;
            }
        }
        let ready = self
            .model
            .snap
            .nodes
            .iter()
            .filter(|n| n.status.as_ref().and_then(|s| s.state).map(|s| s.to_string()).as_deref() == Some("ready"))
            .count() as u64;
        if a.ready_nodes.is_some_and(|c| !c.matches(ready))
            || a.nodes.is_some_and(|c| !c.matches(self.model.snap.nodes.len() as u64))
        {
            return Err(words::NODES_JOIN_FROM_THEIR_MACHINE.into());
        }
        Ok(())
    }

    fn object(&mut self, a: &ObjectAssertion, kind: &str, out: &mut Vec<String>) -> Result<(), NoFix> {
        let names: Vec<String> = if kind == "secret" {
            self.model.snap.secrets.iter().filter_map(|s| s.spec.as_ref()?.name.clone()).collect()
        } else {
            self.model.snap.configs.iter().filter_map(|s| s.spec.as_ref()?.name.clone()).collect()
        };
        let real = names.iter().find(|n| **n == a.name || n.ends_with(&format!("_{}", a.name))).cloned();
        let real = match real {
            Some(r) => r,
            None => {
                out.push(format!("printf '%s\\n' change-me | docker {kind} create {} -", shell::quote(&a.name)));
                let v = serde_json::json!({"ID": format!("{PLANNED}{kind}"), "Spec": {"Name": a.name}});
                if kind == "secret" {
                    self.model.snap.secrets.extend(serde_json::from_value(v).ok());
                } else {
                    self.model.snap.configs.extend(serde_json::from_value(v).ok());
                }
                a.name.clone()
            }
        };
        let Some(svc) = &a.service else { return Ok(()) };
        let name = match self.service_named(svc) {
            Some(n) => n,
            None => {
                let s = self.new_spec(Some(svc), None)?;
                self.create_service(s, out)?
            }
        };
        let cur = self.model.spec(&name).ok_or(words::THE_SERVICE_VANISHED)?;
        let mut des = cur.clone();
        let list = if kind == "secret" { &mut des.secrets } else { &mut des.configs };
        let target = a.target.clone().unwrap_or_else(|| real.clone());
        let full = |t: &str| match (t.starts_with('/'), kind) {
            (true, _) => t.to_string(),
            (false, "secret") => format!("/run/secrets/{t}"),
            (false, _) => format!("/{t}"),
        };
        let ok = list.iter().any(|(n, t)| *n == real && (a.target.is_none() || full(t) == full(&target)));
        if !ok {
            list.retain(|(n, _)| *n != real);
            list.push((real, target));
        }
        self.change_service(&cur, des, out)
    }
}

fn spec_plain<T: serde::Serialize>(v: &T) -> String {
    lab_grader::evaluate::serde_plain(v)
}

/// Names a learner may have meant: a different case, a plural, a typo or two.
fn close_names(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_lowercase(), b.to_lowercase());
    if a == b || a.trim_end_matches('s') == b.trim_end_matches('s') {
        return true;
    }
    spelling::edit_distance(&a, &b) <= 2 && b.chars().count() > 3
}

#[cfg(test)]
mod tests {
    use super::*;
    use lab_grader::evaluate::evaluate;

    fn lab(id: &str) -> Lab {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../labs/{id}.toml"));
        lab_schema::load_file(&path).unwrap()
    }

    /// A swarm built by running `lines` (networks and services), as the model sees it.
    fn swarm(lines: &[&str]) -> Snapshot {
        let mut m = Model::new(&Snapshot::default());
        for l in lines {
            if let Some(s) = ServiceSpec::from_create_line(l) {
                m.put_service(&s);
            } else if let Some(name) = l.strip_prefix("docker network create -d overlay ") {
                m.put_network(name, "overlay", "swarm", false, false, false);
            } else if let Some(name) = l.strip_prefix("docker network create ") {
                m.put_network(name, "bridge", "local", false, false, false);
            }
        }
        m.snap
    }

    /// Every check's fix, in report order, and whether the model passes them all after.
    fn plan(lab: &Lab, snap: &Snapshot) -> (Vec<(String, Vec<String>)>, bool) {
        let mut p = Planner::new(lab, snap);
        let report = evaluate(lab, snap, &[], &[]);
        let mut fixes = Vec::new();
        for c in report.checks.iter().filter(|c| c.status == Status::Fail) {
            fixes.push((c.id.clone(), p.fix(lab.check(&c.id).unwrap()).unwrap()));
        }
        let passes = evaluate(lab, &p.model.snap, &[], &[]).passed;
        (fixes, passes)
    }

    const ANSWER: &[&str] = &[
        "docker network create -d overlay backend",
        "docker network create -d overlay frontend",
        "docker service create --name vote -p 80:80 --network frontend --replicas 2 bretfisher/examplevotingapp_vote",
        "docker service create --name redis --network frontend redis:3.2",
        "docker service create --name db --network backend -e POSTGRES_HOST_AUTH_METHOD=trust --mount type=volume,source=db-data,target=/var/lib/postgresql/data postgres:9.4",
        "docker service create --name worker --network frontend --network backend bretfisher/examplevotingapp_worker",
        "docker service create --name result --network backend -p 5001:80 bretfisher/examplevotingapp_result",
    ];

    fn with(replace: &[(&str, &str)]) -> Vec<&'static str> {
        let mut v: Vec<&str> = ANSWER.to_vec();
        for (from, to) in replace {
            let i = v.iter().position(|l| l.contains(from)).unwrap();
            v[i] = Box::leak(to.to_string().into_boxed_str());
        }
        v.into_iter().filter(|l| !l.is_empty()).collect()
    }

    #[test]
    fn the_answer_needs_no_fix_and_an_empty_swarm_gets_each_object_once() {
        let voting = lab("day6-voting-app");
        assert_eq!(plan(&voting, &swarm(ANSWER)), (vec![], true));
        let (fixes, passes) = plan(&voting, &Snapshot::default());
        assert!(passes);
        let lines: Vec<&String> = fixes.iter().flat_map(|(_, l)| l).collect();
        assert_eq!(lines.len(), 7, "{lines:#?}");
        assert!(lines.iter().all(|l| !l.contains('<')), "{lines:#?}");
        // The volume check comes first and creates db with its volume; db's own check needs nothing more.
        let db = fixes.iter().find(|(id, _)| id == "volume-db-data").unwrap();
        assert!(db.1[0].starts_with("docker service create --name db") && db.1[0].contains("source=db-data"));
        assert_eq!(fixes.iter().find(|(id, _)| id == "db").unwrap().1, Vec::<String>::new());
    }

    #[test]
    fn existing_services_are_updated_in_place() {
        let voting = lab("day6-voting-app");
        let cases: &[(&str, &str, &[&str])] = &[
            ("--name vote", "docker service create --name vote -p 80:80 --network frontend bretfisher/examplevotingapp_vote", &["docker service update --replicas 2 vote"]),
            ("--name vote", "docker service create --name vote -p 8080:80 --network frontend --replicas 2 bretfisher/examplevotingapp_vote", &["docker service update --publish-rm target=80 --publish-add published=80,target=80 vote"]),
            ("--name redis", "docker service create --name redis --network frontend -p 6379:6379 redis:3.2", &["docker service update --publish-rm target=6379 redis"]),
            ("--name worker", "docker service create --name worker --network frontend bretfisher/examplevotingapp_worker", &["docker service update --network-add backend worker"]),
            ("--name db", "docker service create --name db --network backend -e POSTGRES_HOST_AUTH_METHOD=trust --mount type=bind,source=/tmp,target=/var/lib/postgresql/data postgres:9.4", &["docker service update --mount-add type=volume,source=db-data,target=/var/lib/postgresql/data db"]),
            ("--name result", "docker service create --name result --network frontend -p 5001:80 bretfisher/examplevotingapp_result", &["docker service update --network-rm frontend --network-add backend result"]),
        ];
        for (from, to, want) in cases {
            let (fixes, passes) = plan(&voting, &swarm(&with(&[(from, to)])));
            let lines: Vec<String> = fixes.into_iter().flat_map(|(_, l)| l).collect();
            assert_eq!(lines, *want, "{to}");
            assert!(passes, "{to}");
        }
    }

    #[test]
    fn a_misnamed_service_is_replaced_and_a_taken_port_freed_first() {
        let voting = lab("day6-voting-app");
        let votes = "docker service create --name votes -p 80:80 --network frontend --replicas 2 bretfisher/examplevotingapp_vote";
        let mut lines = with(&[("--name vote ", votes)]);
        // Another service of the same image, by a name no check is close to, is the learner's own.
        lines.push("docker service create --name vote-canary bretfisher/examplevotingapp_vote");
        let (fixes, passes) = plan(&voting, &swarm(&lines));
        assert!(passes);
        assert_eq!(fixes[0].1[0], "docker service rm votes");
        assert!(fixes[0].1[1].starts_with("docker service create --name vote "));
        let result80 =
            "docker service create --name result --network backend -p 80:80 bretfisher/examplevotingapp_result";
        let (fixes, passes) = plan(&voting, &swarm(&with(&[("--name vote ", ""), ("--name result", result80)])));
        assert!(passes);
        assert_eq!(fixes[0].1[0], "docker service update --publish-rm target=80 result");
        assert_eq!(
            fixes[1],
            (
                "result".to_string(),
                vec!["docker service update --publish-add published=5001,target=80 result".to_string()]
            )
        );
    }

    #[test]
    fn tasks_that_do_not_run_get_what_the_answer_sets() {
        let voting = lab("day6-voting-app");
        let db = "docker service create --name db --network backend --network frontend --mount type=volume,source=db-data,target=/var/lib/postgresql/data postgres:9.4";
        let mut snap = swarm(&with(&[("--name db", db)]));
        let id = snap.services.iter().find(|s| Ctx::service_name(s) == "db").and_then(|s| s.id.clone());
        for t in snap.tasks.iter_mut().filter(|t| t.service_id == id) {
            t.status.as_mut().unwrap().state = Some(TaskState::FAILED);
        }
        let (fixes, passes) = plan(&voting, &snap);
        assert!(passes);
        let env = "docker service update --env-add POSTGRES_HOST_AUTH_METHOD=trust db".to_string();
        assert_eq!(fixes[0], ("volume-db-data".into(), vec![env]));
        assert_eq!(fixes[1], ("db".into(), vec!["docker service update --network-rm frontend db".into()]));
    }

    #[test]
    fn the_labs_own_fix_stands_in_only_where_it_would_work() {
        let mut lab = lab("day6-three-node-swarm");
        let mut p = Planner::new(&lab, &Snapshot::default());
        let check = lab.check("three-ready-nodes").unwrap().clone();
        assert!(p.fix(&check).is_err(), "a node that has not joined cannot be added from here");
        assert!(!p.fallback(&check), "the lab's fix has placeholders");
        lab = self::lab("day6-overlay-drupal");
        let mut p = Planner::new(&lab, &Snapshot::default());
        let psql = lab.check("psql").unwrap();
        assert!(!p.fallback(psql), "`--network mydrupal` needs the network");
        assert!(p.fallback(lab.check("network-mydrupal").unwrap()));
        assert!(!p.fallback(lab.check("network-mydrupal").unwrap()), "it exists now: create would fail");
        assert!(p.fallback(psql), "on the overlay created above");
        assert!(!p.fallback(psql), "psql exists now: create would fail");
        let mut p = Planner::new(&lab, &swarm(&["docker network create mydrupal"]));
        assert!(!p.fallback(psql), "a service cannot join a bridge");
        // The network's name may come before its options.
        let lab = one_check("[check.network]\nname = \"mynet\"\ndriver = \"overlay\"");
        let mut check = lab.checks[0].clone();
        check.fix = "docker network create mynet --driver overlay".into();
        assert!(Planner::new(&lab, &Snapshot::default()).fallback(&check));
    }

    #[test]
    fn a_service_created_again_never_prints_a_value_the_learner_set() {
        let drupal = lab("day6-overlay-drupal");
        let mut m = Model::new(&Snapshot::default());
        m.put_network("mydrupal", "overlay", "swarm", false, true, false);
        let psql = "docker service create --name psql --network mydrupal -e POSTGRES_PASSWORD=s3cret postgres";
        m.put_service(&ServiceSpec::from_create_line(psql).unwrap());
        let mut p = Planner::new(&drupal, &m.snap);
        let mut check = drupal.check("network-mydrupal").unwrap().clone();
        if let Assertion::Network(a) = &mut check.assertion {
            a.internal = Some(false);
        }
        let err = p.fix(&check).unwrap_err().to_string();
        assert!(err.contains("POSTGRES_PASSWORD") && !err.contains("s3cret"), "{err}");
    }

    #[test]
    fn a_bridge_where_an_overlay_belongs_is_removed_and_created_again() {
        let drupal = lab("day6-overlay-drupal");
        let (fixes, passes) = plan(&drupal, &swarm(&["docker network create mydrupal"]));
        assert!(passes);
        assert_eq!(fixes[0].1, ["docker network rm mydrupal", "docker network create --driver overlay mydrupal"]);
    }

    #[test]
    fn a_service_the_engine_named_is_named_by_its_fix_and_healed_with_a_real_command() {
        let first = lab("day6-first-service");
        let (fixes, passes) = plan(&first, &Snapshot::default());
        assert!(passes);
        let lines: Vec<String> = fixes.into_iter().flat_map(|(_, l)| l).collect();
        // The lesson's own command, compared as text and never run here (fix_property runs
        // printed fixes with the outside address replaced by 127.0.0.1).
        let lesson_command = "docker service create --name alpine --replicas 3 alpine ping 8.8.8.8"; // outside address: text only
        assert_eq!(lines[0], lesson_command);
        assert!(lines[1].starts_with(
            "docker container rm -f \"$(docker ps -q --filter label=com.docker.swarm.service.name=alpine"
        ));
        assert!(lines.iter().all(|l| !l.contains("<")));
    }

    /// A swarm of ready nodes `(id, hostname, role, availability)`; n1 is the leader and
    /// the node `lab` talks to.
    fn nodes(nodes: &[(&str, &str, &str, &str)]) -> Snapshot {
        let nodes: Vec<serde_json::Value> = nodes
            .iter()
            .map(|(id, host, role, availability)| {
                let mut n = serde_json::json!({"ID": id, "Description": {"Hostname": host},
                    "Spec": {"Role": role, "Availability": availability}, "Status": {"State": "ready"}});
                if *role == "manager" {
                    n["ManagerStatus"] = serde_json::json!({"Reachability": "reachable", "Leader": *id == "n1"});
                }
                n
            })
            .collect();
        serde_json::from_value(serde_json::json!({
            "info": {"Swarm": {"NodeID": "n1", "LocalNodeState": "active", "ControlAvailable": true}},
            "nodes": nodes,
        }))
        .unwrap()
    }

    /// A lab of `checks`, each `(id, fix, assertion)`, the assertion being its TOML table.
    fn lab_of(checks: &[(&str, &str, &str)]) -> Lab {
        let mut text =
            "id = \"t\"\ntitle = \"t\"\nlesson = \"first-service.md\"\ngoal = \"g\"\nanswer = \"a\"\n".to_string();
        for (i, (id, fix, assertion)) in checks.iter().enumerate() {
            // Labs are graded out of 100: the last check takes what is left.
            let points = if i + 1 == checks.len() { 100 - 10 * i } else { 10 };
            text += &format!(
                "\n[[check]]\nid = \"{id}\"\ntitle = \"{id}\"\npoints = {points}\nhint = \"h\"\nfix = \"{fix}\"\n{assertion}\n"
            );
        }
        lab_schema::load::load_str(std::path::Path::new("t.toml"), &text).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn one_check(assertion: &str) -> Lab {
        lab_of(&[("c", "f", assertion)])
    }

    #[test]
    fn only_as_many_workers_as_managers_are_missing_are_promoted() {
        let three = lab("day6-three-node-swarm");
        // The engine lists nodes in no particular order; a fourth manager would fail `count = 3`.
        let snap = nodes(&[
            ("n3", "node3", "worker", "active"),
            ("n4", "node4", "worker", "active"),
            ("n1", "node1", "manager", "active"),
            ("n2", "node2", "manager", "active"),
        ]);
        let (fixes, passes) = plan(&three, &snap);
        assert!(passes, "{fixes:?}");
        let promote = vec!["docker node promote node3".to_string()];
        assert_eq!(fixes, [("three-managers".to_string(), promote), ("two-followers".to_string(), vec![])]);
    }

    #[test]
    fn a_drained_manager_the_lab_wants_an_active_worker_is_demoted_and_activated() {
        let lab =
            one_check("[check.node]\nhostname = \"node3\"\nrole = \"worker\"\navailability = \"active\"\ncount = 1");
        let snap = nodes(&[
            ("n1", "node1", "manager", "active"),
            ("n2", "node2", "manager", "active"),
            ("n3", "node3", "manager", "drain"),
        ]);
        let (fixes, passes) = plan(&lab, &snap);
        assert!(passes, "{fixes:?}");
        let lines = ["docker node demote node3", "docker node update --availability active node3"];
        assert_eq!(fixes, [("c".to_string(), lines.map(String::from).to_vec())]);
    }

    #[test]
    fn a_network_created_again_leaves_the_other_networks_alone() {
        let voting = lab("day6-voting-app");
        let bridge = "docker network create backend";
        let (fixes, passes) = plan(&voting, &swarm(&with(&[("create -d overlay backend", bridge)])));
        assert!(passes, "{fixes:#?}");
        let lines: Vec<String> = fixes.into_iter().flat_map(|(_, l)| l).collect();
        assert_eq!(lines.iter().filter(|l| l.starts_with("docker network rm")).count(), 1, "{lines:#?}");
        assert!(!lines.iter().any(|l| l.contains("frontend") && l.starts_with("docker network")), "{lines:#?}");
    }

    #[test]
    fn a_volume_a_created_service_mounts_exists_beside_other_volumes() {
        let voting = lab("day6-voting-app");
        let mut snap = swarm(&with(&[("--name db", "")]));
        snap.volumes.push(
            serde_json::from_value(serde_json::json!({"Name": "leftover", "Driver": "local",
                "Mountpoint": "/var/lib/docker/volumes/leftover/_data", "Labels": {}, "Scope": "local", "Options": {}}))
            .unwrap(),
        );
        let (fixes, passes) = plan(&voting, &snap);
        assert!(passes, "{fixes:#?}");
        let db = &fixes.iter().find(|(id, _)| id == "volume-db-data").unwrap().1;
        assert!(db.len() == 1 && db[0].starts_with("docker service create --name db"), "{db:#?}");
    }

    #[test]
    fn one_container_of_the_service_is_removed_even_when_another_service_runs_first() {
        let first = lab("day6-first-service");
        let snap = swarm(&[
            "docker service create --name web nginx",
            "docker service create --name alpine --replicas 3 alpine ping 127.0.0.1",
        ]);
        let (fixes, passes) = plan(&first, &snap);
        assert!(passes, "{fixes:#?}");
        assert_eq!(fixes.len(), 1, "{fixes:#?}");
        assert_eq!(fixes[0].0, "task-replaced");
        assert_eq!(fixes[0].1.len(), 1, "one `docker container rm -f` replaces one task: {fixes:#?}");
        assert!(fixes[0].1[0].contains("label=com.docker.swarm.service.name=alpine"), "{fixes:#?}");
    }

    #[test]
    fn a_report_gets_commands_where_they_work_and_says_why_where_none_do() {
        let lab = lab_of(&[
            (
                "net",
                "docker network create -d overlay front",
                "[check.network]\nname = \"front\"\ndriver = \"overlay\"",
            ),
            // No answer names a ping command: the lab's own fix stands in, as it works here.
            (
                "pinger",
                "docker service create --name pinger alpine ping 127.0.0.1",
                "[check.service]\nname = \"pinger\"\nimage = \"alpine:*\"\ncommand = \"*ping *\"",
            ),
            ("pinger-runs", "f", "[check.tasks]\nservice = \"pinger\"\nrunning = { min = 1 }"),
            ("web", "f", "[check.service]\nname = \"web\"\nimage = \"nginx:*\"\nreplicas = 2"),
            ("nodes", "docker swarm join --token <token> <ip>:2377", "[check.swarm]\nnodes = 3"),
        ]);
        let snap = swarm(&["docker network create -d overlay front"]);
        let mut report = evaluate(&lab, &snap, &[], &[]);
        attach(&lab, &snap, &mut report);
        let got = |id: &str| {
            let c = report.checks.iter().find(|c| c.id == id).unwrap();
            (c.fix.as_deref(), c.fix_note.as_deref())
        };
        assert_eq!(got("net"), (None, None), "a passing check gets nothing");
        assert_eq!(got("pinger"), (Some("docker service create --name pinger alpine ping 127.0.0.1"), None));
        assert_eq!(got("pinger-runs"), (None, Some("the fixes of the checks above fix this one too")));
        assert_eq!(got("web"), (Some("docker service create --name web --replicas 2 nginx"), None));
        let (fix, note) = got("nodes");
        assert_eq!(fix, None, "the lab's fix has placeholders: {fix:?}");
        assert!(
            note.is_some_and(|n| n.starts_with("no command run against this engine fixes this: nodes join")),
            "{note:?}"
        );
    }

    #[test]
    fn a_node_that_joined_again_is_promoted_by_id_not_by_its_ambiguous_hostname() {
        let three = lab("day6-three-node-swarm");
        let mut snap = nodes(&[
            ("n1", "node1", "manager", "active"),
            ("oldnode2", "node2", "worker", "active"),
            ("newnode2", "node2", "worker", "active"),
            ("n3", "node3", "worker", "active"),
        ]);
        snap.nodes[1].status.as_mut().unwrap().state = Some(bollard::models::NodeState::DOWN);
        let (fixes, passes) = plan(&three, &snap);
        assert!(passes, "{fixes:?}");
        // `docker node promote node2` would answer "ambiguous"; the down entry is left alone.
        let promote = vec!["docker node promote newnode2 node3".to_string()];
        assert_eq!(fixes, [("three-managers".to_string(), promote), ("two-followers".to_string(), vec![])]);
    }

    #[test]
    fn too_few_managers_promote_ready_workers_or_say_how_many_are_missing() {
        let snap = nodes(&[
            ("n1", "node1", "manager", "active"),
            ("n2", "node2", "worker", "active"),
            ("n3", "node3", "worker", "active"),
        ]);
        let three = one_check("[check.swarm]\nmanagers = { min = 3 }");
        let (fixes, passes) = plan(&three, &snap);
        assert!(passes, "{fixes:?}");
        assert_eq!(fixes, [("c".to_string(), vec!["docker node promote node2 node3".to_string()])]);
        let four = one_check("[check.swarm]\nmanagers = { min = 4 }");
        let err = Planner::new(&four, &snap).fix(&four.checks[0]).unwrap_err().to_string();
        assert_eq!(err, "3 more manager(s) needed, but only 2 ready worker(s) to promote: join more nodes first");
    }

    #[test]
    fn a_secret_is_created_only_when_missing_and_then_given_to_the_service() {
        let lab = one_check("[check.secret]\nname = \"db_password\"\nservice = \"db\"");
        // The service's other secret stays.
        let snap = swarm(&["docker service create --name db --secret api_key postgres"]);
        let (fixes, passes) = plan(&lab, &snap);
        assert!(passes, "{fixes:?}");
        let add = "docker service update --secret-add source=db_password,target=db_password db";
        assert_eq!(fixes[0].1, ["printf '%s\\n' change-me | docker secret create db_password -", add]);
        let mut snap = snap;
        snap.secrets
            .push(serde_json::from_value(serde_json::json!({"ID": "s1", "Spec": {"Name": "db_password"}})).unwrap());
        let (fixes, passes) = plan(&lab, &snap);
        assert!(passes, "{fixes:?}");
        assert_eq!(fixes[0].1, [add], "`docker secret create` of a secret that exists fails");
    }

    #[test]
    fn a_network_is_created_with_every_option_the_lab_asks_for() {
        let lab = one_check(
            "[check.network]\nname = \"mynet\"\ndriver = \"overlay\"\nattachable = true\ninternal = true\nencrypted = true",
        );
        let (fixes, passes) = plan(&lab, &Snapshot::default());
        assert!(passes, "{fixes:?}");
        let line = "docker network create --driver overlay --attachable --internal --opt encrypted mynet";
        assert_eq!(fixes, [("c".to_string(), vec![line.to_string()])]);
    }

    #[test]
    fn a_service_fixed_alone_gets_the_overlay_networks_it_needs_first() {
        // `lab check --only worker --fix` on an empty swarm: no network check runs before it.
        let voting = lab("day6-voting-app");
        let worker = voting.check("worker").unwrap();
        let lines = Planner::new(&voting, &Snapshot::default()).fix(worker).unwrap();
        assert_eq!(
            lines,
            [
                "docker network create --driver overlay frontend",
                "docker network create --driver overlay backend",
                "docker service create --name worker --network frontend --network backend bretfisher/examplevotingapp_worker",
            ]
        );
        // A bridge of that name cannot take a service: it is made an overlay first.
        let drupal = lab("day6-overlay-drupal");
        let psql = drupal.check("psql").unwrap();
        let lines = Planner::new(&drupal, &swarm(&["docker network create mydrupal"])).fix(psql).unwrap();
        assert_eq!(lines[..2], ["docker network rm mydrupal", "docker network create --driver overlay mydrupal"]);
        assert!(lines[2].starts_with("docker service create --name psql --network mydrupal"), "{lines:#?}");
    }

    #[test]
    fn of_several_services_of_the_image_the_one_fewest_changes_away_is_updated() {
        let first = lab("day6-first-service");
        let snap = swarm(&[
            "docker service create --name sleeper alpine sleep 1d",
            "docker service create --name pinger alpine ping 127.0.0.1",
        ]);
        let fixes = plan(&first, &snap).0;
        let scaled = &fixes.iter().find(|(id, _)| id == "scaled-to-3").unwrap().1;
        assert_eq!(scaled, &["docker service update --replicas 3 pinger"]);
    }

    #[test]
    fn the_container_removed_is_one_of_this_node_named_as_docker_names_it() {
        let first = lab("day6-first-service");
        let mut snap = swarm(&["docker service create --name alpine --replicas 3 alpine ping 127.0.0.1"]);
        snap.info = serde_json::from_value(serde_json::json!({"Swarm": {"NodeID": "n1"}})).unwrap();
        for t in &mut snap.tasks {
            let slot = t.slot.unwrap();
            t.id = Some(format!("task{slot}"));
            t.node_id = Some(if slot == 2 { "n1" } else { "n2" }.to_string());
        }
        let (fixes, passes) = plan(&first, &snap);
        assert!(passes, "{fixes:?}");
        // `docker container rm -f` runs against this node: the container of slot 2 is here.
        assert_eq!(fixes, [("task-replaced".to_string(), vec!["docker container rm -f alpine.2.task2".to_string()])]);
    }

    #[test]
    fn a_service_whose_tasks_run_gets_no_environment_from_the_answer() {
        // db runs with the learner's own password setting: its fix moves it off frontend and
        // leaves its environment alone (compare `tasks_that_do_not_run_get_what_the_answer_sets`).
        let voting = lab("day6-voting-app");
        let db = "docker service create --name db --network backend --network frontend -e POSTGRES_PASSWORD=x --mount type=volume,source=db-data,target=/var/lib/postgresql/data postgres:9.4";
        let (fixes, passes) = plan(&voting, &swarm(&with(&[("--name db", db)])));
        assert!(passes, "{fixes:?}");
        assert_eq!(fixes, [("db".to_string(), vec!["docker service update --network-rm frontend db".to_string()])]);
    }

    #[test]
    fn a_service_with_no_running_task_has_no_container_to_remove() {
        // `--only task-replaced` with the ping service scaled to 0: no `docker container rm`
        // can work, so the planner gives up (after a bounded number of tries) instead of
        // printing commands that remove nothing.
        let first = lab("day6-first-service");
        let snap = swarm(&["docker service create --name alpine --replicas 0 alpine ping 127.0.0.1"]);
        let replaced = first.check("task-replaced").unwrap();
        assert!(Planner::new(&first, &snap).fix(replaced).is_err());
    }

    #[test]
    fn a_swarm_short_of_nodes_is_told_to_join_more_not_that_nothing_can_fix_it() {
        // The learner has joined one node of two: both checks name what is missing.
        let three = lab("day6-three-node-swarm");
        let snap = nodes(&[("n1", "node1", "manager", "active"), ("n2", "node2", "worker", "active")]);
        let mut p = Planner::new(&three, &snap);
        let ready = p.fix(three.check("three-ready-nodes").unwrap()).unwrap_err().to_string();
        assert!(ready.starts_with("nodes join from their own machine"), "{ready}");
        let managers = p.fix(three.check("three-managers").unwrap()).unwrap_err().to_string();
        assert_eq!(managers, "2 more matching node(s) needed, but only 1 node(s) could change: join more nodes first");
    }

    /// The swarms lab-grader's evaluator tests record from real engines.
    fn recorded() -> Vec<(&'static str, Snapshot)> {
        let load = |json: &str| serde_json::from_str::<Snapshot>(json).expect("a recorded snapshot deserialises");
        vec![
            ("20.10", load(include_str!("../../lab-grader/src/evaluate/tests/fixtures/swarm-20.10.json"))),
            ("28.x", load(include_str!("../../lab-grader/src/evaluate/tests/fixtures/swarm-28.x.json"))),
            (
                "converging 20.10",
                load(include_str!("../../lab-grader/src/evaluate/tests/fixtures/converging-20.10.json")),
            ),
            ("an empty engine", Snapshot::default()),
        ]
    }

    /// Moved here with fix planning from lab-grader's "a lab graded in Chinese keeps its ids,
    /// statuses, points and fix commands": the commands are the same in every language, and
    /// a fix note in zh-TW holds no English but the values the swarm or the lab holds.
    #[test]
    fn fixes_planned_in_chinese_keep_their_commands_and_word_their_notes() {
        let zh = Language::parse("zh-TW").unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../labs");
        let mut noted = 0;
        for english_lab in lab_schema::load_dir(&dir).unwrap_or_else(|e| panic!("{e:?}")) {
            let lab = zh.lab(&english_lab);
            for (state, snap) in recorded() {
                let values =
                    format!("{} {}", serde_json::to_string(&snap).unwrap(), serde_json::to_string(&lab).unwrap());
                let mut en = lab_grader::evaluate::evaluate_in(&english_lab, &snap, &[], &[], Language::english());
                let mut chinese = lab_grader::evaluate::evaluate_in(&lab, &snap, &[], &[], zh);
                attach_in(&english_lab, &snap, &mut en, Language::english());
                attach_in(&lab, &snap, &mut chinese, zh);
                for (e, c) in en.checks.iter().zip(&chinese.checks) {
                    let at = format!("{} on {state}: {}", lab.id, c.id);
                    assert_eq!((&c.id, &c.fix, c.fix_note.is_some()), (&e.id, &e.fix, e.fix_note.is_some()), "{at}");
                    if let Some(note) = &c.fix_note {
                        noted += 1;
                        let english: Vec<String> = lab_i18n::untranslated::english_runs(note)
                            .into_iter()
                            .filter(|r| !values.contains(r.as_str()))
                            .collect();
                        assert!(english.is_empty(), "{at}: English in a zh-TW fix note: {english:?} in {note:?}");
                    }
                }
            }
        }
        assert!(noted > 0, "some failed check had a fix note to read");
    }
}
