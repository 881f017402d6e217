//! The definitions folder as `refract serve` may touch it: names the page sends are
//! resolved inside the folder or refused, files are read with a version token, and a save
//! replaces a file only when it is still the version that was opened.
//!
//! A name is a relative path of at most [`MAX_DEPTH`] parts, each made of letters, digits,
//! `_`, `-` and `.` and not starting with `.`, the last ending in `.crit`: so no `..`, no
//! absolute path, no `%`-encoding and no hidden file can be written. The folder it lands in
//! is canonicalised and must lie inside the canonical definitions folder (a symlinked
//! subfolder pointing out is refused), and the file itself must not be a symlink.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Parts a definition name may have (`studies/x.crit` has 2).
pub const MAX_DEPTH: usize = 3;
/// The longest definition name, in bytes.
const MAX_NAME_BYTES: usize = 255;

/// Why a name or a save was refused: an HTTP status, a code and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status.
    pub status: u16,
    /// The error code (`bad_file_name`, `outside_definitions`, `stale`, …).
    pub code: &'static str,
    /// What is wrong, in one sentence.
    pub message: String,
}

fn refuse(status: u16, code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        code,
        message: message.into(),
    }
}

/// The version token of a file's bytes: their length and a 64-bit FNV-1a hash, so a file
/// changed on disk since it was opened (by another editor, or `git checkout`) has another.
/// It detects edits, it does not authenticate anyone.
pub fn token(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{}-{hash:016x}", bytes.len())
}

/// Whether `part` is a safe path part.
fn plain_part(part: &str) -> bool {
    !part.is_empty()
        && !part.starts_with('.')
        && part
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// The path of the definition `name` inside `root` (canonical), or why it is refused. The
/// file need not exist; its folder must.
pub fn resolve(root: &Path, name: &str) -> Result<PathBuf, Refusal> {
    let parts: Vec<&str> = name.split('/').collect();
    let plain = name.len() <= MAX_NAME_BYTES
        && parts.len() <= MAX_DEPTH
        && parts.iter().all(|p| plain_part(p))
        && name.ends_with(".crit");
    if !plain {
        return Err(refuse(
            400,
            "bad_file_name",
            format!(
                "`{}` is not a definition name: write a path inside the definitions folder such as `my-definition.crit` or `studies/x.crit` (letters, digits, `_`, `-`, `.`; no `..`, no leading `/` or `.`)",
                crate::diagnostics::terminal::escape(name)
            ),
        ));
    }
    let path = parts
        .iter()
        .fold(root.to_path_buf(), |p, part| p.join(part));
    let folder = path.parent().unwrap_or(root);
    let canonical = folder.canonicalize().map_err(|_| {
        refuse(
            404,
            "no_such_folder",
            format!("the folder of `{name}` does not exist in the definitions folder"),
        )
    })?;
    if !canonical.starts_with(root) {
        return Err(refuse(
            403,
            "outside_definitions",
            format!("`{name}` lies outside the definitions folder (through a symlink)"),
        ));
    }
    if let Ok(meta) = std::fs::symlink_metadata(&path) {
        if meta.file_type().is_symlink() {
            return Err(refuse(
                403,
                "outside_definitions",
                format!("`{name}` is a symlink: refract serve writes only plain files of the definitions folder"),
            ));
        }
        if !meta.is_file() {
            return Err(refuse(
                400,
                "bad_file_name",
                format!("`{name}` is not a file"),
            ));
        }
    }
    Ok(canonical.join(parts.last().copied().unwrap_or_default()))
}

/// The text of the definition `name` and its token.
pub fn open(root: &Path, name: &str) -> Result<(String, String), Refusal> {
    let path = resolve(root, name)?;
    let text = crate::read_limited(&path, crate::syntax::MAX_SOURCE_BYTES).map_err(|e| {
        let status = if e.kind() == std::io::ErrorKind::NotFound {
            404
        } else {
            500
        };
        refuse(status, "unreadable", format!("cannot read `{name}`: {e}"))
    })?;
    let token = token(text.as_bytes());
    Ok((text, token))
}

/// Write `text` as the definition `name`, if the file on disk is still the one whose token
/// is `expected` (`None`: a new file, which must not exist yet). The new token on success.
/// The text goes to a temporary file beside it first, then replaces the file in one
/// rename, so a reader never sees half a definition.
pub fn save(
    root: &Path,
    name: &str,
    text: &str,
    expected: Option<&str>,
) -> Result<String, Refusal> {
    if text.len() > crate::syntax::MAX_SOURCE_BYTES {
        return Err(refuse(
            413,
            "body_too_large",
            format!(
                "a definition file may be at most {} bytes",
                crate::syntax::MAX_SOURCE_BYTES
            ),
        ));
    }
    let path = resolve(root, name)?;
    let current = match std::fs::read(&path) {
        Ok(bytes) => Some(token(&bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(refuse(
                500,
                "unreadable",
                format!("cannot read `{name}`: {e}"),
            ))
        }
    };
    match (expected, current.as_deref()) {
        (Some(expected), Some(current)) if expected == current => {}
        (None, None) => {}
        (None, Some(_)) => {
            return Err(refuse(
                409,
                "exists",
                format!("`{name}` already exists: open it to change it, or choose another name"),
            ))
        }
        (Some(_), None) => {
            return Err(refuse(
                409,
                "stale",
                format!("`{name}` was removed from disk since it was opened"),
            ))
        }
        (Some(_), Some(_)) => {
            return Err(refuse(
                409,
                "stale",
                format!("`{name}` changed on disk since it was opened: reopen it (your text is kept in the editor) and apply your change again"),
            ))
        }
    }
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = path.with_file_name(format!(".{file_name}.refract-save"));
    // `create_new` opens no file that is already there, a symlink planted under the
    // temporary name included (a stale one from a crashed save is removed first).
    let _ = std::fs::remove_file(&temporary);
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temporary)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&temporary, &path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(refuse(
            500,
            "unwritable",
            format!("cannot write `{name}`: {e}"),
        ));
    }
    Ok(token(text.as_bytes()))
}

/// The definition files under `root`, as names relative to it (`/`-separated), in name
/// order, subfolders to [`MAX_DEPTH`] parts; symlinks are not followed.
pub fn list(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut folders = vec![(root.to_path_buf(), String::new(), 1usize)];
    while let Some((folder, prefix, depth)) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if !plain_part(&name) {
                continue;
            }
            let relative = format!("{prefix}{name}");
            if kind.is_dir() && depth < MAX_DEPTH {
                folders.push((entry.path(), format!("{relative}/"), depth + 1));
            } else if kind.is_file() && name.ends_with(".crit") {
                out.push(relative);
            }
        }
    }
    // Top-level files first, then each subfolder's.
    out.sort_by(|a, b| (a.contains('/'), a).cmp(&(b.contains('/'), b)));
    out
}
