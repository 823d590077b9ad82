//! The error shape of every failed request: `{"error": {"code", "message", "message_zh"}}`.

use kaozheng_core::rules::Refusal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// A stable `code` to switch on and the message for people in English and Chinese; a refused
/// registration carries every reason (`refusals`), the first being `code`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub message_zh: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refusals: Vec<Refusal>,
}
