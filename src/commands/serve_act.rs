//! `qonto-tui serve act`: the firm's service carrying out what staff asked (intents in the
//! books' actions table), each with the asking staff member's own Qonto credentials on this
//! machine (`qonto-tui --staff NAME login`, `key add`) and their own write journal, so that
//! Qonto's audit trail names who did it. Nothing is done for a staff member no longer granted
//! the organization, for a transaction that is not that organization's, or where this
//! machine's `writes` setting does not allow it.

use std::collections::HashMap;
use std::path::PathBuf;

use qonto_books::firm::Firm;
use qonto_books::firm::actions::{self, Intent, TargetRow};
use qonto_books::journal::WriteState;
use qonto_client::printable::printable;

use super::writes::Session;
use crate::config::Config;
use crate::writes::receipts::{ReceiptFile, Target};

/// Intents carried out in one pass at most (a pass ends sooner when none is waiting).
const MAX_PER_PASS: usize = 10_000;

/// What one pass did.
#[derive(Debug, Default)]
pub struct Pass {
    pub done: usize,
    pub failed: usize,
    /// Sent, with no answer yet: carried on by the next pass under the same key.
    pub waiting: usize,
}

/// Carries out every intent waiting, oldest first; says each on stdout.
pub async fn act(config: &Config, firm: &Firm) -> anyhow::Result<Pass> {
    let mut sessions: HashMap<String, Option<Session>> = HashMap::new();
    let mut pass = Pass::default();
    for _ in 0..MAX_PER_PASS {
        let Some(intent) = actions::claim_next(firm.client()).await? else {
            break;
        };
        let said = match carry_out(config, firm, &mut sessions, &intent).await {
            Ok(Carried::Done { write, words }) => {
                pass.done += 1;
                actions::finish(firm.client(), intent.id, true, write, &words).await?;
                words
            }
            Ok(Carried::Waiting { words }) => {
                // Left `working`: the next pass asks again under the journal's key.
                pass.waiting += 1;
                words
            }
            Err(why) => {
                pass.failed += 1;
                let why = printable(&why, 500);
                actions::finish(firm.client(), intent.id, false, None, &why).await?;
                format!("not done: {why}")
            }
        };
        crate::say!(
            "intent #{} ({}, {}): {said}",
            intent.id,
            printable(&intent.staff, 63),
            printable(&intent.kind, 20)
        )?;
        if pass.waiting > 0 && pass.done + pass.failed == 0 {
            // Only unanswered ones are left: Qonto is not answering now.
            break;
        }
    }
    for session in sessions.into_values().flatten() {
        session.close().await;
    }
    Ok(pass)
}

/// What came of an intent the service could take on.
pub(super) enum Carried {
    /// Done; the journal's write (none when nothing needed changing).
    Done { write: Option<i64>, words: String },
    /// Sent with no answer yet.
    Waiting { words: String },
}

/// One intent, with its staff member's session (opened once a pass): `Err` says why nothing
/// was done.
async fn carry_out(
    config: &Config,
    firm: &Firm,
    sessions: &mut HashMap<String, Option<Session>>,
    intent: &Intent,
) -> Result<Carried, String> {
    if !actions::still_granted(firm.client(), &intent.staff, &intent.org_id)
        .await
        .map_err(db)?
    {
        return Err(format!(
            "{} is no longer granted organization {}",
            intent.staff, intent.org_id
        ));
    }
    if ![actions::ATTACH, actions::CATEGORIZE, actions::DECLINE].contains(&intent.kind.as_str()) {
        return Err(format!("this service does not carry out {:?}", intent.kind));
    }
    if !sessions.contains_key(&intent.staff) {
        let opened = open_session(config, &intent.staff).await;
        sessions.insert(intent.staff.clone(), opened);
    }
    let Some(Some(session)) = sessions.get(&intent.staff) else {
        return Err(format!(
            "{0} has no Qonto credential on the firm's service: run `qonto-tui --staff {0} login` (or `key add`) there",
            intent.staff
        ));
    };
    let Some((_, org_name)) = session
        .organizations()
        .into_iter()
        .find(|(id, _)| *id == intent.org_id)
    else {
        return Err(format!(
            "{}'s own Qonto credentials do not reach organization {}",
            intent.staff, intent.org_id
        ));
    };
    let config = staff_config(config, &intent.staff);
    if intent.kind == actions::CATEGORIZE {
        return super::serve_categorize::carry_out(&config, firm, session, intent, &org_name).await;
    }
    if intent.kind == actions::DECLINE {
        return super::serve_decline::carry_out(&config, session, intent, &org_name).await;
    }
    attach(&config, firm, session, intent).await
}

