//! Plain Kafka vocabulary shared by the broker, the controller and the tools: broker and partition
//! ids, epochs, offsets, topic ids and topic-partitions.
//!
//! Follows `clients/src/main/java/org/apache/kafka/common/Uuid.java` (topic ids: 16 bytes, printed
//! as URL-safe base64 without padding, 22 characters) and `common/TopicPartition.java`
//! (`toString` = `topic + "-" + partition`), Kafka 2.8.
//!
//! Simplified: a `TopicId` is only a 16-byte value; Kafka's reserved ids (`METADATA_TOPIC_ID`) and
//! the later (3.x) rule that random ids never start with `-` are not modelled, because 2.8's
//! `Uuid.randomUuid` has neither.

use crate::sorted::SortedSet;
use serde::{Serialize, Serializer};
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

/// A broker id (`broker.id`). `-1` is used by Kafka for "no leader" (`LeaderAndIsr.NoLeader`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, Serialize)]
pub struct BrokerId(pub i32);

impl BrokerId {
    /// `LeaderAndIsr.NoLeader`: the leader field of a partition state without a leader.
    pub const NO_LEADER: BrokerId = BrokerId(-1);
}

impl fmt::Display for BrokerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A partition number inside a topic (0-based).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, Serialize)]
pub struct PartitionId(pub i32);

impl fmt::Display for PartitionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A partition's leader epoch (`leader_epoch` in the `/state` znode). Bumped by 1 on every
/// controller-driven leader/ISR rewrite.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, Serialize)]
pub struct LeaderEpoch(pub i32);

impl fmt::Display for LeaderEpoch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The controller epoch (`/controller_epoch`); the first controller of a cluster has epoch 1.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, Serialize)]
pub struct ControllerEpoch(pub i32);

impl fmt::Display for ControllerEpoch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A log offset (position of a record in a partition's log).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, Serialize)]
pub struct Offset(pub i64);

impl fmt::Display for Offset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A topic id (`org.apache.kafka.common.Uuid`): 16 bytes, most significant byte first.
///
/// `Display` is Kafka's `Uuid.toString`: `Base64.getUrlEncoder().withoutPadding()` of the 16
/// bytes, always 22 characters (`JNzi3mkbQqG0P6AEwPiATA`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct TopicId(pub [u8; 16]);

const BASE64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

impl TopicId {
    /// `Uuid.ZERO_UUID`; `kafka-topics --describe` omits the `TopicId:` field for it.
    pub const ZERO: TopicId = TopicId([0; 16]);

    /// `true` for `Uuid.ZERO_UUID`.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 16]
    }

    /// The id `Uuid.randomUuid()` (2.8) builds from `java.util.UUID.randomUUID()` when the JVM's
    /// `SecureRandom` produced `random_bytes`: the version nibble is forced to 4 and the variant
    /// bits to `10` (RFC 4122), exactly as `UUID.randomUUID` does.
    pub fn random_v4(random_bytes: [u8; 16]) -> TopicId {
        let mut b = random_bytes;
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        TopicId(b)
    }

    /// `Uuid(mostSigBits, leastSigBits)`.
    pub fn from_bits(most_sig_bits: u64, least_sig_bits: u64) -> TopicId {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&most_sig_bits.to_be_bytes());
        b[8..].copy_from_slice(&least_sig_bits.to_be_bytes());
        TopicId(b)
    }

    /// `Uuid.getMostSignificantBits`.
    pub fn most_sig_bits(&self) -> u64 {
        let mut hi = [0u8; 8];
        hi.copy_from_slice(&self.0[..8]);
        u64::from_be_bytes(hi)
    }

    /// `Uuid.getLeastSignificantBits`.
    pub fn least_sig_bits(&self) -> u64 {
        let mut lo = [0u8; 8];
        lo.copy_from_slice(&self.0[8..]);
        u64::from_be_bytes(lo)
    }

    /// `Uuid.fromString`: URL-safe base64 (padding optional) of exactly 16 bytes.
    ///
    /// The error texts are Kafka's (`IllegalArgumentException` messages of `Uuid.fromString`),
    /// except that a malformed base64 string reports `Illegal base64 character` without the hex
    /// code `java.util.Base64` appends.
    pub fn parse(s: &str) -> Result<TopicId, String> {
        if s.chars().count() > 24 {
            let prefix: String = s.chars().take(24).collect();
            return Err(format!("Input string with prefix `{prefix}` is too long to be decoded as a base64 UUID"));
        }
        let bytes = decode_base64url(s).ok_or_else(|| "Illegal base64 character".to_string())?;
        if bytes.len() != 16 {
            return Err(format!(
                "Input string `{s}` decoded as {} bytes, which is not equal to the expected 16 bytes of a base64-encoded UUID",
                bytes.len()
            ));
        }
        let mut b = [0u8; 16];
        b.copy_from_slice(&bytes);
        Ok(TopicId(b))
    }
}

