//! Writes `book/po/labs.pot`: the lab files' texts, the program's words and every help text
//! of the `lab` command line. `scripts/i18n` runs it (`cargo run -p lab-runner --example
//! xgettext`), then merges the template into each `book/po/labs.<lang>.po`.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let labs = match lab_schema::load_dir(&root.join("labs")) {
        Ok(labs) => labs,
        Err(errors) => {
            for e in errors {
                eprintln!("xgettext: {e:?}");
            }
            eprintln!(
                "xgettext: fix the lab files above (`lab validate` shows each problem), then run scripts/i18n again"
            );
            return ExitCode::from(2);
        }
    };
    let help = lab_runner::help_text::entries(&lab_runner::help_text::lab_command());
    let pot = root.join("book/po/labs.pot");
    match std::fs::write(&pot, lab_i18n::template::render(&labs, &help)) {
        Ok(()) => {
            eprintln!("wrote {}", pot.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("xgettext: cannot write {}: {e}", pot.display());
            ExitCode::from(1)
        }
    }
}
