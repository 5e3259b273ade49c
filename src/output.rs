//! Writing the output folder: one run at a time, all or nothing.
//!
//! In: the output folder and the rendered files (relative path + bytes).
//! Out: the files in place. Guarantees: a lock file (`.hyte.lock` in the
//! output folder) keeps a second run from writing at the same time (it gets
//! [`OutputError::Locked`] at once instead of waiting, which is what cron
//! needs); everything is first written to a staging folder beside the
//! outputs, and only when all of it is written are the entries moved into
//! place, each with an atomic rename, so a failed run leaves the previous
//! outputs as they were.

use std::fs::{self, File, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The top-level entries hyte writes in an output folder; nothing else there
/// is ever touched.
const OWNED: [&str; 5] = [
    "report.md",
    "report.html",
    "manifest.json",
    "tables",
    "charts",
];

/// A rendered output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Relative to the output folder, `/`-separated (`tables/trends.csv`).
    pub path: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{dir}: another hyte run holds the lock {lock}; wait for it to finish (or remove the file if no hyte is running)")]
    Locked { dir: String, lock: String },
    #[error("{path}: cannot write ({source}); check that the output folder (--out) is writable and the disk has room")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Holds the output folder's lock until dropped.
pub struct OutputLock {
    _file: File,
    dir: PathBuf,
}

impl OutputLock {
    pub fn acquire(dir: &Path) -> Result<OutputLock, OutputError> {
        fs::create_dir_all(dir).map_err(io(dir))?;
        let lock_path = dir.join(".hyte.lock");
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io(&lock_path))?;
        match file.try_lock() {
            Ok(()) => Ok(OutputLock {
                _file: file,
                dir: dir.to_path_buf(),
            }),
            Err(TryLockError::WouldBlock) => Err(OutputError::Locked {
                dir: dir.display().to_string(),
                lock: lock_path.display().to_string(),
            }),
            Err(TryLockError::Error(e)) => Err(io(&lock_path)(e)),
        }
    }

    /// Writes all files to a staging folder, then moves each top-level
    /// entry into place.
    pub fn publish(&self, files: &[OutputFile]) -> Result<(), OutputError> {
        let staging = self.dir.join(format!(".staging-{}", std::process::id()));
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(io(&staging))?;
        }
        let written = (|| {
            for file in files {
                let target = staging.join(&file.path);
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent).map_err(io(parent))?;
                }
                let mut handle = File::create(&target).map_err(io(&target))?;
                handle.write_all(&file.bytes).map_err(io(&target))?;
                handle.sync_all().map_err(io(&target))?;
            }
            Ok(())
        })();
        if let Err(e) = written {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
        let mut tops: Vec<&str> = files
            .iter()
            .map(|f| f.path.split('/').next().unwrap_or(&f.path))
            .collect();
        tops.sort_unstable();
        tops.dedup();
        for &top in &tops {
            let staged = staging.join(top);
            let target = self.dir.join(top);
            if staged.is_dir() && target.exists() {
                // Directories cannot be renamed over a non-empty one: move the
                // old one aside first, then remove it.
                let old = self.dir.join(format!(".old-{top}-{}", std::process::id()));
                fs::rename(&target, &old).map_err(io(&target))?;
                fs::rename(&staged, &target).map_err(io(&target))?;
                fs::remove_dir_all(&old).map_err(io(&old))?;
            } else {
                fs::rename(&staged, &target).map_err(io(&target))?;
            }
        }
        fs::remove_dir_all(&staging).map_err(io(&staging))?;
        // An output of an earlier run that this run did not write (e.g. a
        // charts/ folder when no chart could be drawn) would look current:
        // remove it.
        for owned in OWNED {
            if !tops.contains(&owned) {
                let stale = self.dir.join(owned);
                if stale.is_dir() {
                    fs::remove_dir_all(&stale).map_err(io(&stale))?;
                } else if stale.exists() {
                    fs::remove_file(&stale).map_err(io(&stale))?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_is_refused_and_files_are_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let lock = OutputLock::acquire(&out).unwrap();
        assert!(matches!(
            OutputLock::acquire(&out),
            Err(OutputError::Locked { .. })
        ));
        let file = |path: &str, text: &str| OutputFile {
            path: path.into(),
            bytes: text.as_bytes().to_vec(),
        };
        lock.publish(&[file("report.md", "one"), file("tables/a.csv", "a")])
            .unwrap();
        lock.publish(&[file("report.md", "two"), file("tables/b.csv", "b")])
            .unwrap();
        assert_eq!(fs::read_to_string(out.join("report.md")).unwrap(), "two");
        assert!(
            !out.join("tables/a.csv").exists(),
            "a stale table must not survive"
        );
        assert!(out.join("tables/b.csv").exists());
        fs::write(out.join("notes.txt"), "mine").unwrap();
        lock.publish(&[file("report.md", "three")]).unwrap();
        assert!(
            !out.join("tables").exists(),
            "a stale output folder must go"
        );
        assert!(
            out.join("notes.txt").exists(),
            "files hyte does not own stay"
        );
        drop(lock);
        assert!(OutputLock::acquire(&out).is_ok());
    }
}
