//! A small strict JSON parser (RFC 8259) for the znode payloads [`super::json`] reads back.
//!
//! It replaces `serde_json::from_str::<Value>`, whose deserializer and Rust's float-parsing
//! tables (`dec2flt`) made up a large part of the browser module, while keeping serde_json's
//! decisions and error messages: the same inputs are accepted and rejected, errors read
//! `"{message} at line {line} column {column}"` with serde_json's message and position
//! (columns in bytes), nesting stops at serde_json's recursion limit, and numbers too large
//! for an `f64` are rejected ("number out of range") exactly where serde_json's float
//! arithmetic overflows — decided on integers, without converting anything to a float.
//!
//! Numbers are kept as written; [`Value::as_i64`] answers like `serde_json::Value::as_i64`.

use crate::sorted::SortedMap;
use std::fmt;

/// A parsed JSON value.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(super) enum Value {
    Null,
    Bool(bool),
    /// The number's text as written (valid JSON number syntax).
    Number(String),
    Str(String),
    Array(Vec<Value>),
    /// A repeated key keeps its last value, as in serde_json's default `Map`.
    Object(SortedMap<String, Value>),
}

impl Value {
    /// The number as an `i64`, or `None` for anything else, including fractions, exponents,
    /// integers out of range and `-0` (serde_json stores these as floats or `u64`).
    pub(super) fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(text) if text != "-0" => text.parse().ok(),
            _ => None,
        }
    }

    pub(super) fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(super) fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    pub(super) fn as_object(&self) -> Option<&SortedMap<String, Value>> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }
}

/// A syntax error, displayed as serde_json displays its own.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(super) struct ParseError {
    message: &'static str,
    line: usize,
    column: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at line {} column {}", self.message, self.line, self.column)
    }
}

const EOF_VALUE: &str = "EOF while parsing a value";
const EOF_STRING: &str = "EOF while parsing a string";
const EOF_LIST: &str = "EOF while parsing a list";
const EOF_OBJECT: &str = "EOF while parsing an object";
const EXPECTED_VALUE: &str = "expected value";
const EXPECTED_IDENT: &str = "expected ident";
const EXPECTED_COLON: &str = "expected `:`";
const EXPECTED_LIST_COMMA_OR_END: &str = "expected `,` or `]`";
const EXPECTED_OBJECT_COMMA_OR_END: &str = "expected `,` or `}`";
const KEY_MUST_BE_A_STRING: &str = "key must be a string";
const TRAILING_CHARACTERS: &str = "trailing characters";
const TRAILING_COMMA: &str = "trailing comma";
const INVALID_ESCAPE: &str = "invalid escape";
const INVALID_NUMBER: &str = "invalid number";
const NUMBER_OUT_OF_RANGE: &str = "number out of range";
const CONTROL_CHARACTER: &str = "control character (\\u0000-\\u001F) found while parsing a string";
const INVALID_CODE_POINT: &str = "invalid unicode code point";
const LONE_LEADING_SURROGATE: &str = "lone leading surrogate in hex escape";
const UNEXPECTED_END_OF_HEX_ESCAPE: &str = "unexpected end of hex escape";
const RECURSION_LIMIT: &str = "recursion limit exceeded";

/// serde_json's nesting limit: the 128th nested array or object is an error.
const MAX_DEPTH: u32 = 128;

/// Parses one JSON value surrounded by optional whitespace.
pub(super) fn parse(text: &str) -> Result<Value, ParseError> {
    let mut p = Parser { text, bytes: text.as_bytes(), index: 0, remaining_depth: MAX_DEPTH };
    let value = p.value()?;
    match p.skip_whitespace() {
        Some(_) => Err(p.peek_error(TRAILING_CHARACTERS)),
        None => Ok(value),
    }
}

