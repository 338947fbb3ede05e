//! Preferred leaders: the automatic rebalance and the preferred election.
//!
//! Follows `KafkaController.checkAndTriggerAutoLeaderRebalance` (2.8): every
//! `leader.imbalance.check.interval.seconds`, per preferred broker (the first assigned replica),
//! the share of its partitions it does not lead; above `leader.imbalance.per.broker.percentage`,
//! those of its partitions where it is in the ISR elect it
//! (`PreferredReplicaPartitionLeaderElectionStrategy`, which `ElectLeaders` in `admin.rs` uses
//! too, with its per-partition errors from `KafkaController.onReplicaElection`).

use crate::sim::time::Duration;
use crate::sorted::SortedMap;

use super::super::io::{KIo, KafkaTimer};
use super::super::msg::KErr;
use super::super::types::{BrokerId, LeaderEpoch, TopicPartition};
use super::election::Update;
use super::state_writes::Tell;
use super::{Answers, Controller, Host, LeaderIsr, Step, Task};

/// The automatic rebalance's stages.
#[derive(Clone, Debug)]
pub(super) enum AutoRebalance {
    /// Find the imbalanced brokers; elect their preferred partitions.
    Check,
    /// Tell the brokers; schedule the next check.
    Finish,
}

impl Controller {
    /// `PreferredReplicaPartitionLeaderElectionStrategy` for `tps`: the writes to make and the
    /// answers per partition.
    pub(super) fn preferred_elections(&self, tps: &[TopicPartition]) -> (Vec<Update>, Answers) {
        let mut updates = Vec::new();
        let mut answers = Vec::new();
        for tp in tps {
            let Some(s) = self.states.get(tp) else {
                answers.push((
                    tp.to_string(),
                    Err((KErr::UnknownTopicOrPartition, "This server does not host this topic-partition.".to_string())),
                ));
                continue;
            };
            let Some(pref) = self.replicas(tp).first().copied() else { continue };
            if s.leader == pref {
                answers
                    .push((tp.to_string(), Err((KErr::ElectionNotNeeded, "Leader election not needed for topic partition.".to_string()))));
            } else if !self.is_live(pref) || !s.isr.contains(&pref) || self.shutting_down.contains(&pref) {
                answers.push((
                    tp.to_string(),
                    Err((
                        KErr::PreferredLeaderNotAvailable,
                        format!("Failed to elect leader for partition {tp} under strategy PreferredReplicaPartitionLeaderElectionStrategy"),
                    )),
                ));
            } else {
                updates.push((
                    tp.clone(),
                    LeaderIsr {
                        leader: pref,
                        leader_epoch: LeaderEpoch(s.leader_epoch.0 + 1),
                        isr: s.isr.clone(),
                        controller_epoch: self.epoch,
                        zk_version: s.zk_version,
                    },
                    false,
                ));
                answers.push((tp.to_string(), Ok(())));
            }
        }
        (updates, answers)
    }

    pub(super) fn auto_rebalance(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, stage: AutoRebalance) -> Step {
        match stage {
            AutoRebalance::Check => {
                // checkAndTriggerAutoLeaderRebalance: per preferred broker, the share of its
                // partitions it does not lead.
                let mut by_pref: SortedMap<BrokerId, Vec<(&TopicPartition, &LeaderIsr)>> = SortedMap::new();
                for (tp, s) in &self.states {
                    if let Some(p) = self.replicas(tp).first() {
                        by_pref.get_or_default(*p).push((tp, s));
                    }
                }
                let mut tps = Vec::new();
                for (pref, parts) in by_pref {
                    if !self.is_live(pref) || self.shutting_down.contains(&pref) {
                        continue;
                    }
                    let not_led: Vec<&TopicPartition> = parts.iter().filter(|(_, s)| s.leader != pref).map(|(tp, _)| *tp).collect();
                    let ratio = not_led.len() as f64 / parts.len() as f64;
                    if ratio > self.cfg.imbalance_pct as f64 / 100.0 {
                        let shown = ratio_3dp(not_led.len() as u64, parts.len() as u64);
                        io.note(format!(
                            "controller {}: leader imbalance ratio for broker {pref} is {shown} (> {}%): preferred leader election",
                            self.id, self.cfg.imbalance_pct
                        ));
                        for tp in not_led {
                            if self.states[tp].isr.contains(&pref) {
                                tps.push(tp.clone());
                            }
                        }
                    }
                }
                let (updates, _) = self.preferred_elections(&tps);
                self.write_states(host, io, updates);
                Step::Then(Task::AutoRebalance(AutoRebalance::Finish))
            }
            AutoRebalance::Finish => {
                if !self.finish_writes(host, io, Tell::Changed) {
                    return Step::Done;
                }
                if self.cfg.auto_rebalance {
                    io.set_timer(KafkaTimer::AutoRebalance, Duration::from_secs(self.cfg.imbalance_interval_s));
                }
                Step::Done
            }
        }
    }
}

/// `num / den` (as an `f64`, `den > 0`) written as `format!("{:.3}")` writes it, without Rust's
/// float formatting (≈ 6 KB of the browser module for this one note). The quotient is rounded
/// in integers; only an exact tie between two thousandths needs the `f64` itself, which then
/// lies just above or below the tie (or on it, and rounds to even), as the formatter sees it.
fn ratio_3dp(num: u64, den: u64) -> String {
    let (mut q, r) = ((num * 1000) / den, (num * 1000) % den);
    if 2 * r > den {
        q += 1;
    } else if 2 * r == den {
        // The f64 is mant · 2^exp; compare it with the tie (2q + 1) / 2000 exactly.
        let d = num as f64 / den as f64;
        let bits = d.to_bits();
        let (mant, exp) = ((bits & ((1 << 52) - 1)) | (1 << 52), ((bits >> 52) & 0x7ff) as i32 - 1075);
        let (lhs, rhs) =
            if exp >= 0 { ((mant as u128 * 2000) << exp, 2 * q as u128 + 1) } else { (mant as u128 * 2000, (2 * q as u128 + 1) << -exp) };
        if lhs > rhs || (lhs == rhs && q % 2 == 1) {
            q += 1;
        }
    }
    format!("{}.{:03}", q / 1000, q % 1000)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::ratio_3dp;

    #[test]
    fn imbalance_ratio_is_written_as_the_float_formatter_writes_three_decimals() {
        for den in 1..=2000u64 {
            for num in 0..=den {
                assert_eq!(ratio_3dp(num, den), format!("{:.3}", num as f64 / den as f64), "{num}/{den}");
            }
        }
    }
}
