//! `qonto-sandbox`: the fake Qonto on loopback, for scripts, tests and other Qonto integrations.

use std::process::ExitCode;

use clap::Parser;
use qonto_sandbox::cli::{self, SandboxArgs};

/// A faithful fake of Qonto's OAuth server and Business API on loopback. Prints the `KEY=VALUE`
/// settings that point a client at it, then serves until SIGINT or SIGTERM.
#[derive(Debug, Parser)]
#[command(name = "qonto-sandbox", version, about, long_about = None)]
struct Cli {
    #[command(flatten)]
    sandbox: SandboxArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    cli::init_stderr_log();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("qonto-sandbox: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(cli.sandbox)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("qonto-sandbox: {e:#}");
            ExitCode::FAILURE
        }
    }
}