/// Follows serde_json's `Deserializer` step by step, so that each error is raised at the same
/// point, with the same position: `error` at the current index (just after the last byte
/// consumed), `peek_error` just after the byte being looked at.
struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    index: usize,
    remaining_depth: u32,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.index).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.index += 1;
        Some(b)
    }

    fn error_at(&self, message: &'static str, index: usize) -> ParseError {
        let before = &self.bytes[..index];
        let start_of_line = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        ParseError { message, line: 1 + before[..start_of_line].iter().filter(|&&b| b == b'\n').count(), column: index - start_of_line }
    }

    fn error(&self, message: &'static str) -> ParseError {
        self.error_at(message, self.index)
    }

    fn peek_error(&self, message: &'static str) -> ParseError {
        self.error_at(message, self.bytes.len().min(self.index + 1))
    }

    /// Skips whitespace and returns the next byte without consuming it.
    fn skip_whitespace(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.index += 1;
        }
        self.peek()
    }

    fn value(&mut self) -> Result<Value, ParseError> {
        match self.skip_whitespace() {
            None => Err(self.peek_error(EOF_VALUE)),
            Some(b'n') => self.ident(b"null", Value::Null),
            Some(b't') => self.ident(b"true", Value::Bool(true)),
            Some(b'f') => self.ident(b"false", Value::Bool(false)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'"') => {
                self.index += 1;
                self.string().map(Value::Str)
            }
            Some(b'[') => {
                self.enter()?;
                let array = self.array();
                self.remaining_depth += 1;
                array.map(Value::Array)
            }
            Some(b'{') => {
                self.enter()?;
                let object = self.object();
                self.remaining_depth += 1;
                object.map(Value::Object)
            }
            Some(_) => Err(self.peek_error(EXPECTED_VALUE)),
        }
    }

    /// Checks the nesting limit before an array or object (looking at its bracket).
    fn enter(&mut self) -> Result<(), ParseError> {
        self.remaining_depth -= 1;
        if self.remaining_depth == 0 {
            return Err(self.peek_error(RECURSION_LIMIT));
        }
        self.index += 1;
        Ok(())
    }

    /// `null`, `true` or `false`, whose first byte has been peeked.
    fn ident(&mut self, word: &[u8], value: Value) -> Result<Value, ParseError> {
        for &expected in word {
            match self.next() {
                None => return Err(self.error(EOF_VALUE)),
                Some(b) if b != expected => return Err(self.error(EXPECTED_IDENT)),
                Some(_) => {}
            }
        }
        Ok(value)
    }

    /// After `[`.
    fn array(&mut self) -> Result<Vec<Value>, ParseError> {
        let mut items = Vec::new();
        loop {
            match self.skip_whitespace() {
                None => return Err(self.peek_error(EOF_LIST)),
                Some(b']') => break,
                Some(_) if items.is_empty() => {}
                Some(b',') => {
                    self.index += 1;
                    match self.skip_whitespace() {
                        Some(b']') => return Err(self.peek_error(TRAILING_COMMA)),
                        Some(_) => {}
                        None => return Err(self.peek_error(EOF_VALUE)),
                    }
                }
                Some(_) => return Err(self.peek_error(EXPECTED_LIST_COMMA_OR_END)),
            }
            items.push(self.value()?);
        }
        self.index += 1;
        Ok(items)
    }

    /// After `{`.
    fn object(&mut self) -> Result<SortedMap<String, Value>, ParseError> {
        let mut entries = SortedMap::new();
        let mut first = true;
        loop {
            match self.skip_whitespace() {
                None => return Err(self.peek_error(EOF_OBJECT)),
                Some(b'}') => break,
                Some(b'"') if first => {}
                Some(_) if first => return Err(self.peek_error(KEY_MUST_BE_A_STRING)),
                Some(b',') => {
                    self.index += 1;
                    match self.skip_whitespace() {
                        Some(b'"') => {}
                        Some(b'}') => return Err(self.peek_error(TRAILING_COMMA)),
                        Some(_) => return Err(self.peek_error(KEY_MUST_BE_A_STRING)),
                        None => return Err(self.peek_error(EOF_VALUE)),
                    }
                }
                Some(_) => return Err(self.peek_error(EXPECTED_OBJECT_COMMA_OR_END)),
            }
            first = false;
            self.index += 1;
            let key = self.string()?;
            match self.skip_whitespace() {
                Some(b':') => self.index += 1,
                Some(_) => return Err(self.peek_error(EXPECTED_COLON)),
                None => return Err(self.peek_error(EOF_OBJECT)),
            }
            entries.insert(key, self.value()?);
        }
        self.index += 1;
        Ok(entries)
    }

    /// After the opening quote, up to and including the closing one.
    fn string(&mut self) -> Result<String, ParseError> {
        let mut out = String::new();
        // Start of the run of bytes not yet copied; always just after an ASCII byte (the
        // quote or an escape), so a char boundary, as is the ASCII byte that ends the run.
        let mut start = self.index;
        loop {
            match self.peek() {
                None => return Err(self.error(EOF_STRING)),
                Some(b'"') => {
                    out.push_str(&self.text[start..self.index]);
                    self.index += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(&self.text[start..self.index]);
                    self.index += 1;
                    self.escape(&mut out)?;
                    start = self.index;
                }
                Some(0x00..=0x1f) => {
                    self.index += 1;
                    return Err(self.error(CONTROL_CHARACTER));
                }
                Some(_) => self.index += 1,
            }
        }
    }

    /// After a backslash in a string.
    fn escape(&mut self, out: &mut String) -> Result<(), ParseError> {
        let c = match self.next() {
            None => return Err(self.error(EOF_STRING)),
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\x08',
            Some(b'f') => '\x0c',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => self.unicode_escape()?,
            Some(_) => return Err(self.error(INVALID_ESCAPE)),
        };
        out.push(c);
        Ok(())
    }

    /// After `\u`: one code unit, or a surrogate pair written as two escapes.
    fn unicode_escape(&mut self) -> Result<char, ParseError> {
        let n = self.hex4()?;
        let code_point = match n {
            0xDC00..=0xDFFF => return Err(self.error(LONE_LEADING_SURROGATE)),
            0xD800..=0xDBFF => {
                for expected in [b'\\', b'u'] {
                    match self.peek() {
                        None => return Err(self.error(EOF_STRING)),
                        Some(b) => {
                            self.index += 1;
                            if b != expected {
                                return Err(self.error(UNEXPECTED_END_OF_HEX_ESCAPE));
                            }
                        }
                    }
                }
                let n2 = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&n2) {
                    return Err(self.error(LONE_LEADING_SURROGATE));
                }
                0x1_0000 + ((n - 0xD800) << 10 | (n2 - 0xDC00))
            }
            _ => n,
        };
        char::from_u32(code_point).ok_or_else(|| self.error(INVALID_CODE_POINT))
    }

    /// Four hex digits.
    fn hex4(&mut self) -> Result<u32, ParseError> {
        let Some(digits) = self.bytes.get(self.index..self.index + 4) else {
            self.index = self.bytes.len();
            return Err(self.error(EOF_STRING));
        };
        self.index += 4;
        let mut n = 0;
        for &d in digits {
            let v = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return Err(self.error(INVALID_ESCAPE)),
            };
            n = n << 4 | u32::from(v);
        }
        Ok(n)
    }

    /// A number (looking at its `-` or first digit). Besides the syntax, tracks serde_json's
    /// `significand` (the leading digits while they fit a `u64`) and decimal `exponent`, from
    /// which it decides whether serde_json's float would overflow.
    fn number(&mut self) -> Result<Value, ParseError> {
        let start = self.index;
        if self.peek() == Some(b'-') {
            self.index += 1;
        }
        let mut digits = Digits { significand: 0, exponent: 0, dropping: false };
        match self.next() {
            None => return Err(self.error(EOF_VALUE)),
            Some(b'0') => {
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(self.peek_error(INVALID_NUMBER));
                }
            }
            Some(d @ b'1'..=b'9') => {
                digits.push(d, false);
                while let Some(d @ b'0'..=b'9') = self.peek() {
                    self.index += 1;
                    digits.push(d, false);
                }
            }
            Some(_) => return Err(self.error(INVALID_NUMBER)),
        }
        if self.peek() == Some(b'.') {
            self.index += 1;
            // serde_json tries the fraction's digits again after dropping integer digits.
            digits.dropping = false;
            let digits_start = self.index;
            while let Some(d @ b'0'..=b'9') = self.peek() {
                self.index += 1;
                digits.push(d, true);
            }
            if self.index == digits_start {
                return Err(self.peek_error(match self.peek() {
                    Some(_) => INVALID_NUMBER,
                    None => EOF_VALUE,
                }));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.index += 1;
            let positive_exp = match self.peek() {
                Some(b'-') => {
                    self.index += 1;
                    false
                }
                Some(b'+') => {
                    self.index += 1;
                    true
                }
                _ => true,
            };
            let mut exp: i32 = match self.next() {
                None => return Err(self.error(EOF_VALUE)),
                Some(d @ b'0'..=b'9') => i32::from(d - b'0'),
                Some(_) => return Err(self.error(INVALID_NUMBER)),
            };
            let mut exp_overflowed = false;
            while let Some(d @ b'0'..=b'9') = self.peek() {
                self.index += 1;
                if exp_overflowed {
                    continue;
                }
                match exp.checked_mul(10).and_then(|e| e.checked_add(i32::from(d - b'0'))) {
                    Some(e) => exp = e,
                    // serde_json gives up here: infinity is an error, anything else is zero.
                    None if digits.significand != 0 && positive_exp => return Err(self.error(NUMBER_OUT_OF_RANGE)),
                    None => exp_overflowed = true,
                }
            }
            if !exp_overflowed {
                digits.exponent = if positive_exp { digits.exponent.saturating_add(exp) } else { digits.exponent.saturating_sub(exp) };
                if digits.overflow_f64() {
                    return Err(self.error(NUMBER_OUT_OF_RANGE));
                }
            }
        } else if digits.overflow_f64() {
            return Err(self.error(NUMBER_OUT_OF_RANGE));
        }
        Ok(Value::Number(self.text[start..self.index].to_string()))
    }
}

