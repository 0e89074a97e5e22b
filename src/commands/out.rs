//! Standard output for the commands: a reader that stops early (`qonto-tui search … | head`)
//! ends the command quietly, through its normal way out (the books closed, the threads
//! joined), instead of a panic in `println!`.

use std::io::Write;

/// Why a line could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutError {
    /// The reader closed the pipe: what it wanted, it has. Not an error to the user.
    #[error("the reader of standard output stopped reading")]
    ReaderLeft,
    #[error("standard output cannot be written: {0}")]
    Failed(std::io::Error),
}

/// Writes one line to standard output.
pub fn line(args: std::fmt::Arguments<'_>) -> Result<(), OutError> {
    let mut out = std::io::stdout().lock();
    out.write_fmt(args)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => OutError::ReaderLeft,
            _ => OutError::Failed(e),
        })
}

/// Whether `error` is only that the reader stopped reading.
pub fn reader_left(error: &anyhow::Error) -> bool {
    matches!(error.downcast_ref::<OutError>(), Some(OutError::ReaderLeft))
}

/// `println!` for the commands: `say!("{n} found")?` ends the command quietly once the reader
/// of standard output has gone.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::commands::out::line(format_args!($($arg)*))
    };
}
