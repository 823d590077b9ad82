//! Properties of feedback aggregates: hidden below five respondents whatever they said, means
//! within half a tenth of the exact mean, independent of order, and the same from sums.

use kaozheng_core::feedback::{
    Dimension, MIN_RESPONDENTS, Ratings, aggregate, aggregate_sums, normalize_comment,
};
use proptest::prelude::*;

fn ratings() -> impl Strategy<Value = Ratings> {
    (1u8..=5, 1u8..=5, 1u8..=5).prop_map(|(c, j, e)| Ratings {
        content_quality: c,
        social_recognition: j,
        learning_effect: e,
    })
}

proptest! {
    #[test]
    fn hidden_below_five_shown_from_five(v in prop::collection::vec(ratings(), 0..40)) {
        let a = aggregate(&v);
        prop_assert_eq!(a.is_some(), v.len() >= MIN_RESPONDENTS);
        if let Some(a) = a {
            prop_assert_eq!(a.count as usize, v.len());
        }
    }

    #[test]
    fn means_are_the_exact_mean_rounded_to_a_tenth(
        v in prop::collection::vec(ratings(), 5..60),
        rotate in 0usize..60,
    ) {
        let a = aggregate(&v).unwrap();
        let n = v.len() as i64;
        let mut sums = [0u64; 3];
        for (i, d) in Dimension::ALL.into_iter().enumerate() {
            let sum: i64 = v.iter().map(|r| i64::from(r.get(d))).sum();
            sums[i] = sum as u64;
            let tenths = i64::from(a.mean_tenths(d));
            prop_assert!((10..=50).contains(&tenths));
            // |tenths − 10·sum/n| ≤ 1/2, in integers: |2·n·tenths − 20·sum| ≤ n.
            prop_assert!((2 * n * tenths - 20 * sum).abs() <= n, "{d:?}: {tenths} for {sum}/{n}");
        }
        let mut shuffled = v.clone();
        shuffled.rotate_left(rotate % v.len());
        prop_assert_eq!(aggregate(&shuffled), Some(a));
        prop_assert_eq!(aggregate_sums(v.len() as u64, sums), Some(a));
    }

    #[test]
    fn accepted_comments_are_trimmed_and_free_of_control_characters(s in "\\PC{0,20}[\\n ]{0,3}") {
        if let Ok(Some(c)) = normalize_comment(Some(&s)) {
            prop_assert_eq!(c.trim(), c.as_str());
            prop_assert!(!c.is_empty());
            prop_assert!(!c.chars().any(|ch| ch.is_control() && ch != '\n'));
        }
    }
}
