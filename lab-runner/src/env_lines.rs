//! The lines `lab cluster env` prints, in the syntax of the learner's shell: `export` for
//! sh, bash and zsh; `set -gx` for fish; `$Env:` for PowerShell; `SET "NAME=value"` for cmd.exe. Each
//! set of lines ends with a comment saying how to apply them in that shell, as `docker-machine
//! env` did. The shell is `--shell` when given, else guessed from the environment.

use clap::ValueEnum;

/// A shell whose variable syntax `lab cluster env` speaks.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum EnvShell {
    /// sh, bash, zsh: `export NAME=value`
    Posix,
    /// fish: `set -gx NAME value`
    Fish,
    /// PowerShell: `$Env:NAME = "value"`
    Powershell,
    /// cmd.exe: `SET "NAME=value"`
    Cmd,
}

impl EnvShell {
    /// The learner's shell, from `SHELL` (sh-like or fish; Git Bash and WSL set it on
    /// Windows too), else PowerShell on Windows, else POSIX.
    pub fn detect(var: &dyn Fn(&str) -> Option<String>) -> EnvShell {
        if let Some(shell) = var("SHELL").filter(|s| !s.is_empty()) {
            let name = shell.rsplit(['/', '\\']).next().unwrap_or("").trim_end_matches(".exe");
            return if name == "fish" { EnvShell::Fish } else { EnvShell::Posix };
        }
        if cfg!(windows) {
            EnvShell::Powershell
        } else {
            EnvShell::Posix
        }
    }

    /// How to apply what `command` (`lab cluster env`) prints, in this shell.
    pub fn apply(self, command: &str) -> String {
        match self {
            EnvShell::Posix => format!("eval \"$({command})\""),
            EnvShell::Fish => format!("{command} | source"),
            EnvShell::Powershell => format!("& {command} | Invoke-Expression"),
            EnvShell::Cmd => format!("@FOR /f \"tokens=*\" %i IN ('{command}') DO @%i"),
        }
    }

    /// The lines that set `vars` (a `None` value clears the variable), then how to apply
    /// them (`how` is the translated "Run this command…" line; `command` is how the learner
    /// ran `lab cluster env`, e.g. `lab cluster env --node 2`).
    pub fn render(self, vars: &[(&str, Option<String>)], how: &str, command: &str) -> String {
        let mut out = String::new();
        for (k, v) in vars {
            let line = match (self, v) {
                (EnvShell::Posix, Some(v)) => format!("export {k}={}", posix_quote(v)),
                (EnvShell::Posix, None) => format!("unset {k}"),
                (EnvShell::Fish, Some(v)) => format!("set -gx {k} {}", posix_quote(v)),
                (EnvShell::Fish, None) => format!("set -e {k}"),
                (EnvShell::Powershell, Some(v)) => format!("$Env:{k} = \"{}\"", powershell_escape(v)),
                (EnvShell::Powershell, None) => format!("Remove-Item Env:{k} -ErrorAction SilentlyContinue"),
                (EnvShell::Cmd, Some(v)) => format!("SET \"{k}={v}\""),
                (EnvShell::Cmd, None) => format!("SET \"{k}=\""),
            };
            out.push_str(&line);
            out.push('\n');
        }
        let apply = self.apply(command);
        let comment = if self == EnvShell::Cmd { "REM" } else { "#" };
        out.push_str(&format!("{comment} {how}\n{comment} {apply}\n"));
        out
    }
}

/// Prints `vars` for `shell` (or the detected shell) on stdout, for `lab cluster env --node
/// node`.
pub fn print(lang: lab_i18n::Language, vars: &[(&str, Option<String>)], node: usize, shell: Option<EnvShell>) {
    let mut command = format!("{} cluster env", crate::me());
    if node != 1 {
        command.push_str(&format!(" --node {node}"));
    }
    if let Some(s) = shell {
        let name = s.to_possible_value().map(|v| v.get_name().to_string()).unwrap_or_default();
        command.push_str(&format!(" --shell {name}"));
    }
    let shell = shell.unwrap_or_else(|| EnvShell::detect(&|k| std::env::var(k).ok()));
    print!("{}", shell.render(vars, &lang.tr(lab_i18n::words::CLUSTER_ENV_HOW), &command));
}

