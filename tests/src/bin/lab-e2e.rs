//! The `lab` command, built inside this package too: cargo hands a package's own binaries
//! to its integration tests (`CARGO_BIN_EXE_lab-e2e`), so the scenarios here can run `lab`
//! as a child process, and kill it, without guessing where another package's binary is.

fn main() -> std::process::ExitCode {
    lab_runner::main()
}
