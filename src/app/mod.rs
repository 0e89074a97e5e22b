//! The app's state, its messages and commands, the key map, and `update`.

pub mod keymap;
pub mod msg;
pub mod state;
pub mod update;

pub use msg::{Cmd, Msg};
pub use state::App;
pub use update::update;
