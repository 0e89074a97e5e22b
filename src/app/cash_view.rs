//! The group's cash as the app holds it: asked of the local books when opened (and again after
//! each sync pass while it is open), scrolled with the moving keys.

use std::cell::Cell;

use qonto_books::GroupCash;

#[derive(Debug, Default)]
pub struct CashView {
    pub state: CashState,
    /// The first line shown.
    pub scroll: Cell<usize>,
    /// Whose charts are drawn: 0 the group, else that organization (in the view's order).
    pub chart: usize,
}

#[derive(Debug, Default)]
pub enum CashState {
    #[default]
    Loading,
    Ready(Box<GroupCash>),
    Failed(super::local_error::LocalCopyError),
}
