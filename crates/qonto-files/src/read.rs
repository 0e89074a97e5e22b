//! The one way qonto-tui reads a file the user hands it (a receipt to upload): opened without
//! following a link (`O_NOFOLLOW`) and without waiting on a pipe (`O_NONBLOCK`), checked to be a
//! regular file on the opened descriptor, and read up to a bound.

use std::io::Read;
use std::path::{Path, PathBuf};

use rustix::fs::{FileType, Mode, OFlags};
use rustix::io::Errno;

use crate::FileError;

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("{} is larger than {limit} bytes ({size} bytes)", path.display())]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
}

/// The bytes of the regular file at `path`, at most `limit` of them. A link at `path` is
/// refused (the user names the file itself); a folder, pipe or device is refused.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let fd = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY,
        Mode::empty(),
    )
    .map_err(|e| match e {
        Errno::LOOP => FileError::Link {
            path: path.to_path_buf(),
        },
        other => FileError::io(path, other),
    })?;
    let stat = rustix::fs::fstat(&fd).map_err(|e| FileError::io(path, e))?;
    if FileType::from_raw_mode(stat.st_mode) != FileType::RegularFile {
        return Err(FileError::NotRegular {
            path: path.to_path_buf(),
        }
        .into());
    }
    let size = u64::try_from(stat.st_size).unwrap_or(u64::MAX);
    if size > limit {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            size,
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // Bounded even if the file grows while it is read.
    std::fs::File::from(fd)
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| FileError::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_pipes_folders_and_large_files_are_refused() {
        let dir = std::env::temp_dir().join(format!("qonto-files-read-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let file = dir.join("r.pdf");
        std::fs::write(&file, b"%PDF-1.4 hello").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            read_regular(&file, 100).unwrap_or_else(|e| panic!("{e}")),
            b"%PDF-1.4 hello"
        );
        assert!(matches!(
            read_regular(&file, 5),
            Err(ReadError::TooLarge { size: 14, .. })
        ));
        let link = dir.join("link.pdf");
        std::os::unix::fs::symlink(&file, &link).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            read_regular(&link, 100),
            Err(ReadError::File(FileError::Link { .. }))
        ));
        assert!(matches!(
            read_regular(&dir, 100),
            Err(ReadError::File(FileError::NotRegular { .. }))
        ));
        let fifo = dir.join("pipe");
        rustix::fs::mkfifoat(rustix::fs::CWD, &fifo, Mode::RUSR | Mode::WUSR)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            read_regular(&fifo, 100),
            Err(ReadError::File(FileError::NotRegular { .. }))
        ));
        assert!(read_regular(&dir.join("missing.pdf"), 100).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
