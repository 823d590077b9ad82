use serde::{Deserialize, Serialize};

/// An exam site (考核站点 / 考点).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Site {
    pub id: String,
    pub name: String,
    pub province: String,
    pub city: String,
    pub address: String,
}
