//! The server's log on stderr, as text lines (the default) or JSON lines (`--log-format json`, for
//! log collectors). Logged values often came from a client (a student number that failed to sign
//! in, a refused plan id), so every value is escaped on the way out: a newline cannot start a log
//! line of the sender's choosing, and NULs, terminal controls and right-to-left overrides never
//! reach a terminal or a collector raw.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::field::{MakeExt, RecordFields};
use tracing_subscriber::fmt::format::{FormatEvent, FormatFields, Writer};
use tracing_subscriber::fmt::{FmtContext, FormattedFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;

use crate::config::{Clock, system_clock};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// `2026-11-21T07:37:12Z  INFO kaozheng_server::api::auth: login failed student="…"`
    #[default]
    Text,
    /// One JSON object a line: `timestamp`, `level`, `target`, `message`, `fields`, `spans`.
    Json,
}

/// The filter when `RUST_LOG` is not set.
pub const DEFAULT_FILTER: &str = "info,sqlx=warn,tower_http=info";

/// Whether a character could change how a log line reads beyond its own text: control characters
/// (C0, DEL, C1: newlines, NUL, terminal escapes), bidirectional formatting (an override makes
/// `gpj.exe` read `exe.jpg`) and the Unicode line and paragraph separators.
pub fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// `s` with every [`needs_escape`] character written as `\u{…}`.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// JSON text with every [`needs_escape`] character serde_json leaves raw (it escapes only C0)
/// written as a `\uXXXX` escape. Outside strings JSON text is ASCII, so each such character is
/// inside a string, where the escape reads back as the same character.
fn escape_json(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{u:04x}");
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text fields: `message` as it is, others as `name=value`, each value escaped.
pub fn text_fields() -> impl for<'w> FormatFields<'w> + Send + Sync + 'static {
    tracing_subscriber::fmt::format::debug_fn(
        |w: &mut Writer<'_>, field: &Field, value: &dyn fmt::Debug| {
            let value = format!("{value:?}");
            if field.name() == "message" {
                w.write_str(&escape(&value))
            } else {
                write!(w, "{}={}", field.name(), escape(&value))
            }
        },
    )
    .delimited(" ")
}

/// Collects fields into a JSON map: numbers and booleans as themselves, everything else as the
/// text the field would show (`%` as Display, `?` as Debug, strings without quotes).
struct JsonVisitor<'a>(&'a mut Map<String, Value>);

impl Visit for JsonVisitor<'_> {
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0
            .insert(field.name().into(), format!("{value:?}").into());
    }
}

/// Span fields as one JSON object, so the event formatter can nest them.
#[derive(Debug, Default, Clone, Copy)]
pub struct JsonFields;

impl<'w> FormatFields<'w> for JsonFields {
    fn format_fields<R: RecordFields>(&self, mut writer: Writer<'w>, fields: R) -> fmt::Result {
        let mut map = Map::new();
        fields.record(&mut JsonVisitor(&mut map));
        writer.write_str(&Value::Object(map).to_string())
    }

    fn add_fields(
        &self,
        current: &'w mut FormattedFields<Self>,
        fields: &tracing::span::Record<'_>,
    ) -> fmt::Result {
        let mut map = match serde_json::from_str(&current.fields) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        fields.record(&mut JsonVisitor(&mut map));
        current.fields = Value::Object(map).to_string();
        Ok(())
    }
}

/// One JSON object a line: `{"timestamp", "level", "target", "message", "fields", "spans"}`,
/// stamped by `clock` (the server's wall clock, [`system_clock`]).
#[derive(Clone)]
pub struct JsonEvents {
    pub clock: Clock,
}

