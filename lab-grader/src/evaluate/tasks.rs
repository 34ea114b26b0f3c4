//! Task-history assertions: a task whose container died was replaced by swarm (the
//! self-healing lesson), and how many tasks run.

use super::service::image_of;
use super::{list_names, task_state, Ctx, Findings};
use bollard::models::{Service, Task, TaskState};
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
            (Some(n), _) => format!("a service named `{n}`"),
            (None, Some(i)) => format!("a service running {i}"),
            _ => "a service".into(),
        };
        f.miss("service", what, format!("no such service (services: {})", list_names(ctx.all_service_names(), 12)));
        return f;
    }
    let mut best: Option<Findings> = None;
    for svc in &candidates {
        let tasks = ctx.tasks_of(svc);
        let mut f = Findings { moving: ctx.movement(svc), ..Default::default() };
        if candidates.len() > 1 || a.service.is_none() {
            f.subject = Some(format!("service {}", Ctx::service_name(svc)));
        }
        if let Some(want) = a.replaced {
            let (replaced, waiting) = replacements(&tasks);
            if !want.matches(replaced as u64) {
                let history = {
                    let mut by_state: std::collections::BTreeMap<String, usize> = Default::default();
                    for t in &tasks {
                        *by_state.entry(task_state(t).map(|s| s.to_string()).unwrap_or_default()).or_default() += 1;
                    }
                    by_state.iter().map(|(s, n)| format!("{n} {s}")).collect::<Vec<_>>().join(", ")
                };
                let found = format!("{replaced} replaced (task history: {history})");
                if waiting > 0 {
                    // A container died and swarm has not started its replacement yet (restart delay).
                    f.moving.push(format!("{waiting} failed task(s) waiting for a replacement"));
                    f.settling("replaced tasks", want.to_string(), found);
                } else {
                    f.miss("replaced tasks", want.to_string(), found);
                }
            }
        }
        if let Some(want) = a.running {
            let running = tasks.iter().filter(|t| task_state(t) == Some(TaskState::RUNNING)).count() as u64;
            if !want.matches(running) {
                f.settling("running tasks", want.to_string(), running.to_string());
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
