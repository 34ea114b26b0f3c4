//! Task-history assertions: a task whose container died was replaced by swarm (the
//! self-healing lesson), and how many tasks run.

use super::service::image_of;
use super::{count_text, image_text, task_state, Ctx, Findings};
use bollard::models::{Service, Task, TaskState};
use lab_i18n::words;
use lab_schema::TasksAssertion;

fn index(t: &Task) -> u64 {
    t.version.as_ref().and_then(|v| v.index).unwrap_or(0)
}

/// Two tasks fill the same place: the same slot (replicated) or the same node (global).
fn same_place(a: &Task, b: &Task) -> bool {
    match (a.slot, b.slot) {
        (Some(x), Some(y)) if x > 0 => x == y,
        _ => a.node_id.is_some() && a.node_id == b.node_id,
    }
}

/// Failed tasks that a newer task in the same place replaced, and failed tasks whose
/// replacement has not been created yet.
fn replacements(tasks: &[&Task]) -> (usize, usize) {
    let failed: Vec<&&Task> = tasks.iter().filter(|t| task_state(t) == Some(TaskState::FAILED)).collect();
    let mut replaced = 0;
    let mut waiting = 0;
    for f in failed {
        let newer = tasks.iter().any(|t| {
            !std::ptr::eq(*t, *f)
                && same_place(t, f)
                && index(t) > index(f)
                // A replacement held at `ready` for the restart delay is a replacement too.
                && matches!(t.desired_state, Some(TaskState::RUNNING | TaskState::READY))
        });
        if newer {
            replaced += 1;
        } else {
            waiting += 1;
        }
    }
    (replaced, waiting)
}

pub(crate) fn evaluate(ctx: &Ctx, a: &TasksAssertion) -> Findings {
    let candidates: Vec<&Service> = if let Some(name) = &a.service {
        ctx.service_named(name).into_iter().collect()
    } else if let Some(img) = &a.image {
        ctx.snap.services.iter().filter(|s| image_of(s).is_some_and(|r| img.matches(&r))).collect()
    } else {
        Vec::new()
    };
    if candidates.is_empty() {
        let mut f = Findings::default();
        let what = match (&a.service, &a.image) {
            (Some(n), _) => ctx.fill(words::A_SERVICE_NAMED, &[("name", n)]),
            (None, Some(i)) => ctx.fill(words::A_SERVICE_RUNNING, &[("image", &image_text(ctx.lang, i))]),
            _ => ctx.tr(words::A_SERVICE),
        };
        let found = ctx.fill(words::NO_SUCH_SERVICE, &[("names", &ctx.names(ctx.all_service_names(), 12))]);
        f.miss(ctx.tr(words::FIELD_SERVICE), what, found);
        return f;
    }
    let mut best: Option<Findings> = None;
    for svc in &candidates {
        let tasks = ctx.tasks_of(svc);
        let mut f = Findings { moving: ctx.movement(svc), cause: ctx.cause_of(svc), ..Default::default() };
        if candidates.len() > 1 || a.service.is_none() {
            f.subject = Some(ctx.fill(words::SUBJECT_SERVICE, &[("service", &Ctx::service_name(svc))]));
        }
        if let Some(want) = a.replaced {
            let (replaced, waiting) = replacements(&tasks);
            if !want.matches(replaced as u64) {
                let history = {
                    let mut by_state: std::collections::BTreeMap<String, usize> = Default::default();
                    for t in &tasks {
                        *by_state.entry(task_state(t).map(|s| s.to_string()).unwrap_or_default()).or_default() += 1;
                    }
                    ctx.lang.list(words::LIST, &by_state.iter().map(|(s, n)| format!("{n} {s}")).collect::<Vec<_>>())
                };
                let found = ctx.fill(words::REPLACED_HISTORY, &[("n", &replaced), ("history", &history)]);
                let field = ctx.tr(words::FIELD_REPLACED_TASKS);
                if waiting > 0 {
                    // A container died and swarm has not started its replacement yet (restart delay).
                    f.moving.push(ctx.lang.count(
                        waiting as u64,
                        words::ONE_FAILED_TASK_WAITING,
                        words::MANY_FAILED_TASKS_WAITING,
                    ));
                    f.settling(field, count_text(ctx.lang, &want), found);
                } else {
                    f.miss(field, count_text(ctx.lang, &want), found);
                }
            }
        }
        if let Some(want) = a.running {
            let running = tasks.iter().filter(|t| task_state(t) == Some(TaskState::RUNNING)).count() as u64;
            if !want.matches(running) {
                f.settling(ctx.tr(words::FIELD_RUNNING_TASKS), count_text(ctx.lang, &want), running.to_string());
            }
        }
        let better = match &best {
            None => true,
            Some(b) => f.mismatches.len() < b.mismatches.len(),
        };
        if better {
            best = Some(f);
        }
    }
    best.unwrap_or_default()
}
