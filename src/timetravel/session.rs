//! A session as text (the page's URL carries it): seed, shape, the inputs with their positions,
//! the live end and the shown position, plus the trace hash at the live end to tell a link made
//! by another version of the sandbox.
//!
//! The form is short and needs no escaping: numbers in base 36, positions as differences from
//! the previous input, each line prefixed with its length in characters.
//!
//! ```text
//! z1.SEED.ZK.BROKERS.LIVESTOPS.LIVEAT.POS.HASH~POPS.AT.FLAG.LEN.LINE~…
//! ```
//! `SEED` decimal; `POS` is `L` (the live end) or `STOPS_AT` (underscore-separated); `HASH` 16
//! hex digits; `FLAG` `t` typed, `c` a click, `s` a typed plain `sleep` (replayed so that a seek
//! can stop inside it). Reading checks everything and explains the first thing wrong; a replay
//! that does not reach the recorded positions is reported too, never run further than the
//! recorded end (at most [`super::MAX_SESSION_US`] of virtual time, the terminal's `sleep`
//! limit). Nothing ZooKeeper or Kafka defines is modelled here.

use crate::terminal::ast::Cmd;

use super::{Input, LiveEnd, TimeMachine, MAX_SESSION_US};

/// Inputs a session text may hold at most.
pub const MAX_INPUTS: usize = 1000;
/// Characters a session text may have at most.
pub const MAX_TEXT: usize = 200_000;
/// Characters one input line may have at most (the page's `script` parameter's limit).
pub const MAX_LINE: usize = 20_000;

/// The position a session text asks to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    Live,
    At { stops: u64, at_us: u64 },
}

/// A session read from text, not yet replayed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub seed: u64,
    pub zk: u32,
    pub brokers: u32,
    pub inputs: Vec<Input>,
    pub live_stops: u64,
    pub live_at_us: u64,
    pub shown: Shown,
    pub hash: u64,
}

fn b36(mut n: u64) -> String {
    if n == 0 {
        return "0".into();
    }
    let mut d = Vec::new();
    while n > 0 {
        d.push(b"0123456789abcdefghijklmnopqrstuvwxyz"[(n % 36) as usize]);
        n /= 36;
    }
    d.reverse();
    String::from_utf8(d).unwrap_or_default()
}

fn num36(s: &str, what: &str) -> Result<u64, String> {
    if s.is_empty() || s.len() > 13 || !s.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()) {
        return Err(format!("{what} must be a base-36 number, got '{}'", show(s)));
    }
    u64::from_str_radix(s, 36).map_err(|_| format!("{what} is too large"))
}

fn show(s: &str) -> String {
    let mut out: String = s.chars().take(30).flat_map(|c| c.escape_default()).collect();
    if s.chars().count() > 30 {
        out.push('…');
    }
    out
}

/// The text of a session.
pub fn encode(tm: &TimeMachine) -> String {
    let (zk, brokers) = tm.shape();
    let live = tm.live_end();
    let pos = tm.position();
    let shown = if pos.is_live { "L".to_string() } else { format!("{}_{}", b36(pos.stop), b36(pos.at_us)) };
    let hash = tm.live_hash();
    let mut s = format!("z1.{}.{zk}.{brokers}.{}.{}.{shown}.{hash:016x}", tm.seed(), b36(live.stops), b36(live.at_us));
    let (mut pops, mut at) = (0u64, 0u64);
    for i in tm.inputs() {
        let flag = if i.click {
            'c'
        } else if i.sleep_us.is_some() {
            's'
        } else {
            't'
        };
        s.push_str(&format!(
            "~{}.{}.{flag}.{}.{}",
            b36(i.pops.saturating_sub(pops)),
            b36(i.at_us.saturating_sub(at)),
            b36(i.line.chars().count() as u64),
            i.line
        ));
        pops = i.pops;
        at = i.at_us;
    }
    s
}

