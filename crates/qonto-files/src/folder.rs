//! An opened folder files are made in: the user's own (taken as given, made 0700 if missing),
//! or one the app names inside it (made 0700, never a link).

use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, CWD, FileType, Mode, OFlags};
use rustix::io::Errno;

use crate::{FileError, NewFile, check_component};

/// A folder, opened once: every file and folder below is made relative to it, so no link
/// swapped in along the path later can redirect a write.
#[derive(Debug)]
pub struct Folder {
    fd: OwnedFd,
    path: PathBuf,
}

const PRIVATE_DIR: u32 = 0o700;

impl Folder {
    /// The folder the user named (`--dir`, `--output`, the download folder): made with its
    /// missing parents, 0700, when it is not there; a link the user made to it is followed,
    /// as it is their choice.
    pub fn open(path: &Path) -> Result<Self, FileError> {
        let path = if path.as_os_str().is_empty() {
            Path::new(".")
        } else {
            path
        };
        if !path.is_dir() {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(PRIVATE_DIR)
                .create(path)
                .map_err(|e| FileError::io(path, e))?;
        }
        let fd = rustix::fs::openat(
            CWD,
            path,
            OFlags::DIRECTORY | OFlags::RDONLY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| FileError::io(path, e))?;
        Ok(Self {
            fd,
            path: path.to_path_buf(),
        })
    }

    /// The folder `name` inside this one, made 0700 if it is not there. A link, or anything
    /// but a folder, at that name is refused: the app never writes through one.
    pub fn child(&self, name: &str) -> Result<Folder, FileError> {
        check_component(name)?;
        let path = self.path.join(name);
        match rustix::fs::mkdirat(&self.fd, name, Mode::from_raw_mode(PRIVATE_DIR)) {
            Ok(()) | Err(Errno::EXIST) => {}
            Err(e) => return Err(FileError::io(&path, e)),
        }
        let opened = rustix::fs::openat(
            &self.fd,
            name,
            OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::RDONLY | OFlags::CLOEXEC,
            Mode::empty(),
        );
        match opened {
            Ok(fd) => Ok(Folder { fd, path }),
            Err(Errno::LOOP) => Err(FileError::Link { path }),
            Err(Errno::NOTDIR) => match self.kind(name) {
                Some(FileType::Symlink) => Err(FileError::Link { path }),
                _ => Err(FileError::NotRegular { path }),
            },
            Err(e) => Err(FileError::io(&path, e)),
        }
    }

    /// The folders `names` one inside the other, each as [`Folder::child`] makes it.
    pub fn descend<'a>(
        &self,
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<Folder, FileError> {
        let mut names = names.into_iter();
        let Some(first) = names.next() else {
            return self.try_clone();
        };
        let mut folder = self.child(first)?;
        for name in names {
            folder = folder.child(name)?;
        }
        Ok(folder)
    }

    /// A new file to be called `name` here, written aside until [`NewFile::place`].
    pub fn create(&self, name: &str) -> Result<NewFile, FileError> {
        check_component(name)?;
        NewFile::create(self.try_clone()?, name)
    }

    /// Writes `bytes` as `name` here, whole or not at all.
    pub fn write(
        &self,
        name: &str,
        bytes: &[u8],
        existing: crate::Existing,
    ) -> Result<crate::Placed, FileError> {
        let mut file = self.create(name)?;
        std::io::Write::write_all(&mut file, bytes)
            .map_err(|e| FileError::io(self.path.join(name), e))?;
        file.place(existing)
    }

    /// Where this folder is, as it was reached.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn fd(&self) -> &OwnedFd {
        &self.fd
    }

    /// What `name` here is, without following a link; `None` when nothing is there.
    pub(crate) fn kind(&self, name: &str) -> Option<FileType> {
        rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW)
            .ok()
            .map(|st| FileType::from_raw_mode(st.st_mode))
    }

    pub(crate) fn try_clone(&self) -> Result<Folder, FileError> {
        Ok(Folder {
            fd: self
                .fd
                .try_clone()
                .map_err(|e| FileError::io(&self.path, e))?,
            path: self.path.clone(),
        })
    }
}
