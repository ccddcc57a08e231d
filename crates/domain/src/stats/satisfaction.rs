//! Citizens' satisfaction from the ratings given after a result is
//! returned: the share satisfied overall, and the SIPAS-style index over
//! its five aspects (domain.md §12, Decision 2640/QĐ-BNV and 1001/QĐ-BNV).
//!
//! The official formula is not published in full, so the defaults are the
//! configurable ones domain.md names: an answer is *satisfied* at 4 or 5
//! on the 5-point scale; an aspect's rate is satisfied ÷ valid answers (an
//! aspect left unanswered is no answer, not a 0); the index is the mean of
//! the aspects that have answers; a unit under the minimum sample (30) is
//! shown but not ranked.

use serde::Serialize;

/// The lowest answer counted as satisfied.
pub const SATISFIED_FROM: u8 = 4;
/// Fewer responses than this: shown, not ranked.
pub const MIN_SAMPLE: u64 = 30;

/// The five SIPAS aspects, in the questionnaire's order.
pub const ASPECTS: [&str; 5] = ["access", "procedure", "civil_servant", "result", "feedback"];

/// Counts of one question: valid answers and satisfied ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Answers {
    /// Answers given (1 to 5).
    pub valid: u64,
    /// Of which 4 or 5.
    pub satisfied: u64,
}

impl Answers {
    /// Satisfied ÷ valid, in percent; none without answers.
    pub fn rate(&self) -> Option<f64> {
        (self.valid > 0).then(|| self.satisfied as f64 * 100.0 / self.valid as f64)
    }

    /// Adds another group's counts.
    pub fn add(&mut self, o: &Answers) {
        self.valid += o.valid;
        self.satisfied += o.satisfied;
    }
}

/// A unit's ratings over a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Ratings {
    /// Responses.
    pub responses: u64,
    /// The sum of the overall scores (for the mean).
    pub overall_sum: u64,
    /// The overall question.
    pub overall: Answers,
    /// Each aspect, in [`ASPECTS`] order.
    pub aspects: [Answers; 5],
}

impl Ratings {
    /// Adds another group's ratings.
    pub fn add(&mut self, o: &Ratings) {
        self.responses += o.responses;
        self.overall_sum += o.overall_sum;
        self.overall.add(&o.overall);
        for (a, b) in self.aspects.iter_mut().zip(o.aspects.iter()) {
            a.add(b);
        }
    }

    /// The mean overall score (1 to 5).
    pub fn mean(&self) -> Option<f64> {
        (self.responses > 0).then(|| self.overall_sum as f64 / self.responses as f64)
    }

    /// The index: the mean of the aspect rates that have answers.
    pub fn index(&self) -> Option<f64> {
        let rates: Vec<f64> = self.aspects.iter().filter_map(Answers::rate).collect();
        (!rates.is_empty()).then(|| rates.iter().sum::<f64>() / rates.len() as f64)
    }

    /// Whether the sample is large enough to rank.
    pub fn rankable(&self) -> bool {
        self.responses >= MIN_SAMPLE
    }
}

/// Ranks entries by index, highest first, among those rankable; ties share
/// the better rank; the others get none.
pub fn ranks(entries: &[Ratings]) -> Vec<Option<usize>> {
    let scored: Vec<Option<f64>> = entries
        .iter()
        .map(|r| if r.rankable() { r.index() } else { None })
        .collect();
    scored
        .iter()
        .map(|s| s.map(|v| 1 + scored.iter().flatten().filter(|o| **o > v).count()))
        .collect()
}

/// Whether one answer counts as satisfied.
pub fn is_satisfied(score: u8) -> bool {
    score >= SATISFIED_FROM
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(scores: &[u8]) -> Answers {
        Answers {
            valid: scores.len() as u64,
            satisfied: scores.iter().filter(|s| is_satisfied(**s)).count() as u64,
        }
    }

    #[test]
    fn rates_count_4_and_5_over_the_answers_given() {
        // 5, 4, 3, 2 → 2 satisfied of 4 = 50 %.
        assert_eq!(answers(&[5, 4, 3, 2]).rate(), Some(50.0));
        assert_eq!(answers(&[]).rate(), None);
    }

    #[test]
    fn the_index_averages_the_aspects_that_were_answered() {
        let mut r = Ratings {
            responses: 4,
            overall_sum: 16,
            ..Ratings::default()
        };
        r.aspects[0] = answers(&[5, 5, 5, 5]); // 100
        r.aspects[1] = answers(&[5, 1, 5, 1]); // 50
        // aspects 2..4 unanswered: not zeros.
        assert_eq!(r.index(), Some(75.0));
        assert_eq!(r.mean(), Some(4.0));
        assert_eq!(Ratings::default().index(), None);
    }

    #[test]
    fn only_samples_of_thirty_are_ranked_and_ties_share_a_rank() {
        let with = |n: u64, rate_of_ten: u64| {
            let mut r = Ratings {
                responses: n,
                overall_sum: n * 4,
                ..Ratings::default()
            };
            for a in &mut r.aspects {
                *a = Answers {
                    valid: 10,
                    satisfied: rate_of_ten,
                };
            }
            r
        };
        let entries = [with(40, 9), with(29, 10), with(30, 7), with(35, 9)];
        assert_eq!(ranks(&entries), vec![Some(1), None, Some(3), Some(1)]);
    }
}
