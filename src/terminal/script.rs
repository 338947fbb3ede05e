//! Running a whole script (a lesson, a test, the seed walkthrough) and printing its transcript:
//! each command as `$ COMMAND`, then what it printed; with `trace`, the narrated events that
//! happened while it ran, each prefixed with its virtual time.

use crate::sim::trace::narrate;
use crate::sim::NodeId;

use super::exec::Terminal;

/// Run `text` line by line on `term` and return the transcript. Errors are printed and the
/// script goes on.
pub fn run_script(term: &mut Terminal, text: &str, trace: bool) -> String {
    let mut out = String::new();
    for raw in text.lines() {
        let line = raw.trim_end();
        let shown = line.trim_start().strip_prefix("$ ").unwrap_or(line.trim_start());
        if shown.trim().is_empty() {
            continue;
        }
        let from = term.cluster.world.trace.len();
        let feeding = term.in_producer();
        let res = term.run_line(line);
        if shown.trim_start().starts_with('#') {
            if trace {
                out.push_str(shown);
                out.push('\n');
            }
            continue;
        }
        out.push_str(if feeding { ">" } else { "$ " });
        out.push_str(shown);
        out.push('\n');
        if trace {
            let w = &term.cluster.world;
            let name = |id: NodeId| w.name(id);
            for r in w.trace.since(from) {
                if matches!(r.kind, crate::sim::trace::TraceKind::Input(_)) {
                    continue;
                }
                out.push_str(&format!("  [{}] {}\n", r.at, narrate(r, &name)));
            }
        }
        out.push_str(&res.text());
    }
    out
}
