//! One module per `lab` subcommand.

pub mod catalog;
pub mod check;
pub mod cluster;
mod cluster_driver;
pub mod demo;
pub mod docker_cluster;
pub mod drill;
pub mod forward;
pub mod grade;
pub mod live_class;
mod node_shell;
// The netns driver's practice swarm: Linux only.
#[cfg(target_os = "linux")]
pub mod netns_cluster;
pub mod serve;
pub mod solve;
mod status_table;
pub mod watch;

use crate::args::{EngineArgs, LabsArgs};
use crate::catalog::Catalog;
use crate::exit::{Exit, Kind};
use crate::ui::Ui;
use lab_i18n::words;
use lab_schema::LabErrors;

/// Prints lab-file diagnostics (miette, with file, line and column) to stderr.
pub(crate) fn print_lab_errors(ui: &Ui, errs: &[LabErrors]) {
    let theme =
        if ui.stderr_color() { miette::GraphicalTheme::unicode() } else { miette::GraphicalTheme::unicode_nocolor() };
    let handler = miette::GraphicalReportHandler::new_themed(theme);
    for e in errs {
        for one in &e.errors {
            let mut out = String::new();
            let _ = handler.render_report(&mut out, one);
            eprintln!("{}", one.one_line());
            eprintln!("{out}");
        }
    }
}

pub(crate) fn load_catalog(ui: &Ui, labs: &LabsArgs) -> Result<Catalog, Exit> {
    Catalog::load(labs.labs.as_deref(), ui.lang).map_err(|errs| {
        print_lab_errors(ui, &errs);
        ui.fail(Kind::LabFile, ui.lang.fill(words::LAB_FILES_INVALID, &[("n", &errs.len())]))
    })
}

/// The lab called `id`, from the catalog `--labs` selects; errors are reported.
pub(crate) fn find_lab(ui: &Ui, labs: &LabsArgs, id: &str) -> Result<lab_schema::Lab, Exit> {
    if labs.labs.is_none() {
        if let Some(lab) = Catalog::embedded(id) {
            return Ok(ui.lang.lab(&lab));
        }
    }
    let cat = load_catalog(ui, labs)?;
    cat.get(id).map(|lab| ui.lang.lab(lab)).map_err(|e| ui.fail(Kind::UnknownLab, e))
}

/// The engine `--host`/`--context` or the environment name, found as the docker CLI finds it.
pub(crate) fn resolve_endpoint(ui: &Ui, engine: &EngineArgs) -> Result<lab_engine::Endpoint, Exit> {
    resolve_endpoint_in(ui, engine, &|k| std::env::var(k).ok())
}

/// The same, with the environment as `env` shows it (the docker driver hides the variables
/// `lab cluster env` printed); the one rule both follow. Errors are reported.
pub(crate) fn resolve_endpoint_in(
    ui: &Ui,
    engine: &EngineArgs,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<lab_engine::Endpoint, Exit> {
    lab_engine::endpoint::resolve(&engine.request(), env).map_err(|e| ui.fail(Kind::BadInput, e.text(ui.lang)))
}
