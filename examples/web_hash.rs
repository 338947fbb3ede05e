//! Prints the trace hash of the browser facade's determinism scenario (`tests/web/determinism.txt`)
//! run natively through the time machine the facade wraps (`timetravel::TimeMachine`, whose
//! `step` counts events and inputs as the facade's does); `scripts/test.sh` hands it to the wasm test, which runs
//! the same scenario in Chromium and must get the same hash.

use zkafka_sandbox::timetravel::TimeMachine;

fn main() {
    let script = include_str!("../tests/web/determinism.txt");
    let mut d = TimeMachine::new(7, 3, 4).expect("the scenario's shape is valid");
    for line in script.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        match words.next() {
            Some("@advance") => {
                d.advance(words.next().and_then(|w| w.parse().ok()).unwrap_or(0), u32::MAX);
            }
            Some("@step") => {
                d.step(words.next().and_then(|w| w.parse().ok()).unwrap_or(1));
            }
            Some("@change") => {
                d.step_to_change(1_000_000);
            }
            _ => {
                d.run(line);
            }
        }
    }
    println!("{:016x}", d.trace_hash());
}