/// `(mantissa, binary exponent)` of the `f64` nearest to `10^e` for `e` in 289..=308, the
/// powers for which serde_json's `significand as f64 * 10^e` can overflow (a `u64` times
/// `10^288` stays below `f64::MAX`).
const POW10_289_TO_308: [(u64, i32); 20] = [
    (0x106b0bb1fb384c, 908),
    (0x1485ce9e7a065f, 911),
    (0x19a742461887f6, 914),
    (0x1008896bcf54fa, 918),
    (0x140aabc6c32a38, 921),
    (0x190d56b873f4c7, 924),
    (0x1f50ac6690f1f8, 927),
    (0x13926bc01a973b, 931),
    (0x187706b0213d0a, 934),
    (0x1e94c85c298c4c, 937),
    (0x131cfd3999f7b0, 941),
    (0x17e43c8800759c, 944),
    (0x1ddd4baa009303, 947),
    (0x12aa4f4a405be2, 951),
    (0x1754e31cd072da, 954),
    (0x1d2a1be4048f90, 957),
    (0x123a516e82d9ba, 961),
    (0x16c8e5ca239029, 964),
    (0x1c7b1f3cac7433, 967),
    (0x11ccf385ebc8a0, 971),
];

/// serde_json's view of a number's digits: the leading ones while they fit a `u64`, and the
/// power of ten that scales them.
struct Digits {
    significand: u64,
    exponent: i32,
    /// Whether further digits are dropped, having stopped fitting `significand`.
    dropping: bool,
}

