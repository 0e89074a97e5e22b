//! A file being written: made aside under a random name (exclusively, never through a link,
//! 0600), then put in place without ever replacing what it was not told to.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::PathBuf;

use rustix::fs::{AtFlags, FileType, Mode, OFlags, RenameFlags};
use rustix::io::Errno;

use crate::{FileError, Folder};

/// What to do when something already has the file's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Leave it. Same bytes: nothing to do ([`Fate::Unchanged`]); other bytes, or not a
    /// regular file: refused.
    Keep,
    /// The user said `--force`: a regular file is replaced (atomically); a link, folder, pipe
    /// or device is still refused.
    Replace,
    /// Take the next free name, `name (2).ext`, `name (3).ext`…: for downloads.
    NextFree,
}

/// What became of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Created,
    Replaced,
    /// The same bytes were already there under that name.
    Unchanged,
}

impl Fate {
    pub fn as_str(self) -> &'static str {
        match self {
            Fate::Created => "created",
            Fate::Replaced => "replaced",
            Fate::Unchanged => "unchanged",
        }
    }
}

/// Where the file ended up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub path: PathBuf,
    pub fate: Fate,
}

/// A file written aside; dropped without [`NewFile::place`], it is removed.
#[derive(Debug)]
pub struct NewFile {
    folder: Folder,
    aside: String,
    name: String,
    file: File,
    placed: bool,
}

const PRIVATE_FILE: u32 = 0o600;
const MAX_TRIES: usize = 999;

impl NewFile {
    pub(crate) fn create(folder: Folder, name: &str) -> Result<Self, FileError> {
        let mut random = [0u8; 8];
        getrandom::fill(&mut random)
            .map_err(|e| FileError::io(folder.path(), std::io::Error::other(e.to_string())))?;
        let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let aside = format!(".qonto-tui-{hex}.part");
        let fd = rustix::fs::openat(
            folder.fd(),
            aside.as_str(),
            OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::RDWR | OFlags::CLOEXEC,
            Mode::from_raw_mode(PRIVATE_FILE),
        )
        .map_err(|e| FileError::io(folder.path().join(&aside), e))?;
        Ok(Self {
            folder,
            aside,
            name: name.to_string(),
            file: File::from(fd),
            placed: false,
        })
    }

    /// Another handle on the same file, for a writer that wants to own one (the export sinks).
    pub fn handle(&self) -> Result<File, FileError> {
        self.file
            .try_clone()
            .map_err(|e| FileError::io(self.path(), e))
    }

    /// Where it is to go.
    pub fn path(&self) -> PathBuf {
        self.folder.path().join(&self.name)
    }

    /// Flushes it to disk and gives it its name, as `existing` says.
    pub fn place(mut self, existing: Existing) -> Result<Placed, FileError> {
        self.file
            .sync_all()
            .map_err(|e| FileError::io(self.path(), e))?;
        let placed = match existing {
            Existing::NextFree => self.next_free(),
            Existing::Keep | Existing::Replace => self.at_name(existing),
        }?;
        self.placed = true;
        // The aside name goes once the file has its own (for Unchanged, the copy just goes).
        let _ = rustix::fs::unlinkat(self.folder.fd(), self.aside.as_str(), AtFlags::empty());
        Ok(placed)
    }

    fn at_name(&mut self, existing: Existing) -> Result<Placed, FileError> {
        let path = self.path();
        match self.link_as(&self.name) {
            Ok(()) => {
                return Ok(Placed {
                    path,
                    fate: Fate::Created,
                });
            }
            Err(Errno::EXIST) => {}
            Err(e) => return Err(FileError::io(&path, e)),
        }
        match self.folder.kind(&self.name) {
            Some(FileType::Symlink) => return Err(FileError::Link { path }),
            Some(FileType::RegularFile) => {}
            _ => return Err(FileError::NotRegular { path }),
        }
        if self
            .same_as_existing()
            .map_err(|e| FileError::io(&path, e))?
        {
            return Ok(Placed {
                path,
                fate: Fate::Unchanged,
            });
        }
        if existing != Existing::Replace {
            return Err(FileError::Exists { path });
        }
        // A rename replaces the name itself: what it pointed to is never written through.
        rustix::fs::renameat(
            self.folder.fd(),
            self.aside.as_str(),
            self.folder.fd(),
            self.name.as_str(),
        )
        .map_err(|e| FileError::io(&path, e))?;
        Ok(Placed {
            path,
            fate: Fate::Replaced,
        })
    }

