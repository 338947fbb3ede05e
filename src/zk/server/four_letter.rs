//! The four-letter words (`srvr`, `stat`, `mntr`, `ruok`, `isro`, and the "not in the whitelist"
//! answer for the rest) as one `impl ZkServer` block.
//!
//! Follows `FourLetterCommands.java`, `NIOServerCnxn.checkFourLetterWord`, `StatCommand`,
//! `MonitorCommand` and `ServerStats`.
//!
//! Simplified: sizes in `mntr` are estimated from the jute encoding; only the words above answer.

use super::connections::latency;
use super::*;

impl ZkServer {
    /// The text a four-letter word answers (`FourLetterCommands`, `StatCommand`, `MonitorCommand`).
    pub fn four_letter(&self, word: &str) -> String {
        const KNOWN: [&str; 17] = [
            "conf", "cons", "crst", "dump", "envi", "gtmk", "ruok", "stmk", "srst", "srvr", "stat", "wchc", "wchp", "wchs", "mntr", "isro",
            "dirs",
        ];
        if !KNOWN.contains(&word) {
            return String::new();
        }
        if let Some(list) = &self.cfg.four_letter_whitelist {
            if !list.iter().any(|w| w == word) {
                return format!("{word} is not executed because it is not in the whitelist.\n");
            }
        }
        let not_serving = "This ZooKeeper instance is not currently serving requests\n".to_string();
        match word {
            "ruok" => "imok".to_string(),
            "isro" => {
                if self.v.serving {
                    "rw".into()
                } else {
                    "null".into()
                }
            }
            "srvr" | "stat" => {
                let Some(mode) = self.mode() else { return not_serving };
                let st = &self.v.stats;
                let mut s = String::new();
                s.push_str(VERSION_LINE);
                s.push('\n');
                if word == "stat" {
                    s.push_str("Clients:\n");
                    for c in self.v.cnxns.values() {
                        s.push_str(&format!(" /127.0.0.1:{}[1](queued=0,recved={},sent={})\n", c.port, c.received, c.sent));
                    }
                    s.push_str(" /127.0.0.1:39999[0](queued=0,recved=1,sent=0)\n\n");
                }
                let (min, avg, max) = latency(st);
                s.push_str(&format!("Latency min/avg/max: {min}/{avg}/{max}\n"));
                s.push_str(&format!("Received: {}\n", st.packets_received));
                s.push_str(&format!("Sent: {}\n", st.packets_sent));
                s.push_str(&format!("Connections: {}\n", self.v.cnxns.len() + 1));
                s.push_str(&format!("Outstanding: {}\n", self.outstanding_requests()));
                s.push_str(&format!("Zxid: {}\n", self.v.tree.last_processed_zxid()));
                s.push_str(&format!("Mode: {mode}\n"));
                s.push_str(&format!("Node count: {}\n", self.v.tree.node_count()));
                if mode == "leader" {
                    let f = |x: Option<u64>| x.map(|v| v.to_string()).unwrap_or_else(|| "-1".into());
                    s.push_str(&format!(
                        "Proposal sizes last/min/max: {}/{}/{}\n",
                        f(st.last_proposal_size),
                        f(st.min_proposal_size),
                        f(st.max_proposal_size)
                    ));
                }
                s
            }
            "mntr" => {
                let Some(mode) = self.mode() else { return not_serving };
                let st = &self.v.stats;
                let (min, avg, max) = latency(st);
                let mut s = String::new();
                let mut kv = |k: &str, v: String| s.push_str(&format!("zk_{k}\t{v}\n"));
                kv("version", VERSION_LINE.trim_start_matches("Zookeeper version: ").to_string());
                kv("avg_latency", avg.to_string());
                kv("max_latency", max.to_string());
                kv("min_latency", min.to_string());
                kv("packets_received", st.packets_received.to_string());
                kv("packets_sent", st.packets_sent.to_string());
                kv("num_alive_connections", (self.v.cnxns.len() + 1).to_string());
                kv("outstanding_requests", self.outstanding_requests().to_string());
                kv("server_state", mode.to_string());
                kv("znode_count", self.v.tree.node_count().to_string());
                kv("watch_count", self.v.tree.watch_count().to_string());
                kv("ephemerals_count", self.v.tree.ephemeral_count().to_string());
                kv("approximate_data_size", self.v.tree.approximate_data_size().to_string());
                kv("open_file_descriptor_count", (64 + self.v.cnxns.len() + self.cfg.servers.len() * 2).to_string());
                kv("max_file_descriptor_count", "1048576".to_string());
                if let Role::Leading(l) = &self.v.role {
                    if !l.standalone {
                        let f = |x: Option<u64>| x.map(|v| v.to_string()).unwrap_or_else(|| "-1".into());
                        kv("followers", l.learners.len().to_string());
                        kv("synced_followers", self.synced_learners().len().to_string());
                        kv("pending_syncs", l.learners.values().filter(|h| h.phase != LhPhase::Broadcast).count().to_string());
                        kv("last_proposal_size", f(st.last_proposal_size));
                        kv("max_proposal_size", f(st.max_proposal_size));
                        kv("min_proposal_size", f(st.min_proposal_size));
                    }
                }
                s
            }
            other => format!("(sandbox) the four-letter word '{other}' is not modelled; try srvr, stat, mntr, ruok or isro\n"),
        }
    }

    pub(super) fn outstanding_requests(&self) -> usize {
        self.v.cnxns.values().map(|c| c.queue.len()).sum()
    }
}