impl Digits {
    /// One more digit of the integer part or (`fraction`) of the fraction.
    fn push(&mut self, digit: u8, fraction: bool) {
        let next = if self.dropping { None } else { self.significand.checked_mul(10).and_then(|s| s.checked_add(u64::from(digit - b'0'))) };
        match next {
            Some(s) => {
                self.significand = s;
                if fraction {
                    self.exponent = self.exponent.saturating_sub(1);
                }
            }
            None => {
                self.dropping = true;
                if !fraction {
                    self.exponent = self.exponent.saturating_add(1);
                }
            }
        }
    }

    /// Whether serde_json (without `float_roundtrip`) rejects the number as out of range: it
    /// computes `significand as f64 * 10^exponent` in `f64`s, failing when that is infinite,
    /// and fails for any non-zero significand with an exponent above 308. Negative exponents
    /// never overflow.
    fn overflow_f64(&self) -> bool {
        let (significand, exponent) = (self.significand, self.exponent);
        if significand == 0 || exponent < 289 {
            return false;
        }
        let Some(&(pow_mantissa, pow_exp)) = POW10_289_TO_308.get((exponent - 289) as usize) else {
            return true;
        };
        // `significand as f64`: rounded to 53 bits, ties to even.
        let shift = (64 - significand.leading_zeros()).saturating_sub(53);
        let mut mantissa = significand >> shift;
        if shift > 0 {
            let rest = significand & ((1 << shift) - 1);
            let half = 1 << (shift - 1);
            if rest > half || (rest == half && mantissa & 1 == 1) {
                mantissa += 1;
            }
        }
        // The exact product is `product * 2^scale`; the multiplication rounds it to infinity when
        // it reaches the midpoint between f64::MAX and 2^1024, `(2^54 - 1) * 2^970`.
        let product = u128::from(mantissa) * u128::from(pow_mantissa);
        let scale = shift as i32 + pow_exp - 970;
        let limit: u128 = (1 << 54) - 1;
        match scale {
            54.. => true,
            0..=53 => product >= (limit + (1 << scale) - 1) >> scale,
            -70..=-1 => product >= limit << -scale,
            _ => false,
        }
    }
}