/// URL-safe base64 encoding without padding (`Base64.getUrlEncoder().withoutPadding()`).
fn encode_base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b0 = chunk[0] as u32;
        let b1 = chunk.get(1).copied().unwrap_or(0) as u32;
        let b2 = chunk.get(2).copied().unwrap_or(0) as u32;
        let n = (b0 << 16) | (b1 << 8) | b2;
        let sextets = [(n >> 18) & 63, (n >> 12) & 63, (n >> 6) & 63, n & 63];
        let keep = chunk.len() + 1;
        for s in sextets.iter().take(keep) {
            out.push(BASE64URL[*s as usize] as char);
        }
    }
    out
}

/// URL-safe base64 decoding (`Base64.getUrlDecoder()`), padding optional; `None` if malformed.
fn decode_base64url(s: &str) -> Option<Vec<u8>> {
    let trimmed = s.trim_end_matches('=');
    let padding = s.len() - trimmed.len();
    if padding > 2 || (padding > 0 && !s.len().is_multiple_of(4)) {
        return None;
    }
    let mut sextets = Vec::with_capacity(trimmed.len());
    for c in trimmed.bytes() {
        let v = BASE64URL.iter().position(|&a| a == c)?;
        sextets.push(v as u32);
    }
    if sextets.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(sextets.len() * 3 / 4);
    for chunk in sextets.chunks(4) {
        let mut n = 0u32;
        for (i, v) in chunk.iter().enumerate() {
            n |= v << (18 - 6 * i as u32);
        }
        let produced = chunk.len() - 1;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..produced]);
    }
    Some(out)
}

impl fmt::Display for TopicId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&encode_base64url(&self.0))
    }
}

