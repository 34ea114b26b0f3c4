//! Volume assertions. Volumes are node-local: a volume a service mounts must exist on the
//! node where that service's task runs. The runner reads one manager, so it lists volumes
//! of that node only; for a task running elsewhere, the running task itself is the
//! evidence (the engine creates a named volume before it starts the container).

use super::{name_matches, task_state, Ctx, Findings};
use bollard::models::TaskState;
use lab_i18n::words;
use lab_schema::VolumeAssertion;

pub(crate) fn evaluate(ctx: &Ctx, a: &VolumeAssertion) -> Findings {
    let mut f = Findings::default();
    let here = ctx.snap.this_node_id();
    let local = ctx.snap.volumes.iter().find(|v| name_matches(&v.name, Some(&v.labels), &a.name));
    let local_names =
        || ctx.names(ctx.snap.volumes.iter().map(|v| v.name.clone()).filter(|n| n.len() < 64).collect(), 10);
    let field = ctx.tr(words::FIELD_VOLUME);
    if let (Some(want), Some(v)) = (&a.driver, local) {
        if *want != v.driver {
            f.miss(ctx.tr(words::FIELD_DRIVER), want.clone(), v.driver.clone());
        }
    }
    let Some(svc_name) = &a.service else {
        if local.is_none() {
            f.miss(
                field,
                ctx.fill(words::A_VOLUME_NAMED_ON, &[("name", &a.name), ("node", &ctx.snap.node_name(&here))]),
                ctx.fill(words::NO_SUCH_VOLUME, &[("names", &local_names())]),
            );
        }
        return f;
    };
    let Some(svc) = ctx.service_named(svc_name) else {
        f.miss(
            field,
            ctx.fill(words::VOLUME_MOUNTED_BY, &[("name", &a.name), ("service", svc_name)]),
            ctx.fill(words::NO_SERVICE_NAMED, &[("service", svc_name)]),
        );
        return f;
    };
    f.moving = ctx.movement(svc);
    f.cause = ctx.cause_of(svc);
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
                let source = m.source.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| ctx.tr(words::ANONYMOUS));
                let target = m.target.clone().unwrap_or_default();
                ctx.fill(words::MOUNT_SOURCE_AT, &[("source", &source), ("target", &target)])
            })
            .collect();
        f.miss(
            field,
            ctx.fill(words::SERVICE_MOUNTS_VOLUME, &[("service", svc_name), ("name", &a.name)]),
            if found.is_empty() {
                ctx.fill(words::SERVICE_MOUNTS_NO_VOLUMES, &[("service", svc_name)])
            } else {
                ctx.fill(
                    words::SERVICE_MOUNTS,
                    &[("service", svc_name), ("mounts", &ctx.lang.list(words::LIST, &found))],
                )
            },
        );
        return f;
    }
    let running: Vec<_> = ctx.tasks_of(svc).into_iter().filter(|t| task_state(t) == Some(TaskState::RUNNING)).collect();
    if running.is_empty() {
        f.settling(
            field,
            ctx.fill(words::VOLUME_ON_THE_NODE_RUNNING, &[("name", &a.name), ("service", svc_name)]),
            ctx.fill(words::SERVICE_HAS_NO_RUNNING_TASK, &[("service", svc_name)]),
        );
        return f;
    }
    for t in running {
        let node = t.node_id.clone().unwrap_or_default();
        if node == here && local.is_none() {
            f.settling(
                field.clone(),
                ctx.fill(
                    words::VOLUME_ON_NODE_WHERE,
                    &[("name", &a.name), ("node", &ctx.snap.node_name(&node)), ("service", svc_name)],
                ),
                ctx.fill(words::NO_SUCH_VOLUME_THERE, &[("names", &local_names())]),
            );
        }
    }
    f
}
