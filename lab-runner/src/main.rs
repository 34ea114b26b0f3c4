fn main() -> std::process::ExitCode {
    lab_runner::main()
}