impl Serialize for TopicId {
    /// Serialized as Kafka prints it (the 22-character base64url string), for the UI.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

/// A topic name: a shared, interned string (cheap to clone, cheap to compare).
///
/// Every `TopicName` built from the same text on one thread shares one allocation, so equality
/// and ordering usually decide on the pointer alone; they fall back to comparing the text, so
/// they are exactly `str`'s (the pointer only ever shortcuts an equal answer). `Hash`, `Debug`,
/// `Display` and `Serialize` are `str`'s too.
#[derive(Clone)]
pub struct TopicName(Rc<str>);

thread_local! {
    /// The interned topic names of this thread (never iterated by the simulation).
    static TOPIC_NAMES: RefCell<SortedSet<Rc<str>>> = const { RefCell::new(SortedSet::new()) };
}

impl TopicName {
    /// The interned name for `s`.
    pub fn new(s: &str) -> TopicName {
        TOPIC_NAMES.with(|t| {
            let mut t = t.borrow_mut();
            if let Some(rc) = t.get(s) {
                return TopicName(rc.clone());
            }
            let rc: Rc<str> = Rc::from(s);
            t.insert(rc.clone());
            TopicName(rc)
        })
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The same interned name (pointer equality: a fast, sufficient test for equality).
    #[inline]
    pub fn same(&self, other: &TopicName) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Default for TopicName {
    fn default() -> TopicName {
        TopicName::new("")
    }
}

impl std::ops::Deref for TopicName {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for TopicName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for TopicName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for TopicName {
    fn from(s: &str) -> TopicName {
        TopicName::new(s)
    }
}

impl From<String> for TopicName {
    fn from(s: String) -> TopicName {
        TopicName::new(&s)
    }
}

impl From<&String> for TopicName {
    fn from(s: &String) -> TopicName {
        TopicName::new(s)
    }
}

impl From<&TopicName> for TopicName {
    fn from(s: &TopicName) -> TopicName {
        s.clone()
    }
}

impl From<TopicName> for String {
    fn from(s: TopicName) -> String {
        s.0.to_string()
    }
}

impl PartialEq for TopicName {
    #[inline]
    fn eq(&self, other: &TopicName) -> bool {
        Rc::ptr_eq(&self.0, &other.0) || *self.0 == *other.0
    }
}

impl Eq for TopicName {}

impl PartialOrd for TopicName {
    #[inline]
    fn partial_cmp(&self, other: &TopicName) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for TopicName {
    #[inline]
    fn cmp(&self, other: &TopicName) -> std::cmp::Ordering {
        if Rc::ptr_eq(&self.0, &other.0) {
            std::cmp::Ordering::Equal
        } else {
            (*self.0).cmp(&*other.0)
        }
    }
}

impl std::hash::Hash for TopicName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (*self.0).hash(state)
    }
}

impl PartialEq<str> for TopicName {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for TopicName {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for TopicName {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<TopicName> for String {
    fn eq(&self, other: &TopicName) -> bool {
        **self == *other.0
    }
}

impl PartialEq<TopicName> for &str {
    fn eq(&self, other: &TopicName) -> bool {
        **self == *other.0
    }
}

impl PartialEq<TopicName> for str {
    fn eq(&self, other: &TopicName) -> bool {
        *self == *other.0
    }
}

impl fmt::Debug for TopicName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for TopicName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl Serialize for TopicName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// A topic and a partition number (`org.apache.kafka.common.TopicPartition`).
///
/// Ordered by topic, then partition. `Display` is Kafka's `toString`: `test-0`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, Serialize)]
pub struct TopicPartition {
    /// The topic name.
    pub topic: TopicName,
    /// The partition number (0-based).
    pub partition: i32,
}

impl TopicPartition {
    /// Convenience constructor.
    pub fn new(topic: impl Into<TopicName>, partition: i32) -> TopicPartition {
        TopicPartition { topic: topic.into(), partition }
    }

    /// Java's `TopicPartition.hashCode` (`31 * (31 + partition) + topic.hashCode()`), which
    /// decides the iteration order of the Scala hash maps keyed by topic-partition.
    pub fn java_hash_code(&self) -> i32 {
        let mut result: i32 = 1;
        result = result.wrapping_mul(31).wrapping_add(self.partition);
        result = result.wrapping_mul(31).wrapping_add(java_string_hash(&self.topic));
        result
    }
}

impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// Java's `String.hashCode` (`s[0]*31^(n-1) + ... + s[n-1]` over UTF-16 code units, wrapping).
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, u| h.wrapping_mul(31).wrapping_add(u as i32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_id_prints_as_22_char_base64url_without_padding() {
        let id = TopicId::from_bits(0x24dc_e2de_691b_42a1, 0xb43f_a004_c0f8_804c);
        assert_eq!(id.to_string(), "JNzi3mkbQqG0P6AEwPiATA");
        assert_eq!(id.to_string().len(), 22);
    }

    #[test]
    fn seed_topic_id_round_trips_and_is_a_version_4_uuid() {
        let id = TopicId::parse("JNzi3mkbQqG0P6AEwPiATA").unwrap();
        assert_eq!(id.to_string(), "JNzi3mkbQqG0P6AEwPiATA");
        assert_eq!(id.0[6] >> 4, 4, "version nibble");
        assert_eq!(id.0[8] >> 6, 0b10, "RFC 4122 variant");
        assert_eq!(TopicId::random_v4(id.0), id);
    }

    #[test]
    fn url_safe_alphabet_uses_dash_and_underscore() {
        let id = TopicId([0xff; 16]);
        assert_eq!(id.to_string(), "_____________________w");
        let id = TopicId([0xfb; 16]);
        assert!(id.to_string().contains('-'));
        assert_eq!(TopicId::parse(&id.to_string()).unwrap(), id);
    }

    #[test]
    fn zero_uuid_is_all_a() {
        assert_eq!(TopicId::ZERO.to_string(), "AAAAAAAAAAAAAAAAAAAAAA");
        assert!(TopicId::ZERO.is_zero());
        assert!(!TopicId::random_v4([0; 16]).is_zero());
    }

    #[test]
    fn random_v4_forces_version_and_variant_bits() {
        let id = TopicId::random_v4([0xff; 16]);
        assert_eq!(id.0[6], 0x4f);
        assert_eq!(id.0[8], 0xbf);
        let id = TopicId::random_v4([0x00; 16]);
        assert_eq!(id.0[6], 0x40);
        assert_eq!(id.0[8], 0x80);
    }

    #[test]
    fn parse_accepts_padding_and_rejects_wrong_lengths_with_kafkas_texts() {
        assert_eq!(TopicId::parse("JNzi3mkbQqG0P6AEwPiATA==").unwrap().to_string(), "JNzi3mkbQqG0P6AEwPiATA");
        assert_eq!(
            TopicId::parse("AAAA").unwrap_err(),
            "Input string `AAAA` decoded as 3 bytes, which is not equal to the expected 16 bytes of a base64-encoded UUID"
        );
        assert_eq!(
            TopicId::parse("AAAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap_err(),
            "Input string with prefix `AAAAAAAAAAAAAAAAAAAAAAAA` is too long to be decoded as a base64 UUID"
        );
        assert!(TopicId::parse("JNzi3mkbQqG0P6AEwPiAT+").is_err());
        assert!(TopicId::parse("A").is_err());
        assert!(TopicId::parse("é").is_err());
    }

    #[test]
    fn bits_accessors_round_trip() {
        let id = TopicId::from_bits(1, 2);
        assert_eq!(id.most_sig_bits(), 1);
        assert_eq!(id.least_sig_bits(), 2);
    }

    #[test]
    fn topic_partition_displays_as_topic_dash_partition() {
        assert_eq!(TopicPartition::new("test", 0).to_string(), "test-0");
        assert_eq!(TopicPartition::new("a-b", 12).to_string(), "a-b-12");
    }

    #[test]
    fn topic_partitions_order_by_topic_then_partition() {
        let mut v = vec![TopicPartition::new("b", 0), TopicPartition::new("a", 10), TopicPartition::new("a", 2)];
        v.sort();
        assert_eq!(v, vec![TopicPartition::new("a", 2), TopicPartition::new("a", 10), TopicPartition::new("b", 0)]);
    }

    #[test]
    fn java_string_hash_matches_known_values() {
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("0"), 48);
        assert_eq!(java_string_hash("10"), 1567);
        assert_eq!(java_string_hash("version"), 351608024);
        // Wraps like Java's int arithmetic.
        assert_eq!(java_string_hash("features"), 4004308029u32 as i32);
    }

    #[test]
    fn topic_partition_hash_code_follows_java() {
        // 31 * (31 + 0) + "test".hashCode() (= 3556498)
        assert_eq!(TopicPartition::new("test", 0).java_hash_code(), 961 + 3556498);
    }

    #[test]
    fn newtypes_display_their_number() {
        assert_eq!(BrokerId(3).to_string(), "3");
        assert_eq!(BrokerId::NO_LEADER.to_string(), "-1");
        assert_eq!(PartitionId(7).to_string(), "7");
        assert_eq!(LeaderEpoch(2).to_string(), "2");
        assert_eq!(ControllerEpoch(1).to_string(), "1");
        assert_eq!(Offset(-2).to_string(), "-2");
    }

    #[test]
    fn topic_id_serializes_as_its_string() {
        let id = TopicId::parse("JNzi3mkbQqG0P6AEwPiATA").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"JNzi3mkbQqG0P6AEwPiATA\"");
    }
}
