//! Network assertions: an overlay network with the driver, scope and options a lab states.

use super::{name_matches, Ctx, Findings};
use bollard::models::Network;
use lab_i18n::words;
use lab_schema::NetworkAssertion;

const BUILT_IN: &[&str] = &["bridge", "host", "none", "docker_gwbridge", "ingress"];

fn compare(ctx: &Ctx, n: &Network, a: &NetworkAssertion) -> Findings {
    let mut f = Findings::default();
    if let Some(want) = &a.driver {
        let found = n.driver.clone().unwrap_or_default();
        if *want != found {
            f.miss(ctx.tr(words::FIELD_DRIVER), want.clone(), found);
        }
    }
    if let Some(want) = &a.scope {
        let found = n.scope.clone().unwrap_or_default();
        if *want != found {
            f.miss(ctx.tr(words::FIELD_SCOPE), want.clone(), found);
        }
    }
    let flag = |b: bool| ctx.tr(if b { words::YES } else { words::NO });
    if let Some(want) = a.encrypted {
        let found = n.options.as_ref().is_some_and(|o| o.get("encrypted").is_some_and(|v| v != "false"));
        if want != found {
            f.miss(ctx.tr(words::FIELD_ENCRYPTED), flag(want), flag(found));
        }
    }
    if let Some(want) = a.attachable {
        let found = n.attachable.unwrap_or(false);
        if want != found {
            f.miss(ctx.tr(words::FIELD_ATTACHABLE), flag(want), flag(found));
        }
    }
    if let Some(want) = a.internal {
        let found = n.internal.unwrap_or(false);
        if want != found {
            f.miss(ctx.tr(words::FIELD_INTERNAL), flag(want), flag(found));
        }
    }
    f
}

pub(crate) fn evaluate(ctx: &Ctx, a: &NetworkAssertion) -> Findings {
    let candidates: Vec<&Network> = ctx
        .snap
        .networks
        .iter()
        .filter(|n| name_matches(n.name.as_deref().unwrap_or(""), n.labels.as_ref(), &a.name))
        .collect();
    if candidates.is_empty() {
        let names: Vec<String> = ctx
            .snap
            .networks
            .iter()
            .filter_map(|n| n.name.clone())
            .filter(|n| !BUILT_IN.contains(&n.as_str()))
            .collect();
        let mut f = Findings::default();
        f.miss(
            ctx.tr(words::FIELD_NETWORK),
            ctx.fill(words::A_NETWORK_NAMED, &[("name", &a.name)]),
            ctx.fill(words::NO_SUCH_NETWORK, &[("names", &ctx.names(names, 12))]),
        );
        return f;
    }
    candidates.into_iter().map(|n| compare(ctx, n, a)).min_by_key(|f| f.mismatches.len()).unwrap_or_default()
}
