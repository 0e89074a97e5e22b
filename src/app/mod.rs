//! The app's state, its messages and commands, the key map, the sentences it says, and `update`.

pub mod board_view;
pub mod cash_view;
pub mod category_picker;
pub mod command_palette;
pub mod inbox_view;
pub mod keymap;
pub(crate) mod keys;
pub mod listed;
pub mod load;
pub mod local_error;
pub mod marks;
pub mod msg;
pub mod review_view;
pub mod row_filter;
pub mod rules_view;
pub mod saved_view;
pub mod search_form;
pub mod search_view;
pub mod state;
pub(crate) mod sync_view;
pub(crate) mod text;
pub(crate) mod update;

pub use msg::{Cmd, Effect, Fetch, Job, Msg, Stored};
pub use state::App;
pub use update::update;