    fn next_free(&mut self) -> Result<Placed, FileError> {
        let (base, ext) = match self.name.rsplit_once('.') {
            Some((b, e)) if !b.is_empty() => (b.to_string(), format!(".{e}")),
            _ => (self.name.clone(), String::new()),
        };
        for n in 1..=MAX_TRIES {
            let name = if n == 1 {
                self.name.clone()
            } else {
                format!("{base} ({n}){ext}")
            };
            match self.link_as(&name) {
                Ok(()) => {
                    return Ok(Placed {
                        path: self.folder.path().join(&name),
                        fate: Fate::Created,
                    });
                }
                Err(Errno::EXIST) => continue,
                Err(e) => return Err(FileError::io(self.folder.path().join(&name), e)),
            }
        }
        Err(FileError::NoFreeName { path: self.path() })
    }

    /// Gives the aside file the name `name` too, failing if anything (even a dangling link)
    /// has it: `linkat` never replaces. Where the file system has no hard links (FAT, some
    /// network shares) the file is renamed instead, with the kernel refusing to replace.
    fn link_as(&self, name: &str) -> Result<(), Errno> {
        let (dir, aside) = (self.folder.fd(), self.aside.as_str());
        match rustix::fs::linkat(dir, aside, dir, name, AtFlags::empty()) {
            Err(Errno::PERM | Errno::OPNOTSUPP | Errno::MLINK) => {
                rustix::fs::renameat_with(dir, aside, dir, name, RenameFlags::NOREPLACE)
            }
            other => other,
        }
    }

    /// Whether the regular file at the name holds exactly these bytes.
    fn same_as_existing(&mut self) -> std::io::Result<bool> {
        let fd = rustix::fs::openat(
            self.folder.fd(),
            self.name.as_str(),
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK,
            Mode::empty(),
        )?;
        let mut theirs = File::from(fd);
        let (ours_len, theirs_len) = (self.file.metadata()?.len(), theirs.metadata()?.len());
        if !theirs.metadata()?.is_file() || ours_len != theirs_len {
            return Ok(false);
        }
        self.file.rewind()?;
        let (mut a, mut b) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
        loop {
            let n = self.file.read(&mut a)?;
            if n == 0 {
                return Ok(true);
            }
            theirs.read_exact(&mut b[..n])?;
            if a[..n] != b[..n] {
                return Ok(false);
            }
        }
    }
}

impl Write for NewFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl Drop for NewFile {
    fn drop(&mut self) {
        if !self.placed {
            let _ = rustix::fs::unlinkat(self.folder.fd(), self.aside.as_str(), AtFlags::empty());
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    fn mode(path: &std::path::Path) -> u32 {
        std::fs::symlink_metadata(path)
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    }

    fn leftovers(dir: &std::path::Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".part"))
            .collect()
    }

    #[test]
    fn a_new_file_is_private_and_nothing_is_left_aside() {
        let tmp = tempfile::tempdir().unwrap();
        let folder = Folder::open(&tmp.path().join("out")).unwrap();
        let org = folder.child("acme").unwrap();
        let placed = org.write("a.csv", b"x;y\n", Existing::Keep).unwrap();
        assert_eq!(placed.fate, Fate::Created);
        assert_eq!(std::fs::read(&placed.path).unwrap(), b"x;y\n");
        assert_eq!(mode(&placed.path), 0o600);
        assert_eq!(mode(&tmp.path().join("out")), 0o700);
        assert_eq!(mode(&tmp.path().join("out/acme")), 0o700);
        assert!(leftovers(org.path()).is_empty());
        // Dropped before being placed: gone.
        let mut half = org.create("b.csv").unwrap();
        half.write_all(b"half").unwrap();
        drop(half);
        assert!(leftovers(org.path()).is_empty());
        assert!(!org.path().join("b.csv").exists());
    }

