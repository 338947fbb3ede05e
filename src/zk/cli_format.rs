//! The text zkCli prints for znodes: the Stat block, child lists, data, and the
//! `java.util.Date` timestamps inside the Stat block.
//!
//! Follows ZooKeeper 3.5.9 `cli/StatPrinter.java`, `cli/GetCommand.java` and `cli/LsCommand.java`
//! (`printChildren`), and JDK 8 `java.util.Date.toString()`.
//!
//! Simplified: dates are always printed in UTC (as in a container whose JVM time zone is UTC),
//! with the proleptic Gregorian calendar (Java switches to the Julian calendar before 1582, which
//! an unsigned millisecond count since 1970 never reaches). Data is decoded as UTF-8, the usual
//! `file.encoding` on Linux.

use crate::zk::types::Stat;

const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// `new java.util.Date(ms).toString()` in UTC, pattern "EEE MMM dd HH:mm:ss zzz yyyy", e.g.
/// "Fri Sep 17 11:09:56 UTC 2021". Day, hours, minutes and seconds are zero-padded to two
/// digits; the year is printed as is. Milliseconds are dropped.
pub fn java_date(ms_since_epoch: u64) -> String {
    let secs = ms_since_epoch / 1000;
    let days = secs / 86_400;
    let secs_of_day = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    // 1970-01-01 was a Thursday.
    let weekday = DAYS[((days + 4) % 7) as usize];
    let month_name = MONTHS[(month - 1) as usize];
    format!("{weekday} {month_name} {day:02} {:02}:{:02}:{:02} UTC {year}", secs_of_day / 3600, secs_of_day / 60 % 60, secs_of_day % 60)
}

/// A log4j timestamp as Kafka's tools print it (`[%d]`, ISO8601 pattern, UTC):
/// `2021-09-17 11:09:56,515`.
pub fn log4j_date(ms_since_epoch: u64) -> String {
    let secs = ms_since_epoch / 1000;
    let (year, month, day) = civil_from_days(secs / 86_400);
    let sod = secs % 86_400;
    format!("{year}-{month:02}-{day:02} {:02}:{:02}:{:02},{:03}", sod / 3600, sod / 60 % 60, sod % 60, ms_since_epoch % 1000)
}

