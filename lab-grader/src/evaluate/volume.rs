//! Volume assertions. Volumes are node-local: a volume a service mounts must exist on the
//! node where that service's task runs. The runner reads one manager, so it lists volumes
//! of that node only; for a task running elsewhere, the running task itself is the
//! evidence (the engine creates a named volume before it starts the container).

use super::{list_names, name_matches, task_state, Ctx, Findings};
use bollard::models::TaskState;
use lab_schema::VolumeAssertion;

pub(crate) fn evaluate(ctx: &Ctx, a: &VolumeAssertion) -> Findings {
    let mut f = Findings::default();
    let here = ctx.snap.this_node_id();
    let local = ctx.snap.volumes.iter().find(|v| name_matches(&v.name, Some(&v.labels), &a.name));
    let local_names =
        || list_names(ctx.snap.volumes.iter().map(|v| v.name.clone()).filter(|n| n.len() < 64).collect(), 10);
    if let (Some(want), Some(v)) = (&a.driver, local) {
        if *want != v.driver {
            f.miss("driver", want.clone(), v.driver.clone());
        }
    }
    let Some(svc_name) = &a.service else {
        if local.is_none() {
            f.miss(
                "volume",
                format!("a volume named `{}` on {}", a.name, ctx.snap.node_name(&here)),
                format!("no such volume (volumes: {})", local_names()),
            );
        }
        return f;
    };
    let Some(svc) = ctx.service_named(svc_name) else {
        f.miss(
            "volume",
            format!("`{}` mounted by service `{svc_name}`", a.name),
            format!("no service named `{svc_name}`"),
        );
        return f;
    };
    f.moving = ctx.movement(svc);
    let mounts = svc
        .spec
        .as_ref()
        .and_then(|s| s.task_template.as_ref())
        .and_then(|t| t.container_spec.as_ref())
        .and_then(|c| c.mounts.clone())
        .unwrap_or_default();
    let mounted = mounts.iter().any(|m| {
        let is_volume = m.typ.map(|t| t.to_string()).is_none_or(|t| t == "volume");
        let labels = m.volume_options.as_ref().and_then(|o| o.labels.as_ref());
        is_volume && m.source.as_deref().is_some_and(|s| s == a.name || name_matches(s, labels, &a.name))
    });
    if !mounted {
        let found: Vec<String> = mounts
            .iter()
            .map(|m| {
                format!(
                    "{} at {}",
                    m.source.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| "(anonymous)".into()),
                    m.target.clone().unwrap_or_default()
                )
            })
            .collect();
        f.miss(
            "volume",
            format!("service `{svc_name}` mounts volume `{}`", a.name),
            if found.is_empty() {
                format!("`{svc_name}` mounts no volumes")
            } else {
                format!("`{svc_name}` mounts {}", found.join(", "))
            },
        );
        return f;
    }
    let running: Vec<_> = ctx.tasks_of(svc).into_iter().filter(|t| task_state(t) == Some(TaskState::RUNNING)).collect();
    if running.is_empty() {
        f.settling(
            "volume",
            format!("`{}` on the node running `{svc_name}`", a.name),
            format!("`{svc_name}` has no running task yet"),
        );
        return f;
    }
    for t in running {
        let node = t.node_id.clone().unwrap_or_default();
        if node == here && local.is_none() {
            f.settling(
                "volume",
                format!("`{}` on {}, where `{svc_name}` runs", a.name, ctx.snap.node_name(&node)),
                format!("no such volume there (volumes: {})", local_names()),
            );
        }
    }
    f
}