    #[test]
    fn planted_links_are_never_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join("target"), b"precious").unwrap();
        let out = tmp.path().join("out");
        std::fs::create_dir(&out).unwrap();
        symlink(outside.join("target"), out.join("a.csv")).unwrap();
        symlink(&outside, out.join("acme")).unwrap();
        symlink(outside.join("missing"), out.join("d.csv")).unwrap();
        let folder = Folder::open(&out).unwrap();
        for existing in [Existing::Keep, Existing::Replace] {
            let err = folder.write("a.csv", b"bank", existing).unwrap_err();
            assert!(matches!(err, FileError::Link { .. }), "{err}");
        }
        assert!(matches!(
            folder.child("acme").unwrap_err(),
            FileError::Link { .. }
        ));
        assert!(matches!(
            folder.write("d.csv", b"bank", Existing::Keep).unwrap_err(),
            FileError::Link { .. }
        ));
        assert_eq!(std::fs::read(outside.join("target")).unwrap(), b"precious");
        assert!(!outside.join("missing").exists());
        assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 1);
        // A download steps around the dangling link.
        let placed = folder.write("d.csv", b"bank", Existing::NextFree).unwrap();
        assert_eq!(placed.path, out.join("d (2).csv"));
        assert!(leftovers(&out).is_empty());
    }

    #[test]
    fn an_existing_file_is_kept_unless_replacing_was_asked() {
        let tmp = tempfile::tempdir().unwrap();
        let folder = Folder::open(tmp.path()).unwrap();
        std::fs::write(tmp.path().join("a.csv"), b"theirs").unwrap();
        let err = folder.write("a.csv", b"ours", Existing::Keep).unwrap_err();
        assert!(matches!(err, FileError::Exists { .. }), "{err}");
        assert_eq!(std::fs::read(tmp.path().join("a.csv")).unwrap(), b"theirs");
        let same = folder.write("a.csv", b"theirs", Existing::Keep).unwrap();
        assert_eq!(same.fate, Fate::Unchanged);
        let replaced = folder.write("a.csv", b"ours", Existing::Replace).unwrap();
        assert_eq!(replaced.fate, Fate::Replaced);
        assert_eq!(std::fs::read(tmp.path().join("a.csv")).unwrap(), b"ours");
        assert_eq!(mode(&tmp.path().join("a.csv")), 0o600);
        assert!(leftovers(tmp.path()).is_empty());
    }

    #[test]
    fn pipes_and_folders_are_refused_even_when_forced() {
        let tmp = tempfile::tempdir().unwrap();
        let folder = Folder::open(tmp.path()).unwrap();
        std::fs::create_dir(tmp.path().join("dir.csv")).unwrap();
        let status = std::process::Command::new("mkfifo")
            .arg(tmp.path().join("fifo.csv"))
            .status()
            .unwrap();
        assert!(status.success());
        for name in ["dir.csv", "fifo.csv"] {
            let err = folder.write(name, b"bank", Existing::Replace).unwrap_err();
            assert!(matches!(err, FileError::NotRegular { .. }), "{name}: {err}");
        }
        assert!(tmp.path().join("dir.csv").is_dir());
        assert!(leftovers(tmp.path()).is_empty());
    }

    #[test]
    fn hostile_names_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let folder = Folder::open(tmp.path()).unwrap();
        for name in ["", ".", "..", "a/b", "a\0b", &"x".repeat(256)] {
            assert!(matches!(
                folder.create(name).unwrap_err(),
                FileError::BadName { .. }
            ));
        }
    }
}
