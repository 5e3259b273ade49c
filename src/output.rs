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

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The top-level entries hyte writes in an output folder; nothing else there
/// is ever touched.
const OWNED: [&str; 7] = [
    "report.md",
    "report.html",
    "plan.md",
    "plan.html",
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

    /// A fresh staging folder beside the outputs, to write this run's files
    /// into (streamed, see [`Staging::create`]).
    pub fn staging(&self) -> Result<Staging<'_>, OutputError> {
        let dir = self.dir.join(format!(".staging-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(io(&dir))?;
        }
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        Ok(Staging {
            lock: self,
            dir,
            written: Vec::new(),
            published: false,
        })
    }

    /// Writes all files to a staging folder, then moves each top-level
    /// entry into place.
    pub fn publish(&self, files: &[OutputFile]) -> Result<Vec<Written>, OutputError> {
        let mut staging = self.staging()?;
        for file in files {
            staging.write(&file.path, &file.bytes)?;
        }
        staging.publish()
    }
}

/// A file written to the staging folder: its path, size and sha256 (taken
/// while it was written, so the manifest never reads an output back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// This run's files, being written. Nothing is visible in the output
/// folder until [`Staging::publish`]; dropped unpublished (an error on the
/// way), the staging folder is removed and the previous outputs stay.
pub struct Staging<'l> {
    lock: &'l OutputLock,
    dir: PathBuf,
    written: Vec<Written>,
    published: bool,
}

/// A file being written in the staging folder: what goes through it is
/// counted and hashed on the way.
pub struct StagedFile {
    relative: String,
    path: PathBuf,
    inner: std::io::BufWriter<File>,
    hasher: Sha256,
    bytes: u64,
    synced: bool,
}

impl StagedFile {
    /// Where the file is being written, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes and syncs the complete file to disk now (a writer thread
    /// does this itself, so that the syncs of several files overlap);
    /// [`Staging::close`] then only records it.
    pub fn sync(&mut self) -> std::io::Result<()> {
        self.inner.flush()?;
        self.inner.get_ref().sync_all()?;
        self.synced = true;
        Ok(())
    }
}

impl Write for StagedFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl Staging<'_> {
    /// Writes one file whole.
    pub fn write(&mut self, path: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let mut file = self.create(path)?;
        file.write_all(bytes).map_err(io(&file.path))?;
        self.close(file)
    }

    /// Opens a file in the staging folder for writing (buffered, counted and
    /// hashed); hand it back to [`Staging::close`] when it is complete.
    /// Several may be open at once: a table streams into its CSV, Parquet
    /// and Arrow files batch by batch.
    pub fn create(&self, path: &str) -> Result<StagedFile, OutputError> {
        let target = self.dir.join(path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let file = File::create(&target).map_err(io(&target))?;
        Ok(StagedFile {
            relative: path.to_string(),
            path: target,
            inner: std::io::BufWriter::with_capacity(1 << 20, file),
            hasher: Sha256::new(),
            bytes: 0,
            synced: false,
        })
    }

    /// Flushes and syncs a complete file and records it.
    pub fn close(&mut self, file: StagedFile) -> Result<(), OutputError> {
        let StagedFile {
            relative,
            path,
            inner,
            hasher,
            bytes,
            synced,
        } = file;
        let file = inner.into_inner().map_err(|e| io(&path)(e.into_error()))?;
        if !synced {
            file.sync_all().map_err(io(&path))?;
        }
        self.written.push(Written {
            path: relative,
            bytes,
            sha256: format!("{:x}", hasher.finalize()),
        });
        Ok(())
    }

    /// The files written so far, in order.
    pub fn written(&self) -> &[Written] {
        &self.written
    }

    /// Moves each top-level entry into place (an atomic rename each) and
    /// removes outputs of earlier runs that this run did not write.
    pub fn publish(mut self) -> Result<Vec<Written>, OutputError> {
        let out_dir = self.lock.dir.clone();
        let mut tops: Vec<String> = self
            .written
            .iter()
            .map(|f| f.path.split('/').next().unwrap_or(&f.path).to_string())
            .collect();
        tops.sort_unstable();
        tops.dedup();
        for top in &tops {
            let staged = self.dir.join(top);
            let target = out_dir.join(top);
            if staged.is_dir() && target.exists() {
                // Directories cannot be renamed over a non-empty one: move the
                // old one aside first, then remove it.
                let old = out_dir.join(format!(".old-{top}-{}", std::process::id()));
                fs::rename(&target, &old).map_err(io(&target))?;
                fs::rename(&staged, &target).map_err(io(&target))?;
                fs::remove_dir_all(&old).map_err(io(&old))?;
            } else {
                fs::rename(&staged, &target).map_err(io(&target))?;
            }
        }
        self.published = true;
        fs::remove_dir_all(&self.dir).map_err(io(&self.dir))?;
        // An output of an earlier run that this run did not write (e.g. a
        // charts/ folder when no chart could be drawn) would look current:
        // remove it.
        for owned in OWNED {
            if !tops.iter().any(|t| t == owned) {
                let stale = out_dir.join(owned);
                if stale.is_dir() {
                    fs::remove_dir_all(&stale).map_err(io(&stale))?;
                } else if stale.exists() {
                    fs::remove_file(&stale).map_err(io(&stale))?;
                }
            }
        }
        Ok(std::mem::take(&mut self.written))
    }
}

impl Drop for Staging<'_> {
    fn drop(&mut self) {
        if !self.published {
            let _ = fs::remove_dir_all(&self.dir);
        }
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