/// A database error in words.
pub(super) fn db(e: qonto_books::firm::FirmError) -> String {
    e.to_string()
}

/// An attach intent: the file uploaded to the transaction it names, which must be the
/// organization's.
async fn attach(
    config: &Config,
    firm: &Firm,
    session: &Session,
    intent: &Intent,
) -> Result<Carried, String> {
    let (Some(tx_id), Some(bytes), Some(name)) =
        (&intent.transaction, &intent.file, &intent.file_name)
    else {
        return Err("the intent names no transaction or file".into());
    };
    let Some(row) = actions::target(firm.client(), &intent.org_id, tx_id)
        .await
        .map_err(db)?
    else {
        return Err(format!(
            "organization {} holds no transaction {tx_id} in the firm's books",
            intent.org_id
        ));
    };
    let target = target_of(&row);
    let file = ReceiptFile::new(
        PathBuf::from(format!("firm intent #{} of {}", intent.id, intent.staff)),
        name,
        bytes.clone(),
    );
    let outcome = session
        .receipts(config)
        .attach_file(&target, file)
        .await
        .map_err(|e| e.to_string())?;
    let on = format!("{} ({})", target.words, target.org_name);
    let words = match (outcome.already, outcome.state) {
        (true, _) => format!("already attached to {on} (write #{})", outcome.write),
        (false, WriteState::Confirmed) => {
            format!("attached to {on} (write #{})", outcome.write)
        }
        (false, WriteState::Accepted) => format!(
            "sent to {on}: Qonto accepted it and is processing it (write #{})",
            outcome.write
        ),
        (false, state) => {
            return Ok(Carried::Waiting {
                words: format!(
                    "sent to {on}, no answer yet (write #{}, {})",
                    outcome.write,
                    state.as_str()
                ),
            });
        }
    };
    Ok(Carried::Done {
        write: Some(outcome.write),
        words,
    })
}

/// The service's settings, acting for `staff`.
fn staff_config(config: &Config, staff: &str) -> Config {
    let mut config = config.clone();
    config.staff = Some(staff.to_string());
    config
}

/// `staff`'s writing session on this machine, their earlier writes finished first; `None`
/// when they have no credential here.
async fn open_session(config: &Config, staff: &str) -> Option<Session> {
    let config = staff_config(config, staff);
    let session = match Session::open(&config).await {
        Ok(session) => session,
        Err(e) => {
            tracing::warn!("no session for staff {staff}: {e}");
            return None;
        }
    };
    if session.organizations().is_empty() {
        session.close().await;
        return None;
    }
    for (write, result) in session
        .receipts(&config)
        .finish_unfinished()
        .await
        .unwrap_or_default()
    {
        if let Err(e) = result {
            eprintln!("{staff}'s earlier write #{} is not finished: {e}", write.id);
        }
    }
    Some(session)
}

/// The transaction as the firm's books hold it, as the write path names it.
fn target_of(row: &TargetRow) -> Target {
    Target {
        org_name: printable(row.org_name.as_deref().unwrap_or(&row.org_id), 80),
        org_id: row.org_id.clone(),
        account_id: row.account_id.clone(),
        tx_id: row.tx_id.clone(),
        words: Target::words(
            row.date.as_deref(),
            row.counterparty.as_deref(),
            row.amount_cents,
            row.side.as_deref() == Some("debit"),
            row.currency.as_deref(),
        ),
    }
}
