//! Why the local copy of the books could not answer a view (search, detail, cash, an export),
//! kept typed from the worker to the screen: `app/text.rs` words it where it is shown.

use std::path::PathBuf;
use std::sync::Arc;

/// What went wrong with the local copy.
#[derive(Debug, Clone)]
pub enum LocalCopyError {
    /// Turned off, or it could not be opened (the log says why).
    NotOpen,
    /// The search could not be read.
    Query(qonto_books::query::QueryError),
    /// Reading the local copy failed.
    Read(Arc<qonto_books::BooksError>),
    /// The transaction is no longer in the local copy.
    Gone,
    /// The export's file could not be made.
    File {
        path: PathBuf,
        cause: Arc<std::io::Error>,
    },
    /// Writing the export failed part way (the file is removed).
    Export(Arc<qonto_books::export::ExportError>),
}

impl From<qonto_books::BooksError> for LocalCopyError {
    fn from(e: qonto_books::BooksError) -> Self {
        LocalCopyError::Read(Arc::new(e))
    }
}

impl From<qonto_books::export::ExportError> for LocalCopyError {
    fn from(e: qonto_books::export::ExportError) -> Self {
        LocalCopyError::Export(Arc::new(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::text::local_copy_error;

    #[test]
    fn each_error_is_worded_bounded_and_without_control_characters() {
        let hostile = PathBuf::from(format!("/tmp/\u{1b}[31mred\u{7}{}", "x".repeat(2_000)));
        let errors = [
            LocalCopyError::NotOpen,
            LocalCopyError::Query(qonto_books::query::QueryError {
                token: "\u{1b}]52;c;evil\u{7}".into(),
                why: "not an amount".into(),
            }),
            LocalCopyError::Read(Arc::new(qonto_books::BooksError::Closed)),
            LocalCopyError::Gone,
            LocalCopyError::File {
                path: hostile,
                cause: Arc::new(std::io::Error::other("disk full")),
            },
        ];
        for error in &errors {
            let words = local_copy_error(error);
            assert!(!words.is_empty(), "{error:?}");
            // At most 300 characters, and the ellipsis that says it was cut.
            assert!(words.chars().count() <= 301, "{error:?}: {words}");
            assert!(!words.chars().any(char::is_control), "{error:?}: {words:?}");
        }
        assert!(
            local_copy_error(&errors[4]).contains("disk full")
                || local_copy_error(&errors[4]).ends_with('…')
        );
        assert!(local_copy_error(&errors[3]).contains("no longer in the local copy"));
    }
}
