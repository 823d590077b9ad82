//! One CSV cell as a serde deserializer. Records are read as a map of header → cell through
//! `serde_path_to_error`, so every error names its column, whether it comes from a number that
//! does not parse or from a field's own deserializer. Empty cells are `None` for options; numbers
//! and booleans are parsed from the text.

use serde::de::{self, IntoDeserializer, Visitor};

pub type Error = de::value::Error;

pub struct Cell<'a>(pub &'a str);

impl<'de> IntoDeserializer<'de, Error> for Cell<'de> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

macro_rules! parsed {
    ($($method:ident => $visit:ident: $t:ty),*) => {$(
        fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
            match self.0.parse::<$t>() {
                Ok(n) => v.$visit(n),
                Err(_) => Err(de::Error::custom(format!(
                    "expected {}, got {:?}",
                    stringify!($t),
                    self.0
                ))),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Cell<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let s = self.0;
        if let Ok(b) = s.parse::<bool>() {
            v.visit_bool(b)
        } else if let Ok(n) = s.parse::<u64>() {
            v.visit_u64(n)
        } else if let Ok(n) = s.parse::<i64>() {
            v.visit_i64(n)
        } else {
            v.visit_borrowed_str(s)
        }
    }

    parsed!(
        deserialize_bool => visit_bool: bool,
        deserialize_u8 => visit_u8: u8,
        deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64,
        deserialize_i8 => visit_i8: i8,
        deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64,
        deserialize_f32 => visit_f32: f32,
        deserialize_f64 => visit_f64: f64
    );

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_borrowed_str(self.0)
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_borrowed_str(self.0)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_borrowed_str(self.0)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        if self.0.is_empty() {
            v.visit_none()
        } else {
            v.visit_some(self)
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        v.visit_enum(self.0.into_deserializer())
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, Error> {
        v.visit_newtype_struct(self)
    }

    /// A list in one cell: items separated by `;` (a comma would split the CSV cell), each
    /// item trimmed and read as a cell of its own, so `007` stays text. An empty cell is an
    /// empty list; an empty item is kept, for the importer to reject.
    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let s = self.0.trim();
        let items = (!s.is_empty())
            .then(|| s.split(';').map(|item| Cell(item.trim())))
            .into_iter()
            .flatten();
        v.visit_seq(de::value::SeqDeserializer::new(items))
    }

    serde::forward_to_deserialize_any! {
        char bytes byte_buf unit unit_struct tuple tuple_struct map struct ignored_any
        i128 u128
    }
}