/// Single quotes for sh and fish, unless the value needs none.
pub fn posix_quote(v: &str) -> String {
    if !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || "/:._-=,@+".contains(c)) {
        v.to_string()
    } else {
        format!("'{}'", v.replace('\'', "'\\''"))
    }
}

/// A value inside PowerShell's double quotes: its escape character is the backtick, and
/// `$` would start a variable.
fn powershell_escape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        if matches!(c, '`' | '"' | '$') {
            out.push('`');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOW: &str = "Run this command to configure your shell:";

    fn vars() -> Vec<(&'static str, Option<String>)> {
        vec![
            ("DOCKER_HOST", Some("tcp://127.0.0.1:32771".to_string())),
            ("DOCKER_TLS_VERIFY", Some("1".to_string())),
            ("DOCKER_CERT_PATH", Some("/home/ana/My Certs/it's".to_string())),
            ("DOCKER_CONTEXT", None),
        ]
    }

    #[test]
    fn each_shell_gets_its_own_syntax_and_how_to_apply_it() {
        let posix = EnvShell::Posix.render(&vars(), HOW, "lab cluster env");
        assert!(posix.starts_with("export DOCKER_HOST=tcp://127.0.0.1:32771\nexport DOCKER_TLS_VERIFY=1\n"), "{posix}");
        assert!(posix.contains("export DOCKER_CERT_PATH='/home/ana/My Certs/it'\\''s'\n"), "{posix}");
        assert!(posix.contains("\nunset DOCKER_CONTEXT\n# Run this command to configure your shell:\n"), "{posix}");
        assert!(posix.ends_with("# eval \"$(lab cluster env)\"\n"), "{posix}");

        let fish = EnvShell::Fish.render(&vars(), HOW, "lab cluster env --node 2");
        assert!(fish.starts_with("set -gx DOCKER_HOST tcp://127.0.0.1:32771\n"), "{fish}");
        assert!(fish.contains("\nset -e DOCKER_CONTEXT\n"), "{fish}");
        assert!(fish.ends_with("# lab cluster env --node 2 | source\n"), "{fish}");

        let ps = EnvShell::Powershell.render(
            &[("DOCKER_CERT_PATH", Some(r#"C:\Users\ana\$x"`"#.into()))],
            HOW,
            "lab cluster env",
        );
        assert!(ps.starts_with("$Env:DOCKER_CERT_PATH = \"C:\\Users\\ana\\`$x`\"``\"\n"), "{ps}");
        assert!(ps.ends_with("# & lab cluster env | Invoke-Expression\n"), "{ps}");

        let cmd = EnvShell::Cmd.render(&vars(), HOW, "lab cluster env");
        assert!(cmd.starts_with("SET \"DOCKER_HOST=tcp://127.0.0.1:32771\"\n"), "{cmd}");
        assert!(cmd.contains("\nSET \"DOCKER_CONTEXT=\"\nREM Run this command"), "{cmd}");
        assert!(cmd.contains("IN ('lab cluster env') DO @%i"), "{cmd}");
    }

    #[test]
    fn the_shell_is_guessed_from_shell_then_the_system() {
        let with = |shell: Option<&'static str>| EnvShell::detect(&move |k| (k == "SHELL").then_some(shell?.into()));
        assert_eq!(with(Some("/usr/bin/fish")), EnvShell::Fish);
        assert_eq!(with(Some("/bin/zsh")), EnvShell::Posix);
        assert_eq!(with(Some("/usr/bin/bash")), EnvShell::Posix, "Git Bash on Windows sets SHELL");
        let fallback = if cfg!(windows) { EnvShell::Powershell } else { EnvShell::Posix };
        assert_eq!(with(None), fallback);
        assert_eq!(with(Some("")), fallback);
    }

    #[test]
    fn posix_values_are_quoted_only_when_needed() {
        assert_eq!(posix_quote("tcp://127.0.0.1:2376"), "tcp://127.0.0.1:2376");
        assert_eq!(posix_quote(""), "''");
        assert_eq!(posix_quote("a b"), "'a b'");
        assert_eq!(posix_quote("it's"), "'it'\\''s'");
    }
}
