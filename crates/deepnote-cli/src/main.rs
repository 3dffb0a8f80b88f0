//! The `deepnote` binary.

fn main() -> std::process::ExitCode {
    deepnote_cli::main()
}
