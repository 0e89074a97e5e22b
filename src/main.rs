//! The `qonto-tui` command line: parses arguments and hands over to the library.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use qonto_tui::sandbox_cmd::{self, SandboxArgs};

/// A terminal app for the books of several Qonto organizations, signed in once through
/// Qonto's User OAuth flow.
#[derive(Debug, Parser)]
#[command(name = "qonto-tui", version, about, long_about = None)]
struct Cli {
    /// Run against the embedded sandbox (no account, works offline); tokens stay in memory.
    #[arg(long, global = true)]
    demo: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the embedded Qonto sandbox standalone and print the settings that point qonto-tui at it.
    Sandbox(SandboxArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("qonto-tui: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Some(Command::Sandbox(args)) => {
                init_stderr_log();
                sandbox_cmd::run(args).await.map(|()| ExitCode::SUCCESS)
            }
            None => {
                eprintln!("qonto-tui: the TUI is not built yet; try `qonto-tui sandbox`");
                Ok(ExitCode::FAILURE)
            }
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("qonto-tui: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_stderr_log() {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::new("sandbox=info"))
        .with_target(false)
        .try_init();
}
