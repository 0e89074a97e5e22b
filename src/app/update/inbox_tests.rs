//! The inbox's keys, without a terminal: nothing is sent on a guess, a person's choice among
//! candidates is what is sent, marks and `A` send each marked file once, answers land on the
//! row that asked, and a file already sent is never sent again.

use std::path::PathBuf;
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::super::super::inbox_view::{InboxFound, InboxView, RowState};
use super::super::super::msg::{Cmd, Job, Msg, WriteAsk, Written};
use super::super::super::state::App;
use crate::outcome::InboxItem as Item;
use crate::outcome::WriteOutcome as Outcome;
use crate::receipt_text::Method;
use qonto_books::journal::WriteState;
use qonto_books::matching::{Candidate, Proposal, Scored};

fn scored(id: &str, cents: i64) -> Scored {
    Scored {
        candidate: Candidate {
            id: id.into(),
            org_id: "org".into(),
            org_name: "Acme".into(),
            amount_cents: cents,
            currency: "EUR".into(),
            local_amount_cents: None,
            local_currency: None,
            emitted_on: None,
            counterparty: "URSSAF".into(),
            card_last_digits: None,
            counterparty_iban: None,
            reference: None,
        },
        score: 0.9,
        reasons: vec!["amount".into()],
    }
}

fn item(name: &str, proposal: Proposal) -> Item {
    Item {
        path: PathBuf::from(format!("/inbox/{name}")),
        name: name.into(),
        sha256: format!("sha-{name}"),
        method: Method::PdfText,
        note: None,
        proposal,
    }
}

/// An app with the inbox open on: a confident file, one with two candidates, one with none.
fn app() -> App {
    let now = Instant::now();
    let mut app = App::new(false, None, now);
    app.receipts_inbox = PathBuf::from("/inbox");
    let mut view = InboxView::new(PathBuf::from("/inbox"), 1, now);
    view.read(
        1,
        Ok(InboxFound {
            items: vec![
                item("a.pdf", Proposal::Confident(Box::new(scored("tx-a", 100)))),
                item(
                    "b.pdf",
                    Proposal::Candidates {
                        candidates: vec![scored("tx-b1", 200), scored("tx-b2", 200)],
                    },
                ),
                item("c.pdf", Proposal::Candidates { candidates: vec![] }),
            ],
            skipped: vec![],
            candidates: 3,
        }),
    );
    app.inbox = Some(view);
    app
}

fn press(app: &mut App, code: KeyCode) -> Vec<Cmd> {
    super::on_key(app, &KeyEvent::new(code, KeyModifiers::NONE))
}

fn attached(cmds: &[Cmd]) -> Vec<String> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Job(Job::Write(WriteAsk::Attach { transaction, .. })) => Some(transaction.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn nothing_is_sent_on_a_guess_and_a_persons_choice_is_what_is_sent() {
    let mut app = app();
    // The confident file: Enter sends its proposal, with its digest and its inbox.
    let cmds = press(&mut app, KeyCode::Enter);
    assert_eq!(attached(&cmds), ["tx-a"]);
    let Some(Cmd::Job(Job::Write(WriteAsk::Attach { sha256, inbox, .. }))) = cmds.first() else {
        panic!("an attach");
    };
    assert_eq!(sha256.as_deref(), Some("sha-a.pdf"));
    assert_eq!(inbox.as_deref(), Some(std::path::Path::new("/inbox")));
    // Sent once: Enter again sends nothing.
    assert!(attached(&press(&mut app, KeyCode::Enter)).is_empty());

    // Two candidates, none chosen: nothing is sent, and the status says how to choose.
    press(&mut app, KeyCode::Down);
    assert!(attached(&press(&mut app, KeyCode::Enter)).is_empty());
    assert!(app.status.is_some());
    // Stepping to the second candidate and confirming sends that one.
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    assert_eq!(attached(&press(&mut app, KeyCode::Enter)), ["tx-b2"]);

    // No candidate at all: nothing to step to, nothing sent.
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Right);
    assert!(attached(&press(&mut app, KeyCode::Enter)).is_empty());
}

#[test]
fn marks_send_each_marked_file_with_a_choice_once() {
    let mut app = app();
    // `+` marks the confident ones only; Space marks another.
    press(&mut app, KeyCode::Char('+'));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char(' '));
    let view = app.inbox.as_ref().unwrap();
    assert_eq!(view.marked_total(), (2, vec![("EUR".into(), 100)]));
    // The marked file without a choice is left, and said.
    let cmds = press(&mut app, KeyCode::Char('A'));
    assert_eq!(attached(&cmds), ["tx-a"]);
    assert!(app.status.is_some());
    assert!(attached(&press(&mut app, KeyCode::Char('A'))).is_empty());
}

#[test]
fn an_answer_lands_on_the_row_that_asked_and_u_takes_back_that_write() {
    let mut app = app();
    let cmds = press(&mut app, KeyCode::Enter);
    let Some(Cmd::Job(Job::Write(ask))) = cmds.into_iter().next() else {
        panic!("an attach");
    };
    let done = Written {
        outcome: Outcome {
            write: 7,
            state: WriteState::Accepted,
            attachment: None,
            already: false,
        },
        words: "Acme · URSSAF".into(),
        transaction: "tx-a".into(),
        moved: None,
    };
    crate::app::update(
        &mut app,
        Msg::Written {
            ask,
            result: Ok(Box::new(done)),
        },
    );
    let row = &app.inbox.as_ref().unwrap().rows[0];
    assert!(
        matches!(&row.state, RowState::Done { outcome, .. } if outcome.state == WriteState::Accepted)
    );
    crate::app::update(&mut app, Msg::WriteConfirmed { write: 7 });
    let row = &app.inbox.as_ref().unwrap().rows[0];
    assert!(
        matches!(&row.state, RowState::Done { outcome, .. } if outcome.state == WriteState::Confirmed)
    );
    let cmds = press(&mut app, KeyCode::Char('u'));
    assert!(
        matches!(
            cmds.as_slice(),
            [Cmd::Job(Job::Write(WriteAsk::Undo { write: 7, .. }))]
        ),
        "{cmds:?}"
    );
}

#[test]
fn a_closed_inbox_opens_again_with_its_rows_and_reads_the_folder_again() {
    let mut app = app();
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Esc);
    assert!(app.inbox.is_none());
    let cmds = super::open(&mut app);
    assert!(matches!(cmds.as_slice(), [Cmd::Job(Job::ReadInbox { .. })]));
    let row = &app.inbox.as_ref().unwrap().rows[0];
    assert!(matches!(row.state, RowState::Sending(_)), "kept as it was");
}
