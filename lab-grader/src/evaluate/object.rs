//! Secret and config assertions: the object exists, and a service has it at a target.
//! Secret data is never read (the list endpoints do not return it).

use super::{Ctx, Findings};
use lab_i18n::words;
use lab_schema::ObjectAssertion;

struct Attached {
    name: String,
    target: String,
}

fn check(
    ctx: &Ctx,
    a: &ObjectAssertion,
    kind: &str,
    names: Vec<String>,
    attached: impl Fn(&bollard::models::TaskSpecContainerSpec) -> Vec<Attached>,
    default_target: impl Fn(&str) -> String,
) -> Findings {
    let mut f = Findings::default();
    if !names.iter().any(|n| *n == a.name || n.ends_with(&format!("_{}", a.name))) {
        f.miss(
            kind,
            ctx.fill(words::AN_OBJECT_NAMED, &[("kind", &kind), ("name", &a.name)]),
            ctx.fill(words::NO_SUCH_OBJECT, &[("kind", &kind), ("names", &ctx.names(names.clone(), 10))]),
        );
    }
    let Some(svc_name) = &a.service else { return f };
    let Some(svc) = ctx.service_named(svc_name) else {
        f.miss(
            ctx.tr(words::FIELD_SERVICE),
            ctx.fill(words::A_SERVICE_NAMED, &[("name", svc_name)]),
            ctx.fill(words::NO_SUCH_SERVICE, &[("names", &ctx.names(ctx.all_service_names(), 12))]),
        );
        return f;
    };
    let cs = svc
        .spec
        .as_ref()
        .and_then(|s| s.task_template.as_ref())
        .and_then(|t| t.container_spec.clone())
        .unwrap_or_default();
    let list = attached(&cs);
    let mine: Vec<&Attached> =
        list.iter().filter(|x| x.name == a.name || x.name.ends_with(&format!("_{}", a.name))).collect();
    if mine.is_empty() {
        let found = if list.is_empty() {
            ctx.fill(words::SERVICE_HAS_NO_OBJECTS, &[("service", svc_name), ("kind", &kind)])
        } else {
            let names: Vec<&str> = list.iter().map(|x| x.name.as_str()).collect();
            ctx.fill(
                words::SERVICE_HAS_OBJECTS,
                &[("service", svc_name), ("names", &ctx.lang.list(words::LIST, &names))],
            )
        };
        f.miss(
            ctx.fill(words::FIELD_OBJECT_IN_SERVICE, &[("kind", &kind), ("service", svc_name)]),
            ctx.fill(words::OBJECT_GIVEN_TO, &[("name", &a.name), ("service", svc_name)]),
            found,
        );
        return f;
    }
    if let Some(t) = &a.target {
        let want = default_target(t);
        if !mine.iter().any(|x| default_target(&x.target) == want) {
            let targets: Vec<String> = mine.iter().map(|x| default_target(&x.target)).collect();
            f.miss(
                ctx.fill(words::FIELD_OBJECT_TARGET, &[("kind", &kind)]),
                want,
                ctx.lang.list(words::LIST, &targets),
            );
        }
    }
    f
}

pub(crate) fn secret(ctx: &Ctx, a: &ObjectAssertion) -> Findings {
    let names = ctx.snap.secrets.iter().filter_map(|s| s.spec.as_ref()?.name.clone()).collect();
    check(
        ctx,
        a,
        "secret",
        names,
        |cs| {
            cs.secrets
                .iter()
                .flatten()
                .map(|s| Attached {
                    name: s.secret_name.clone().unwrap_or_default(),
                    target: s.file.as_ref().and_then(|f| f.name.clone()).unwrap_or_default(),
                })
                .collect()
        },
        // Secrets land in /run/secrets/<target> unless the target is an absolute path.
        |t| if t.starts_with('/') { t.to_string() } else { format!("/run/secrets/{t}") },
    )
}

pub(crate) fn config(ctx: &Ctx, a: &ObjectAssertion) -> Findings {
    let names = ctx.snap.configs.iter().filter_map(|s| s.spec.as_ref()?.name.clone()).collect();
    check(
        ctx,
        a,
        "config",
        names,
        |cs| {
            cs.configs
                .iter()
                .flatten()
                .map(|s| Attached {
                    name: s.config_name.clone().unwrap_or_default(),
                    target: s.file.as_ref().and_then(|f| f.name.clone()).unwrap_or_default(),
                })
                .collect()
        },
        |t| if t.starts_with('/') { t.to_string() } else { format!("/{t}") },
    )
}
