//! The default key bindings of every mode, with their help lines.

use crossterm::event::KeyCode;

use super::{Action, Binding, KeyChord, Mode, Section};

fn bind(
    mode: Mode,
    action: Action,
    keys: &[KeyChord],
    help: &'static str,
    section: Section,
) -> Binding {
    Binding {
        mode,
        action,
        keys: keys.to_vec(),
        aliases: Vec::new(),
        help,
        section,
    }
}

pub(super) fn defaults() -> Vec<Binding> {
    use Action::*;
    use Mode::{Main, Paste, SignIn};
    use Section::*;
    let key = KeyChord::plain;
    let ch = KeyChord::char;
    let quit = [ch('q'), KeyChord::ctrl('c')];
    let switch_pane = bind(
        Main,
        SwitchPane,
        &[key(KeyCode::Tab)],
        "switch between organizations and data",
        Everywhere,
    )
    .also(&[key(KeyCode::BackTab)]);
    let help_close = bind(
        Mode::Help,
        Cancel,
        &[ch('?'), key(KeyCode::Esc), ch('q')],
        "close",
        Own,
    )
    .also(&[key(KeyCode::Enter)]);
    vec![
        bind(
            Main,
            Up,
            &[key(KeyCode::Up), ch('k')],
            "previous organization / row",
            Lists,
        ),
        bind(
            Main,
            Down,
            &[key(KeyCode::Down), ch('j')],
            "next organization / row",
            Lists,
        ),
        bind(Main, PageUp, &[key(KeyCode::PageUp)], "one page up", Lists),
        bind(
            Main,
            PageDown,
            &[key(KeyCode::PageDown)],
            "one page down",
            Lists,
        ),
        bind(Main, Home, &[key(KeyCode::Home), ch('g')], "first", Lists),
        bind(Main, End, &[key(KeyCode::End), ch('G')], "last", Lists),
        bind(
            Main,
            Filter,
            &[ch('/')],
            "filter organizations by name",
            Lists,
        ),
        switch_pane,
        bind(
            Main,
            NextTab,
            &[key(KeyCode::Right), ch('l')],
            "next tab",
            DataPane,
        ),
        bind(
            Main,
            PrevTab,
            &[key(KeyCode::Left), ch('h')],
            "previous tab",
            DataPane,
        ),
        bind(Main, Tab1, &[ch('1')], "Accounts", DataPane),
        bind(Main, Tab2, &[ch('2')], "Transactions", DataPane),
        bind(Main, Tab3, &[ch('3')], "Members", DataPane),
        bind(Main, Tab4, &[ch('4')], "Labels", DataPane),
        bind(
            Main,
            PrevAccount,
            &[ch('[')],
            "previous bank account (transactions)",
            DataPane,
        ),
        bind(
            Main,
            NextAccount,
            &[ch(']')],
            "next bank account (transactions)",
            DataPane,
        ),
        bind(
            Main,
            RevealIban,
            &[ch('i')],
            "show or hide full IBANs",
            DataPane,
        ),
        bind(
            Main,
            ToggleDeclined,
            &[ch('d')],
            "show or hide declined transactions",
            DataPane,
        ),
        bind(
            Main,
            Refresh,
            &[ch('r')],
            "refresh this organization",
            Everywhere,
        ),
        bind(
            Main,
            RefreshAll,
            &[ch('R')],
            "refresh every organization",
            Everywhere,
        ),
        bind(
            Main,
            Zoom,
            &[ch('z')],
            "hide or show the organizations pane",
            Everywhere,
        ),
        bind(
            Main,
            Reconsent,
            &[ch('c')],
            "change which organizations are shared (browser)",
            Everywhere,
        ),
        bind(
            Main,
            AddOrg,
            &[ch('a')],
            "add an organization (API key, consent)",
            Lists,
        ),
        bind(
            Main,
            RemoveOrg,
            &[ch('x')],
            "remove an organization's key or consent",
            Lists,
        ),
        bind(
            Main,
            Search,
            &[ch('s')],
            "search every organization's transactions",
            Everywhere,
        ),
        bind(
            Main,
            Receipts,
            &[ch('m')],
            "missing receipts, every organization (⚠N: how many)",
            Everywhere,
        ),
        bind(
            Main,
            Inbox,
            &[ch('I')],
            "receipts inbox: match files, attach them",
            Everywhere,
        ),
        bind(
            Main,
            Review,
            &[ch('V')],
            "requests and invoices to review: decline, pay",
            Everywhere,
        ),
        bind(
            Main,
            Rules,
            &[ch('P')],
            "what your category rules propose (file on a yes)",
            Everywhere,
        ),
        bind(
            Main,
            Board,
            &[ch('B')],
            "month-end board: every organization's month",
            Everywhere,
        ),
        bind(
            Main,
            Palette,
            &[ch(':')],
            "every command, organization and search, by name",
            Everywhere,
        ),
        bind(
            Main,
            Cash,
            &[ch('$')],
            "the group's cash: balances, in and out",
            Everywhere,
        ),
        bind(
            Main,
            Export,
            &[ch('e')],
            "export these transactions as CSV (^E in search)",
            DataPane,
        ),
        bind(Main, Help, &[ch('?')], "this help", Everywhere),
        bind(
            Main,
            Cancel,
            &[key(KeyCode::Esc)],
            "close / clear filter",
            Everywhere,
        ),
        bind(Main, Quit, &quit, "quit", Everywhere),
        bind(
            Mode::Filter,
            Confirm,
            &[key(KeyCode::Enter)],
            "keep the filter",
            Own,
        ),
        bind(
            Mode::Filter,
            Cancel,
            &[key(KeyCode::Esc)],
            "clear the filter",
            Own,
        ),
        help_close,
        bind(SignIn, Confirm, &[key(KeyCode::Enter)], "start again", Own),
        bind(
            SignIn,
            OpenBrowser,
            &[ch('o')],
            "open the browser again",
            Own,
        ),
        bind(
            SignIn,
            CopyUrl,
            &[ch('y')],
            "copy the URL (OSC 52: most terminals, SSH too)",
            Own,
        ),
        bind(SignIn, PasteUrl, &[key(KeyCode::Tab)], "paste a URL", Own).also(&[ch('p')]),
        bind(
            SignIn,
            BuiltInBrowser,
            &[ch('s')],
            "demo: let a built-in browser allow all organizations",
            Own,
        ),
        bind(SignIn, Cancel, &[key(KeyCode::Esc)], "stop waiting", Own),
        bind(SignIn, Quit, &quit, "quit", Own),
        bind(
            Paste,
            Submit,
            &[key(KeyCode::Enter)],
            "use the pasted URL",
            Own,
        ),
        bind(
            Paste,
            Cancel,
            &[key(KeyCode::Tab), key(KeyCode::Esc)],
            "back",
            Own,
        ),
        bind(Paste, Quit, &[KeyChord::ctrl('c')], "quit", Own),
        bind(Mode::AddOrg, Submit, &[key(KeyCode::Enter)], "add", Own),
        bind(
            Mode::AddOrg,
            Choose,
            &[key(KeyCode::Tab)],
            "API key / membership consent",
            Own,
        )
        .also(&[key(KeyCode::BackTab), key(KeyCode::Up), key(KeyCode::Down)]),
        bind(Mode::AddOrg, Cancel, &[key(KeyCode::Esc)], "cancel", Own),
        bind(Mode::AddOrg, Quit, &[KeyChord::ctrl('c')], "quit", Own),
        bind(
            Mode::Confirm,
            Confirm,
            &[ch('y'), key(KeyCode::Enter)],
            "yes",
            Own,
        ),
        bind(
            Mode::Confirm,
            Cancel,
            &[ch('n'), key(KeyCode::Esc)],
            "no",
            Own,
        ),
        bind(Mode::Confirm, Quit, &[KeyChord::ctrl('c')], "quit", Own),
    ]
}