/// Read a session text (without replaying it).
pub fn decode(text: &str) -> Result<Session, String> {
    if text.len() > MAX_TEXT {
        return Err(format!("it is longer than {MAX_TEXT} characters"));
    }
    let (head, mut rest) = match text.find('~') {
        Some(i) => (&text[..i], &text[i..]),
        None => (text, ""),
    };
    let f: Vec<&str> = head.split('.').collect();
    if f.first() != Some(&"z1") {
        return Err("it does not start with the version 'z1.'".into());
    }
    if f.len() != 8 {
        return Err(format!("its header has {} fields instead of 8 (z1.SEED.ZK.BROKERS.LIVESTOPS.LIVEAT.POS.HASH)", f.len()));
    }
    let seed = crate::view::parse_seed(f[1])?;
    let small = |s: &str, what: &str, lo: u32, hi: u32| -> Result<u32, String> {
        match s.parse::<u32>() {
            Ok(n) if (lo..=hi).contains(&n) && s.len() <= 2 => Ok(n),
            _ => Err(format!("{what} must be a whole number from {lo} to {hi}, got '{}'", show(s))),
        }
    };
    let zk = small(f[2], "zk", 1, 7)?;
    let brokers = small(f[3], "brokers", 1, crate::view::MAX_BROKERS)?;
    let live_stops = num36(f[4], "the live end's stop")?;
    let live_at_us = num36(f[5], "the live end's time")?;
    if live_at_us > MAX_SESSION_US {
        return Err("the session is longer than 1000 virtual hours".into());
    }
    let shown = if f[6] == "L" {
        Shown::Live
    } else {
        let (a, b) = f[6].split_once('_').ok_or_else(|| format!("the position must be L or STOP_TIME, got '{}'", show(f[6])))?;
        Shown::At { stops: num36(a, "the position's stop")?, at_us: num36(b, "the position's time")? }
    };
    if f[7].len() != 16 || !f[7].bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("the trace hash must be 16 hex digits, got '{}'", show(f[7])));
    }
    let hash = u64::from_str_radix(f[7], 16).map_err(|_| "bad trace hash".to_string())?;
    let mut inputs = Vec::new();
    let (mut pops, mut at) = (0u64, 0u64);
    while let Some(r) = rest.strip_prefix('~') {
        if inputs.len() >= MAX_INPUTS {
            return Err(format!("it has more than {MAX_INPUTS} inputs"));
        }
        let n = inputs.len() + 1;
        let mut parts = r.splitn(5, '.');
        let mut next = |what: &str| parts.next().ok_or_else(|| format!("input {n} is cut short (no {what})"));
        let dp = num36(next("event position")?, &format!("input {n}'s event position"))?;
        let dt = num36(next("time")?, &format!("input {n}'s time"))?;
        let flag = next("kind")?;
        let len = num36(next("length")?, &format!("input {n}'s length"))? as usize;
        let body = next("line")?;
        if len > MAX_LINE {
            return Err(format!("input {n} is longer than {MAX_LINE} characters"));
        }
        let end = body.char_indices().nth(len).map_or(body.len(), |(i, _)| i);
        let line = &body[..end];
        if line.chars().count() != len {
            return Err(format!("input {n} is cut short ({} of {len} characters)", line.chars().count()));
        }
        rest = &body[end..];
        if !rest.is_empty() && !rest.starts_with('~') {
            return Err(format!("input {n} is followed by '{}' instead of ~ or the end", show(rest)));
        }
        pops = pops.checked_add(dp).ok_or("an event position is too large")?;
        at = at.checked_add(dt).ok_or("a time is too large")?;
        if at > live_at_us {
            return Err(format!("input {n} is later than the session's end"));
        }
        let (click, sleep_us) = match flag {
            "t" => (false, None),
            "c" => (true, None),
            "s" => match crate::terminal::parse::parse(line, false) {
                Ok(l) if l.grep.is_none() => match l.cmd {
                    Cmd::Sleep(d) => (false, Some(d.as_micros())),
                    _ => return Err(format!("input {n} is marked as a sleep but is not one")),
                },
                _ => return Err(format!("input {n} is marked as a sleep but is not one")),
            },
            other => return Err(format!("input {n}'s kind must be t, c or s, got '{}'", show(other))),
        };
        inputs.push(Input { line: line.to_string(), click, pops, at_us: at, events: 0, stop: 0, sleep_us, output: None });
    }
    if !rest.is_empty() {
        return Err(format!("unexpected text after the header: '{}'", show(rest)));
    }
    Ok(Session { seed, zk, brokers, inputs, live_stops, live_at_us, shown, hash })
}

/// What replaying a session text gave: the session, and a warning when its trace differs from
/// the one recorded (a link made by another version of the sandbox).
pub struct Replayed {
    pub tm: TimeMachine,
    pub warning: Option<String>,
}

/// Read a session text and replay it to its live end, then show its position.
pub fn replay(text: &str) -> Result<Replayed, String> {
    let s = decode(text).map_err(|e| format!("the session in the link is not valid: {e}"))?;
    let mut tm = TimeMachine::new(s.seed, s.zk, s.brokers)?;
    let lines: Vec<String> = s.inputs.iter().map(|i| i.line.clone()).collect();
    tm.load(s.inputs, LiveEnd { stops: s.live_stops, pops: 0, events: 0, at_us: s.live_at_us, trace_len: 0, hash: 0 });
    if tm.inputs().len() < lines.len() {
        let i = tm.inputs().len();
        return Err(format!(
            "the session in the link is not valid: input {} ('{}') is not a terminal command, or cannot be replayed at its recorded position",
            i + 1,
            show(&lines[i])
        ));
    }
    if tm.position().stop != s.live_stops {
        return Err(format!(
            "the session in the link is not valid: its end is recorded at step {} but the replay reached step {}",
            s.live_stops,
            tm.position().stop
        ));
    }
    let warning = (tm.live_hash() != s.hash).then(|| {
        format!(
            "this link was made by another version of the sandbox: its trace hash was {:016x}, the replay gives {:016x}",
            s.hash,
            tm.live_hash()
        )
    });
    if let Shown::At { stops, at_us } = s.shown {
        tm.set_session_position(stops, at_us);
        tm.show_session_position();
    }
    Ok(Replayed { tm, warning })
}
