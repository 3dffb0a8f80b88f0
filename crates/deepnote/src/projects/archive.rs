//! An export's ZIP: read under limits (against ZIP bombs), written as Deepnote's import takes it.

use crate::error::{Error, Result};
use crate::projects::DeepnoteDocument;
use std::io::{Read, Write};

/// The largest export ZIP read (a ZIP is read from its end, so it is held whole).
pub(crate) const MAX_ZIP: u64 = 256 * 1024 * 1024;
/// The largest total of documents unpacked from one export, against ZIP bombs.
const MAX_UNPACKED: u64 = 512 * 1024 * 1024;

/// The `.deepnote` documents of an export ZIP; directories and other files are skipped.
pub(crate) fn read_zip(zip: &[u8]) -> Result<Vec<DeepnoteDocument>> {
    let bad = |e: zip::result::ZipError| Error::Decode(format!("the export is not a ZIP: {e}"));
    if zip.is_empty() {
        // An empty project may export nothing at all rather than an empty archive.
        return Ok(Vec::new());
    }
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).map_err(bad)?;
    let mut documents = Vec::new();
    let mut budget = MAX_UNPACKED;
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(bad)?;
        let name = entry.name().map_err(bad)?.into_owned();
        if entry.is_dir() || !name.ends_with(".deepnote") {
            continue;
        }
        if !is_root_document(&name) {
            // A name that climbs out or into folders would be a path on the caller's disk.
            return Err(Error::Decode(format!(
                "the export holds {name:?}, not a .deepnote file at its root"
            )));
        }
        let mut content = Vec::new();
        let read = entry
            .take(budget + 1)
            .read_to_end(&mut content)
            .map_err(|e| Error::Decode(format!("cannot unpack {name}: {e}")))?;
        if read as u64 > budget {
            return Err(Error::Decode(format!(
                "the export unpacks to more than {} MiB",
                MAX_UNPACKED >> 20
            )));
        }
        budget -= read as u64;
        let content = String::from_utf8(content)
            .map_err(|_| Error::Decode(format!("{name} is not UTF-8 text")))?;
        documents.push(DeepnoteDocument {
            file_name: name,
            content,
        });
    }
    Ok(documents)
}

/// A `.deepnote` file name at an archive's root: no folders, nothing hidden, no control
/// characters, so it is also a safe file name on the caller's disk.
fn is_root_document(name: &str) -> bool {
    name.ends_with(".deepnote")
        && name.len() > ".deepnote".len()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', ':'])
        && !name.chars().any(char::is_control)
}

/// The import ZIP: each document at the root under its name, deflated.
pub(crate) fn write_zip(documents: &[DeepnoteDocument]) -> Result<Vec<u8>> {
    let mut seen = std::collections::HashSet::new();
    for d in documents {
        let name = &d.file_name;
        if !is_root_document(name) {
            return Err(Error::InvalidArgument(format!(
                "{name:?} is not a .deepnote file name at the archive's root"
            )));
        }
        if d.content.trim().is_empty() {
            return Err(Error::InvalidArgument(format!("{name} is empty")));
        }
        if !seen.insert(name) {
            return Err(Error::InvalidArgument(format!("{name} is given twice")));
        }
    }
    let failed =
        |e: zip::result::ZipError| Error::InvalidArgument(format!("cannot build the ZIP: {e}"));
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for d in documents {
        writer
            .start_file(d.file_name.as_str(), options)
            .map_err(failed)?;
        writer
            .write_all(d.content.as_bytes())
            .map_err(|e| failed(e.into()))?;
    }
    Ok(writer.finish().map_err(failed)?.into_inner())
}
