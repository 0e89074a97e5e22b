//! Shell completion scripts: clap's, with `--org` completing the organizations' names from the
//! local copy (`qonto-tui orgs --complete` prints them) instead of file names.

use std::time::Duration;

use clap_complete::Shell;

use crate::config::Config;

/// How long completion waits for the copy (its key may sit in a secret store that is slow to
/// answer); past it, nothing is offered rather than the shell hanging.
const WAIT: Duration = Duration::from_secs(2);

/// The names `--org` completes to: the organizations of the local copy, one per line, without
/// control characters; nothing when the copy cannot be read in time.
pub async fn org_names(config: &Config) -> Vec<String> {
    let read = async {
        let books = crate::local_copy::open_to_read(config).await.ok()?;
        books.read(|b| b.organization_ids()).await.ok()?.ok()
    };
    match tokio::time::timeout(WAIT, read).await {
        Ok(Some(orgs)) => orgs
            .into_iter()
            .map(|(_, name)| qonto_client::printable::printable(&name, 80))
            .filter(|name| !name.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

/// The completion script for `shell`, `--org` asking the copy for names.
pub fn script(shell: Shell, command: &mut clap::Command) -> Vec<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, command, "qonto-tui", &mut script);
    let text = String::from_utf8_lossy(&script).into_owned();
    let text = match shell {
        // clap_complete names the subcommands' cases `qonto__subcmd__tui…` while it looks
        // them up as `qonto__tui…` (the hyphen of the name): without this no option of a
        // subcommand completes in bash.
        Shell::Bash => text.replace("qonto__subcmd__tui", "qonto__tui").replace(
            "--org)\n                    COMPREPLY=($(compgen -f \"${cur}\"))",
            "--org)\n                    local IFS=$'\\n'\n                    COMPREPLY=($(compgen -W \"$(qonto-tui orgs --complete 2>/dev/null)\" -- \"${cur}\"))",
        ),
        Shell::Zsh => text.replace(
            ":ID:_default'",
            ":ORG:{compadd -- ${(f)\"$(qonto-tui orgs --complete 2>/dev/null)\"}}'",
        )
        .replace(
            ":ORG:_default'",
            ":ORG:{compadd -- ${(f)\"$(qonto-tui orgs --complete 2>/dev/null)\"}}'",
        ),
        Shell::Fish => text
            .lines()
            .map(|line| {
                if line.contains(" -l org ") && line.ends_with(" -r") {
                    format!("{line} -f -a \"(qonto-tui orgs --complete 2>/dev/null)\"")
                } else {
                    line.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
            + "\n",
        _ => text,
    };
    text.into_bytes()
}
