//! What the page receives from the time machine, as JSON (`json_out`): the position, the
//! answer to an input, and the inputs (the terminal history and the timeline's input marks).
//! Target-independent, so it is tested natively; `wasm.rs` only passes these on.
//!
//! Numbers stay below 2^53 (events and stops of a session of 1000 virtual hours, times in µs).

use crate::json_out::json_struct;

use super::{RunResult, TimeMachine};

json_struct! {
    /// `position()`: where the shown state is, and where the session ends.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct PositionView {
        /// The newest trace record shown (what the events panel numbers, and a highlight's
        /// `event`): `seekEvent(event)` returns here.
        pub event: u64,
        /// Counted events processed (deliveries, drops, timers: the page's event count).
        pub events: u64,
        pub at_us: u64,
        /// Stops: events and inputs; `stepBack(n)` goes back n of them, `seekStop(n)` goes there.
        pub stop: u64,
        pub live_event: u64,
        pub live_at_us: u64,
        pub live_stop: u64,
        /// The shown state is the end of the session.
        pub live: bool,
        /// Inputs applied at the shown state, and in the whole session.
        pub inputs: usize,
        pub live_inputs: usize,
        /// `redo()` would return to the future the last fork dropped.
        pub can_redo: bool,
    }
}

json_struct! {
    /// `run(line)` / `act(kind, node)`: the terminal output, and whether the input forked the
    /// session (it was made in the past: the later inputs were dropped).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct RunView {
        pub lines: Vec<String>,
        pub error: bool,
        pub forked: bool,
        pub dropped: usize,
    }
}

json_struct! {
    /// One input of the session.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct InputView {
        pub line: String,
        pub click: bool,
        pub at_us: u64,
        /// Counted events when it was made.
        pub event: u64,
        /// The stop it is (seek there to show the state right after it).
        pub stop: u64,
        /// Applied at the shown position (the terminal history shows it).
        pub applied: bool,
        /// What it printed (`null` while a `sleep` shown from inside has not ended).
        pub lines: Option<Vec<String>>,
        pub error: bool,
    }
}

/// The position, for the page.
pub fn position(tm: &TimeMachine) -> PositionView {
    let p = tm.position();
    PositionView {
        event: tm.trace_len().saturating_sub(1),
        events: p.event,
        at_us: p.at_us,
        stop: p.stop,
        live_event: p.live.trace_len.saturating_sub(1),
        live_at_us: p.live.at_us,
        live_stop: p.live.stops,
        live: p.is_live,
        inputs: p.inputs,
        live_inputs: p.live_inputs,
        can_redo: p.can_redo,
    }
}

pub fn run_view(r: RunResult) -> RunView {
    RunView { lines: r.output.lines, error: r.output.error, forked: r.forked, dropped: r.dropped }
}

/// Every input of the session (applied ones first, in order).
pub fn inputs(tm: &TimeMachine) -> Vec<InputView> {
    let done = tm.inputs_done();
    tm.inputs()
        .iter()
        .enumerate()
        .map(|(i, inp)| {
            // A sleep shown from inside has not printed yet.
            let ended = i + 1 < done || (i < done && !tm.in_sleep(i));
            InputView {
                line: inp.line.clone(),
                click: inp.click,
                at_us: inp.at_us,
                event: inp.events,
                stop: inp.stop,
                applied: i < done,
                lines: inp.output.as_ref().filter(|_| ended || i >= done).map(|o| o.lines.clone()),
                error: inp.output.as_ref().is_some_and(|o| o.error),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json_out::to_json;

    #[test]
    fn the_page_gets_the_position_inputs_and_fork_answers_as_json() {
        let mut tm = TimeMachine::new(3, 1, 1).unwrap();
        let r = run_view(tm.run("zk start 1"));
        assert_eq!(to_json(&r), r#"{"lines":["zk1: started (myid 1, clientPort 2181)"],"error":false,"forked":false,"dropped":0}"#);
        tm.run("sleep 2s");
        tm.run("zookeeper-shell localhost:2181 create /a x");
        tm.seek_time(1_000_000);
        let p = position(&tm);
        assert!(!p.live && p.inputs == 2 && p.live_inputs == 3 && p.at_us == 1_000_000, "{p:?}");
        let v = inputs(&tm);
        assert_eq!(v.iter().map(|i| i.applied).collect::<Vec<_>>(), vec![true, true, false]);
        assert_eq!(v[1].lines, None, "the sleep shown from inside has not ended");
        assert_eq!(v[2].lines.as_ref().and_then(|l| l.last()).map(|s| s.as_str()), Some("Created /a"), "{:?}", v[2]);
        let f = run_view(tm.run("zk stop 1"));
        assert!(f.forked && f.dropped == 1 && !f.error, "{f:?}");
        let json = to_json(&position(&tm));
        assert!(json.starts_with(r#"{"event":"#) && json.contains(r#""live":true"#), "{json}");
    }
}
