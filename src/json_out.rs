//! JSON text for the values the browser page receives (snapshots, terminal output, clock
//! advances), written by hand.
//!
//! The page gets each value as one JSON string and parses it with `JSON.parse`. The text is the
//! same, byte for byte, as `serde_json::to_string` of the same struct (a test checks it on full
//! snapshots): fields in declaration order, `None` as `null`, strings escaped as serde_json
//! escapes them. Written here instead of derived because serde's serializer, generic over every
//! field type, made up a sizeable part of the browser module.
//!
//! A struct opts in by being declared inside [`json_struct!`], which keeps the field list and
//! the JSON writer the same list.

use std::fmt::Write;

/// A value that can write itself as JSON.
pub trait ToJson {
    fn write_json(&self, out: &mut String);
}

/// `value` as a JSON text.
pub fn to_json<T: ToJson + ?Sized>(value: &T) -> String {
    let mut out = String::new();
    value.write_json(&mut out);
    out
}

/// Writes `s` as a JSON string: `"` and `\` escaped, control characters as `\n`-style escapes
/// or `\u00XX`, everything else (including non-ASCII) as is — serde_json's escaping.
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

macro_rules! integer_to_json {
    ($($t:ty),*) => {$(
        impl ToJson for $t {
            fn write_json(&self, out: &mut String) {
                let _ = write!(out, "{self}");
            }
        }
    )*};
}
integer_to_json!(u8, u16, u32, u64, usize, i8, i16, i32, i64);

impl ToJson for bool {
    fn write_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl ToJson for str {
    fn write_json(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl ToJson for String {
    fn write_json(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn write_json(&self, out: &mut String) {
        (**self).write_json(out);
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn write_json(&self, out: &mut String) {
        match self {
            Some(v) => v.write_json(out),
            None => out.push_str("null"),
        }
    }
}

impl<T: ToJson> ToJson for [T] {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            v.write_json(out);
        }
        out.push(']');
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out);
    }
}

impl<T: ToJson, const N: usize> ToJson for [T; N] {
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out);
    }
}

/// Writes `{"name":value,…}` for named fields; what the struct impls of [`json_struct!`] call.
pub fn write_object(out: &mut String, fields: &[(&str, &dyn ToJson)]) {
    out.push('{');
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(out, name);
        out.push(':');
        value.write_json(out);
    }
    out.push('}');
}

/// Declares a struct (attributes, doc comments and all) and implements [`ToJson`] for it as an
/// object with one member per field, in declaration order.
macro_rules! json_struct {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$fmeta:meta])* $fvis:vis $field:ident : $fty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $( $(#[$fmeta])* $fvis $field : $fty ),*
        }

        impl $crate::json_out::ToJson for $name {
            fn write_json(&self, out: &mut String) {
                $crate::json_out::write_object(out, &[$((stringify!($field), &self.$field as &dyn $crate::json_out::ToJson)),*]);
            }
        }
    };
}
pub(crate) use json_struct;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn strings_and_numbers_are_written_as_serde_json_writes_them() {
        let mut all_bytes = String::new();
        for c in (0u32..0x80).chain([0xe9, 0x2028, 0x1f600]) {
            all_bytes.push(char::from_u32(c).unwrap());
        }
        for s in [all_bytes.as_str(), "", "<script>alert(1)</script>", "a\"b\\c\u{7f}", "zk1 → zk2"] {
            assert_eq!(to_json(s), serde_json::to_string(s).unwrap());
        }
        for n in [0i64, 7, -1, i64::MIN, i64::MAX, -1234567890123] {
            assert_eq!(to_json(&n), serde_json::to_string(&n).unwrap());
        }
        for n in [0u64, 9, u64::MAX, 1 << 53] {
            assert_eq!(to_json(&n), serde_json::to_string(&n).unwrap());
        }
        let nested: Vec<Option<[i32; 2]>> = vec![Some([1, -2]), None];
        assert_eq!(to_json(&nested), serde_json::to_string(&nested).unwrap());
    }
}
