//! QR codes as SVG paths (with the `qrcodegen` crate), for admission tickets that work offline and
//! print sharply.
//!
//! The text is encoded as bytes: both texts the app draws (`KZT1|…` and the verification URL)
//! have characters outside QR's numeric and alphanumeric sets, so `encode_text` would choose byte
//! mode too, and leaving its mode detection out of the app saves about 0.7 KB of brotli WASM.

use qrcodegen::{QrCode, QrCodeEcc};

/// Modules of quiet zone around the code, as the standard asks.
const QUIET: i32 = 4;

/// The code for `text` as `(side, path)`: the side of the square viewBox in modules (quiet zone
/// included) and an SVG path with one unit square per dark module. `None` if the text is too long
/// for a QR code.
pub fn svg_path(text: &str) -> Option<(i32, String)> {
    let qr = QrCode::encode_binary(text.as_bytes(), QrCodeEcc::Medium).ok()?;
    let size = qr.size();
    let mut path = String::new();
    for y in 0..size {
        let mut x = 0;
        while x < size {
            if qr.get_module(x, y) {
                // Merge a run of dark modules into one rectangle: smaller SVG, no hairline seams.
                let start = x;
                while x < size && qr.get_module(x, y) {
                    x += 1;
                }
                path.push_str(&format!(
                    "M{} {}h{}v1h-{}z",
                    start + QUIET,
                    y + QUIET,
                    x - start,
                    x - start
                ));
            } else {
                x += 1;
            }
        }
    }
    Some((size + 2 * QUIET, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_a_ticket_into_a_square_path() {
        let (side, path) = svg_path("KZ1|2026000100001|ABCD2345").unwrap();
        // Version 2 (25 modules) fits this text at level M; plus the quiet zone.
        assert_eq!(side, 25 + 8);
        assert!(
            path.starts_with("M4 4h7v1h-7z"),
            "finder pattern first: {path}"
        );
        assert_eq!(path.matches('M').count(), path.matches('z').count());
        // Same text, same code (the ticket page renders offline, repeatably).
        assert_eq!(svg_path("KZ1|2026000100001|ABCD2345").unwrap().1, path);
        assert_ne!(svg_path("KZ1|2026000100002|ABCD2345").unwrap().1, path);
    }

    #[test]
    fn bytes_give_the_code_text_detection_would() {
        // The two texts the app draws; each has characters only byte mode encodes.
        for text in [
            "KZT1|2026000100001|ABCD2345XY",
            "https://kaozheng.example.cn/verify?no=Z2026%2F0001&check=7KQ2M9XW3P",
            "http://127.0.0.1:8791/verify?no=1%2BX-2026-00017&check=ABCDEFGHJK",
        ] {
            let bytes = QrCode::encode_binary(text.as_bytes(), QrCodeEcc::Medium).unwrap();
            let detected = QrCode::encode_text(text, QrCodeEcc::Medium).unwrap();
            assert_eq!(bytes.size(), detected.size(), "{text}");
            for y in 0..bytes.size() {
                for x in 0..bytes.size() {
                    assert_eq!(bytes.get_module(x, y), detected.get_module(x, y), "{text}");
                }
            }
        }
    }

    #[test]
    fn overlong_text_is_refused_not_panicked() {
        assert!(svg_path(&"x".repeat(5000)).is_none());
    }
}