impl<S> FormatEvent<S, JsonFields> for JsonEvents
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, JsonFields>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        let mut fields = Map::new();
        event.record(&mut JsonVisitor(&mut fields));
        let message = fields.remove("message").unwrap_or(Value::Null);
        let mut spans = Vec::new();
        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                let mut object = Map::new();
                object.insert("name".into(), span.name().into());
                if let Some(f) = span.extensions().get::<FormattedFields<JsonFields>>()
                    && let Ok(Value::Object(m)) = serde_json::from_str(&f.fields)
                {
                    object.insert("fields".into(), Value::Object(m));
                }
                spans.push(Value::Object(object));
            }
        }
        let line = serde_json::json!({
            "timestamp": (self.clock)().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            "level": meta.level().as_str(),
            "target": meta.target(),
            "message": message,
            "fields": fields,
            "spans": spans,
        });
        writeln!(writer, "{}", escape_json(&line.to_string()))
    }
}

/// Installs the process-wide subscriber writing to `writer` (stderr in the binary). `ansi` colours
/// text logs for a terminal.
pub fn init<W>(format: LogFormat, filter: EnvFilter, writer: W, ansi: bool)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        LogFormat::Text => builder.with_ansi(ansi).fmt_fields(text_fields()).init(),
        LogFormat::Json => builder
            .with_ansi(false)
            .fmt_fields(JsonFields)
            .event_format(JsonEvents {
                clock: system_clock(),
            })
            .init(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A writer into a shared buffer.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Buffer {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    const HOSTILE: &str = "TJ1\n2026-11-21T07:37:12Z  INFO forged: admin signed in\r\0\u{1b}[2J\u{202e}gpj.exe\u{85}\u{2028}";

    fn log_hostile() {
        let span = tracing::info_span!("request", uri = "/api/v1/x\ny");
        let _in = span.enter();
        tracing::info!(student = %HOSTILE, plan = ?HOSTILE, raw = HOSTILE, count = 3, "login failed");
        tracing::info!("message {HOSTILE}");
    }

    #[test]
    fn escaping_leaves_plain_text_alone_and_marks_every_control() {
        assert!(matches!(escape("王晓明 TJ2024001"), Cow::Borrowed(_)));
        assert_eq!(
            escape("a\nb\0c\u{202e}d\u{1b}"),
            "a\\u{a}b\\u{0}c\\u{202e}d\\u{1b}"
        );
        assert_eq!(escape_json("\"\u{202e}\u{7f}\""), "\"\\u202e\\u007f\"");
    }

    #[test]
    fn a_text_log_line_cannot_be_forged() {
        let out = Buffer::default();
        let writer = out.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .fmt_fields(text_fields())
            .finish();
        tracing::subscriber::with_default(subscriber, log_hostile);
        let text = out.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines.iter().all(|l| l.contains(" INFO ")), "{text}");
        assert!(
            lines.iter().all(|l| !l.chars().any(needs_escape)),
            "{text:?}"
        );
        assert!(lines[0].contains("student=TJ1\\u{a}2026"), "{text}");
        assert!(lines[0].contains("\\u{202e}gpj.exe"), "{text}");
        assert!(lines[0].contains("request{uri="), "{text}");
        assert!(lines[1].contains("message TJ1\\u{a}"), "{text}");
    }

    #[test]
    fn json_log_lines_are_one_object_each_and_escaped() {
        let out = Buffer::default();
        let writer = out.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .fmt_fields(JsonFields)
            .event_format(JsonEvents {
                clock: Arc::new(|| chrono::DateTime::from_timestamp(1_795_246_632, 0).unwrap()),
            })
            .finish();
        tracing::subscriber::with_default(subscriber, log_hostile);
        let text = out.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(
            lines.iter().all(|l| !l.chars().any(needs_escape)),
            "{text:?}"
        );
        let first: Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(first["timestamp"], "2026-11-21T07:37:12.000000Z");
        assert_eq!(first["level"], "INFO");
        assert_eq!(first["message"], "login failed");
        // The collector reads back exactly what the client sent.
        assert_eq!(first["fields"]["student"], HOSTILE);
        assert_eq!(first["fields"]["raw"], HOSTILE);
        assert_eq!(first["fields"]["count"], 3);
        assert_eq!(first["spans"][0]["name"], "request");
        assert_eq!(first["spans"][0]["fields"]["uri"], "/api/v1/x\ny");
        let second: Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(second["message"], format!("message {HOSTILE}"));
    }
}
