//! One module per `lab` subcommand.

pub mod catalog;
pub mod check;
pub mod cluster;
pub mod demo;
pub mod grade;
pub mod solve;

use crate::args::Global;
use crate::catalog::Catalog;
use crate::exit::Exit;
use lab_schema::LabErrors;

/// Prints lab-file diagnostics (miette, with file, line and column) to stderr.
pub(crate) fn print_lab_errors(errs: &[LabErrors]) {
    let theme = if crate::stderr_color() {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
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

pub(crate) fn load_catalog(g: &Global) -> Result<Catalog, Exit> {
    Catalog::load(g.labs.as_deref()).map_err(|errs| {
        print_lab_errors(&errs);
        crate::error(format!(
            "{} lab file(s) are invalid; fix them or run `lab validate` for the full list",
            errs.len()
        ));
        Exit::BadInput
    })
}

/// The lab called `id`, from the catalog `--labs` selects; errors are printed.
pub(crate) fn find_lab(g: &Global, id: &str) -> Result<lab_schema::Lab, Exit> {
    let cat = load_catalog(g)?;
    cat.get(id).cloned().map_err(|e| {
        crate::error(e);
        Exit::BadInput
    })
}

pub(crate) fn parse_duration(flag: &str, text: &str) -> Result<std::time::Duration, Exit> {
    text.parse::<lab_schema::LabDuration>().map(|d| d.0).map_err(|e| {
        crate::error(format!("--{flag}: {e}"));
        Exit::BadInput
    })
}

pub(crate) fn resolve_endpoint(g: &Global) -> Result<lab_grader::Endpoint, Exit> {
    let req = lab_grader::EndpointRequest { host: g.host.clone(), context: g.context.clone() };
    lab_grader::endpoint::resolve(&req, &|k| std::env::var(k).ok()).map_err(|e| {
        crate::error(e);
        Exit::BadInput
    })
}
