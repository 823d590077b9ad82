//! A new release's WASM as a delta from the one a returning phone already holds (Compression
//! Dictionary Transport, RFC 9842, `Content-Encoding: dcz`).
//!
//! Every release renames the WASM, so without this a returning student downloads all of it again
//! (about 510 KB brotli) even when one page changed. The server marks each WASM it sends as a
//! dictionary for the next one (`Use-As-Dictionary`); a browser that kept it says so with
//! `Available-Dictionary` (its SHA-256), and gets the new WASM compressed by zstd with the old one
//! as a raw dictionary: 96 KB instead of 512 KB for the last release built here. Browsers without
//! the feature, or holding a release the server has no delta from, get the plain `.br` as before;
//! the bytes they decode, and so the page's `integrity`, are the same either way.
//!
//! zstd rather than brotli (`dcb`, 8 % smaller): the brotli crate's custom dictionary is its own
//! older scheme, which Chromium refuses to decode (`ERR_CONTENT_DECODING_FAILED`); a raw zstd
//! dictionary is the standard one. The deltas are made once per build (`kaozheng-server
//! wasm-deltas`, run by `scripts/build-app.sh`) against the last few releases' WASMs, kept in a
//! directory of their own; at level 19 that takes about a second, too slow for a request.

use std::io;
use std::path::{Path, PathBuf};

use base64::Engine;
use sha2::{Digest, Sha256};

/// The `dcz` header: a zstd skippable frame that holds the dictionary's SHA-256.
const MAGIC: [u8; 8] = [0x5e, 0x2a, 0x4d, 0x18, 0x20, 0x00, 0x00, 0x00];
/// zstd's window: 8 MiB, the most a browser accepts for `dcz` (dictionary and file must fit).
const WINDOW_LOG: u32 = 23;
const LEVEL: i32 = 19;
/// How many past releases a build keeps deltas from: a phone that skipped more releases than this
/// downloads the whole WASM, as it would without deltas.
pub const KEEP_RELEASES: usize = 3;

/// `new` as a `dcz` body: the header with the SHA-256 of `dictionary`, then `new` compressed by
/// zstd with `dictionary` as raw content before it.
pub fn encode(dictionary: &[u8], new: &[u8]) -> io::Result<Vec<u8>> {
    if dictionary.len() + new.len() > 1 << WINDOW_LOG {
        return Err(io::Error::other(
            "the dictionary and the file do not fit in the 8 MiB window browsers accept",
        ));
    }
    let mut compressor = zstd::bulk::Compressor::new(LEVEL)?;
    compressor.set_parameter(zstd::zstd_safe::CParameter::WindowLog(WINDOW_LOG))?;
    compressor.set_dictionary(LEVEL, dictionary)?;
    let frame = compressor.compress(new)?;
    let mut out = Vec::with_capacity(MAGIC.len() + 32 + frame.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&Sha256::digest(dictionary));
    out.extend_from_slice(&frame);
    Ok(out)
}

/// The bytes a `dcz` body stands for, given the dictionary it names (what a browser does).
pub fn decode(dictionary: &[u8], body: &[u8]) -> io::Result<Vec<u8>> {
    let invalid = |why: &str| io::Error::new(io::ErrorKind::InvalidData, why.to_string());
    let stream = body
        .strip_prefix(&MAGIC)
        .ok_or_else(|| invalid("not a dcz stream"))?;
    let (hash, frame) = stream
        .split_at_checked(32)
        .ok_or_else(|| invalid("truncated"))?;
    if hash != Sha256::digest(dictionary).as_slice() {
        return Err(invalid("compressed against another dictionary"));
    }
    let mut decompressor = zstd::bulk::Decompressor::with_dictionary(dictionary)?;
    decompressor.decompress(frame, 64 << 20)
}

/// The dictionary a browser offers: `Available-Dictionary: :<base64 SHA-256>:` (a structured
/// field byte sequence).
pub fn offered_dictionary(header: &str) -> Option<[u8; 32]> {
    let b64 = header.trim().strip_prefix(':')?.strip_suffix(':')?;
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .ok()?
        .try_into()
        .ok()
}

/// Where the delta of `name` (a file of dist/) from the dictionary with this SHA-256 is kept.
pub fn file_name(name: &str, dictionary: &[u8; 32]) -> String {
    format!("{name}.{}.dcz", hex(dictionary))
}