/// Days since 1970-01-01 to (year, month 1..=12, day 1..=31), proleptic Gregorian. Howard
/// Hinnant's `civil_from_days`, for non-negative day counts only.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468; // days since 0000-03-01
    let era = z / 146_097;
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365], from March 1
    let mp = (5 * doy + 2) / 153; // [0, 11], March = 0
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// `StatPrinter.print`: the 11 lines `stat` and `get -s` print, each ending in "\n". Zxids and
/// ephemeralOwner are `"0x" + Long.toHexString(..)` (lowercase, no padding); times are
/// [`java_date`].
pub fn stat_block(stat: &Stat) -> String {
    let lines = [
        format!("cZxid = 0x{:x}", stat.czxid.0),
        format!("ctime = {}", java_date(stat.ctime)),
        format!("mZxid = 0x{:x}", stat.mzxid.0),
        format!("mtime = {}", java_date(stat.mtime)),
        format!("pZxid = 0x{:x}", stat.pzxid.0),
        format!("cversion = {}", stat.cversion),
        format!("dataVersion = {}", stat.version),
        format!("aclVersion = {}", stat.aversion),
        format!("ephemeralOwner = 0x{:x}", stat.ephemeral_owner.0),
        format!("dataLength = {}", stat.data_length),
        format!("numChildren = {}", stat.num_children),
    ];
    // out.println each.
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// The child list `ls` prints, without the line end: sorted as strings (`Collections.sort`;
/// byte order here, the same as Java's UTF-16 order for every valid znode name),
/// `"[a, b, c]"`, or `"[]"` when empty.
pub fn children_list(children: &[String]) -> String {
    let mut sorted: Vec<&str> = children.iter().map(String::as_str).collect();
    crate::sorted::sort(&mut sorted);
    format!("[{}]", sorted.join(", "))
}

/// What `get` prints for the data, without the line end: `"null"` for null data, otherwise
/// `new String(bytes)` (UTF-8; malformed sequences become U+FFFD, like Java's decoder).
pub fn data_text(data: Option<&[u8]>) -> String {
    match data {
        None => "null".to_string(),
        Some(bytes) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// The whole output of `get [-s] path` (`GetCommand.exec`): the data line, then the Stat block
/// when `stat` is given.
pub fn get_output(data: Option<&[u8]>, stat: Option<&Stat>) -> String {
    let mut out = data_text(data);
    out.push('\n');
    if let Some(stat) = stat {
        out.push_str(&stat_block(stat));
    }
    out
}

/// The whole output of `ls [-s] path` (`LsCommand.printChildren`). 3.5.9 quirk: with `-s` the
/// Stat block starts on the same line, right after `]`, and a blank line follows it.
pub fn ls_output(children: &[String], stat: Option<&Stat>) -> String {
    let mut out = children_list(children);
    if let Some(stat) = stat {
        out.push_str(&stat_block(stat));
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zk::types::{SessionId, Zxid};

    #[test]
    fn java_date_matches_known_instants() {
        let table = [
            (0, "Thu Jan 01 00:00:00 UTC 1970"),
            (999, "Thu Jan 01 00:00:00 UTC 1970"),
            (1_631_876_996_515, "Fri Sep 17 11:09:56 UTC 2021"),
            (1_606_253_700_000, "Tue Nov 24 21:35:00 UTC 2020"),
            // Leap days.
            (951_782_400_000, "Tue Feb 29 00:00:00 UTC 2000"),
            (1_709_164_800_000, "Thu Feb 29 00:00:00 UTC 2024"),
            (1_709_251_199_999, "Thu Feb 29 23:59:59 UTC 2024"),
            (1_709_251_200_000, "Fri Mar 01 00:00:00 UTC 2024"),
            // 2100 is not a leap year.
            (4_107_456_000_000, "Sun Feb 28 00:00:00 UTC 2100"),
            (4_107_542_400_000, "Mon Mar 01 00:00:00 UTC 2100"),
            (946_684_799_000, "Fri Dec 31 23:59:59 UTC 1999"),
            (4_102_444_800_000, "Fri Jan 01 00:00:00 UTC 2100"),
        ];
        for (ms, text) in table {
            assert_eq!(java_date(ms), text, "{ms}");
        }
    }

    #[test]
    fn java_date_never_panics_on_huge_values() {
        let s = java_date(u64::MAX);
        assert!(s.ends_with(&format!(" UTC {}", civil_from_days(u64::MAX / 1000 / 86_400).0)));
    }

    #[test]
    fn civil_from_days_round_trips_every_day_for_four_centuries() {
        // Walk day by day from 1970 and check the calendar advances correctly.
        let (mut y, mut m, mut d) = (1970u64, 1u64, 1u64);
        for days in 0..146_097u64 {
            assert_eq!(civil_from_days(days), (y, m, d), "day {days}");
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let len = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][(m - 1) as usize];
            d += 1;
            if d > len {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
        }
    }

    #[test]
    fn stat_block_is_statprinter_text() {
        let stat = Stat {
            czxid: Zxid(0x1_0000_0002),
            mzxid: Zxid(0x1_0000_0005),
            ctime: 1_631_876_996_515,
            mtime: 0,
            version: 3,
            cversion: -1,
            aversion: 0,
            ephemeral_owner: SessionId(0x0100_0a8b_3c60_0000),
            data_length: 12,
            num_children: 1,
            pzxid: Zxid(0x1_0000_0002),
        };
        let expected = "cZxid = 0x100000002\n\
                        ctime = Fri Sep 17 11:09:56 UTC 2021\n\
                        mZxid = 0x100000005\n\
                        mtime = Thu Jan 01 00:00:00 UTC 1970\n\
                        pZxid = 0x100000002\n\
                        cversion = -1\n\
                        dataVersion = 3\n\
                        aclVersion = 0\n\
                        ephemeralOwner = 0x1000a8b3c600000\n\
                        dataLength = 12\n\
                        numChildren = 1\n";
        assert_eq!(stat_block(&stat), expected);
    }

    #[test]
    fn stat_block_of_a_fresh_root() {
        let stat = Stat { cversion: -1, num_children: 1, ..Stat::default() };
        let text = stat_block(&stat);
        assert_eq!(text.lines().count(), 11);
        assert!(text.starts_with("cZxid = 0x0\nctime = Thu Jan 01 00:00:00 UTC 1970\n"));
        assert!(text.contains("\nephemeralOwner = 0x0\n"));
        let tail = "cversion = -1\ndataVersion = 0\naclVersion = 0\nephemeralOwner = 0x0\n\
                    dataLength = 0\nnumChildren = 1\n";
        assert!(text.ends_with(tail), "{text}");
    }

    #[test]
    fn stat_block_prints_negative_versions_as_java_ints() {
        let stat = Stat { version: -1, aversion: -1, ..Stat::default() };
        assert!(stat_block(&stat).contains("\ndataVersion = -1\naclVersion = -1\n"));
    }

    #[test]
    fn children_list_is_sorted_java_list_text() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(children_list(&[]), "[]");
        assert_eq!(children_list(&names(&["zookeeper"])), "[zookeeper]");
        assert_eq!(children_list(&names(&["b", "a", "C", "10", "9"])), "[10, 9, C, a, b]");
    }

    #[test]
    fn data_text_prints_null_empty_and_lossy_utf8() {
        assert_eq!(data_text(None), "null");
        assert_eq!(data_text(Some(b"")), "");
        assert_eq!(data_text(Some("{\"version\":1}".as_bytes())), "{\"version\":1}");
        assert_eq!(data_text(Some("é".as_bytes())), "é");
        assert_eq!(data_text(Some(&[0x61, 0xff, 0x62])), "a\u{fffd}b");
    }

    #[test]
    fn get_and_ls_outputs_follow_the_3_5_9_commands() {
        let stat = Stat::default();
        assert_eq!(get_output(None, None), "null\n");
        assert_eq!(get_output(Some(b"x"), Some(&stat)), format!("x\n{}", stat_block(&stat)));
        let kids = vec!["b".to_string(), "a".to_string()];
        assert_eq!(ls_output(&kids, None), "[a, b]\n");
        assert_eq!(ls_output(&[], Some(&stat)), format!("[]{}\n", stat_block(&stat)));
        assert!(ls_output(&kids, Some(&stat)).starts_with("[a, b]cZxid = 0x0\n"));
    }
}
