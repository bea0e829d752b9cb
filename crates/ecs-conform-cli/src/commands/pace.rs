//! How fast a run goes on its target, for `run` and `diff`: how many cases are in
//! flight and how `until` steps poll. Each setting comes from its flag, else the target
//! file, else the default; the target file's `max_jobs` caps the cases in flight
//! whatever asked for more.

use ecs_conform::report::profile::TargetProfile;
use std::time::Duration;

/// Cases in flight by default. The work waits on the network (and on the target's
/// lifecycle), not on this machine's cores, so it does not follow their number.
pub const DEFAULT_JOBS: usize = 8;

/// The settings a run goes with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pace {
    /// Cases in flight.
    pub jobs: usize,
    /// None: the library's default (25ms on the built-in reference, 1s elsewhere).
    pub poll_interval: Option<Duration>,
    /// None: the library's default (10s on the built-in reference, none elsewhere).
    pub max_within: Option<Duration>,
    /// Said when an explicit number of jobs (flag or target file) was lowered to the
    /// target's `max_jobs`.
    pub note: Option<String>,
}

/// The flags, else the target file's settings, else the defaults; `max_jobs` caps the
/// jobs (a default silently, an explicit number with a note).
pub fn pace(
    jobs: Option<usize>,
    poll_interval: Option<Duration>,
    max_within: Option<Duration>,
    profile: &TargetProfile,
) -> Pace {
    let asked = jobs.or(profile.jobs.map(std::num::NonZeroUsize::get));
    let wanted = asked.unwrap_or(DEFAULT_JOBS);
    let (jobs, note) = match profile.max_jobs {
        Some(max) if wanted > max.get() => {
            let note = asked.map(|asked| {
                let by = if jobs.is_some() {
                    format!("--jobs {asked}")
                } else {
                    format!("jobs: {asked}")
                };
                format!(
                    "{} runs at most {max} case(s) at a time (max_jobs in {}); {by} lowered to {max}",
                    profile.name.as_deref().unwrap_or("this target"),
                    profile.file.display()
                )
            });
            (max.get(), note)
        }
        _ => (wanted, None),
    };
    Pace {
        jobs,
        poll_interval: poll_interval.or(profile.poll_interval),
        max_within: max_within.or(profile.max_within),
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::num::NonZeroUsize;

    fn profile(jobs: Option<usize>, max_jobs: Option<usize>) -> TargetProfile {
        let mut p = TargetProfile::default();
        p.name = Some("emu".into());
        p.jobs = jobs.and_then(NonZeroUsize::new);
        p.max_jobs = max_jobs.and_then(NonZeroUsize::new);
        p.max_within = Some(Duration::from_secs(2));
        p.poll_interval = Some(Duration::from_millis(100));
        p
    }

    #[test]
    fn a_flag_wins_over_the_target_file_which_wins_over_the_default() {
        let none = TargetProfile::default();
        let p = pace(None, None, None, &none);
        assert_eq!(
            (p.jobs, p.poll_interval, p.max_within),
            (DEFAULT_JOBS, None, None)
        );
        let file = profile(Some(3), None);
        let p = pace(None, None, None, &file);
        assert_eq!(p.jobs, 3);
        assert_eq!(p.poll_interval, Some(Duration::from_millis(100)));
        assert_eq!(p.max_within, Some(Duration::from_secs(2)));
        let p = pace(
            Some(5),
            Some(Duration::from_millis(7)),
            Some(Duration::from_secs(9)),
            &file,
        );
        assert_eq!(p.jobs, 5);
        assert_eq!(p.poll_interval, Some(Duration::from_millis(7)));
        assert_eq!(p.max_within, Some(Duration::from_secs(9)));
        assert_eq!(p.note, None);
    }

    #[test]
    fn max_jobs_caps_every_source_and_notes_only_an_explicit_number() {
        let p = pace(None, None, None, &profile(None, Some(1)));
        assert_eq!((p.jobs, p.note), (1, None));
        let p = pace(Some(8), None, None, &profile(None, Some(1)));
        assert_eq!(p.jobs, 1);
        assert!(p.note.is_some_and(|n| n.contains("--jobs 8 lowered to 1")));
        let p = pace(None, None, None, &profile(Some(4), Some(2)));
        assert_eq!(p.jobs, 2);
        assert!(p.note.is_some_and(|n| n.contains("jobs: 4 lowered to 2")));
        let p = pace(Some(1), None, None, &profile(Some(4), Some(2)));
        assert_eq!((p.jobs, p.note), (1, None));
    }
}