/// The `Use-As-Dictionary` match for a content-named file: its name with the hash as a wildcard
/// (`/kaozheng-*_bg.wasm`), so the next release's file, whatever its hash, is compressed against it.
pub fn dictionary_match(path: &str) -> Option<String> {
    let (dir, name) = path.rsplit_once('/')?;
    let (stem, rest) = name.split_once('-')?;
    let hash_len = rest.bytes().take_while(u8::is_ascii_hexdigit).count();
    (hash_len > 0).then(|| format!("{dir}/{stem}-*{}", &rest[hash_len..]))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// For each WASM of `dist`, writes its delta from every release kept in `releases` (not the same
/// file), then keeps this release there too, with at most [`KEEP_RELEASES`] of them. Returns the
/// deltas written, with their sizes.
pub fn write_deltas(dist: &Path, releases: &Path) -> io::Result<Vec<(PathBuf, u64)>> {
    std::fs::create_dir_all(releases)?;
    let wasm_in = |dir: &Path| -> io::Result<Vec<PathBuf>> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
            .collect();
        files.sort();
        Ok(files)
    };
    let mut written = Vec::new();
    let current = wasm_in(dist)?;
    let past = wasm_in(releases)?;
    for new_path in &current {
        let new = std::fs::read(new_path)?;
        let name = new_path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        for old_path in &past {
            let old = std::fs::read(old_path)?;
            if old == new {
                continue;
            }
            let out = dist.join(file_name(name, &Sha256::digest(&old).into()));
            let body = encode(&old, &new)?;
            std::fs::write(&out, &body)?;
            written.push((out, body.len() as u64));
        }
        std::fs::copy(new_path, releases.join(name))?;
    }
    // The newest first (by when this build kept them); the rest are dropped.
    let mut kept: Vec<(std::time::SystemTime, PathBuf)> = wasm_in(releases)?
        .into_iter()
        .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
        .collect();
    kept.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    for (_, old) in kept.into_iter().skip(KEEP_RELEASES) {
        std::fs::remove_file(old)?;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes that look like code: repetitive but not trivially so.
    fn release(seed: u32, len: usize) -> Vec<u8> {
        let mut x = seed;
        (0..len)
            .map(|i| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                if i % 7 == 0 {
                    (x >> 16) as u8
                } else {
                    (i % 251) as u8
                }
            })
            .collect()
    }

    #[test]
    fn a_delta_decodes_to_the_new_file_and_is_far_smaller_than_the_file() {
        let old = release(1, 200_000);
        let mut new = old.clone();
        new[1_000..1_400].copy_from_slice(&release(2, 400));
        new.extend_from_slice(&release(3, 2_000));
        let body = encode(&old, &new).unwrap();
        assert_eq!(&body[..8], &MAGIC);
        assert_eq!(&body[8..40], Sha256::digest(&old).as_slice());
        assert_eq!(decode(&old, &body).unwrap(), new);
        let plain = {
            let mut out = Vec::new();
            let params = brotli::enc::BrotliEncoderParams {
                quality: 11,
                ..Default::default()
            };
            brotli::BrotliCompress(&mut &new[..], &mut out, &params).unwrap();
            out
        };
        assert!(
            body.len() * 5 < plain.len(),
            "{} vs {}",
            body.len(),
            plain.len()
        );
        // Against another dictionary it is refused, never decoded into wrong bytes.
        assert!(decode(&release(9, 200_000), &body).is_err());
    }

    #[test]
    fn the_offered_dictionary_is_read_from_its_structured_field() {
        let hash = Sha256::digest(b"old release");
        let b64 = base64::engine::general_purpose::STANDARD.encode(hash);
        assert_eq!(
            offered_dictionary(&format!(":{b64}:")),
            Some(<[u8; 32]>::from(hash))
        );
        assert_eq!(offered_dictionary(&b64), None);
        assert_eq!(offered_dictionary(":AAAA:"), None);
        assert_eq!(
            file_name("app-1a2b_bg.wasm", &[0xab; 32]),
            format!("app-1a2b_bg.wasm.{}.dcz", "ab".repeat(32))
        );
    }

    #[test]
    fn the_dictionary_matches_the_next_release_by_name() {
        assert_eq!(
            dictionary_match("/kaozheng-f6d8a40affb4a4ed_bg.wasm").as_deref(),
            Some("/kaozheng-*_bg.wasm")
        );
        assert_eq!(dictionary_match("/plain.wasm"), None);
    }

    #[test]
    fn a_build_writes_deltas_from_the_kept_releases_and_keeps_the_newest_three() {
        let dir = tempfile::tempdir().unwrap();
        let (dist, releases) = (dir.path().join("dist"), dir.path().join("releases"));
        std::fs::create_dir_all(&dist).unwrap();
        for n in 0..5u32 {
            for f in std::fs::read_dir(&dist).unwrap() {
                std::fs::remove_file(f.unwrap().path()).unwrap();
            }
            let name = format!("app-{:012x}_bg.wasm", n + 1);
            std::fs::write(dist.join(&name), release(n, 50_000)).unwrap();
            let written = write_deltas(&dist, &releases).unwrap();
            assert_eq!(written.len(), (n as usize).min(KEEP_RELEASES), "build {n}");
            for (path, _) in &written {
                let old_hash = path
                    .to_str()
                    .unwrap()
                    .rsplit('.')
                    .nth(1)
                    .unwrap()
                    .to_string();
                let old = (0..n)
                    .map(|k| release(k, 50_000))
                    .find(|b| hex(&Sha256::digest(b)) == old_hash)
                    .expect("a delta from an earlier release");
                let body = std::fs::read(path).unwrap();
                assert_eq!(decode(&old, &body).unwrap(), release(n, 50_000));
            }
            // Files written in the same second still sort by name.
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert_eq!(std::fs::read_dir(&releases).unwrap().count(), KEEP_RELEASES);
        // The same build again writes no delta from itself.
        let again = write_deltas(&dist, &releases).unwrap();
        assert_eq!(again.len(), KEEP_RELEASES - 1);
    }
}
