//! Timestamps for `tail` lines, formatted once per millisecond rather than once per event.

use std::time::{Duration, SystemTime};

/// Timestamps formatted once per millisecond, not once per event.
#[derive(Default)]
pub(super) struct Clock {
    /// The time last asked for, as given: the events of one read share it, so most calls end
    /// at one comparison.
    asked: Option<SystemTime>,
    last: Option<SystemTime>,
    rfc3339: String,
    local_last: Option<SystemTime>,
    local: String,
    tz: Option<jiff::tz::TimeZone>,
}

impl Clock {
    pub(super) fn rfc3339(&mut self, at: SystemTime) -> &str {
        if self.asked == Some(at) {
            return &self.rfc3339;
        }
        self.asked = Some(at);
        let at = truncate_ms(at);
        if self.last != Some(at) {
            self.last = Some(at);
            self.rfc3339 = match jiff::Timestamp::try_from(at) {
                Ok(ts) => format!("{ts:.3}"),
                Err(_) => "1970-01-01T00:00:00.000Z".into(),
            };
        }
        &self.rfc3339
    }

    pub(super) fn local_time(&mut self, at: SystemTime) -> String {
        let at = truncate_ms(at);
        if self.local_last != Some(at) {
            self.local_last = Some(at);
            let tz = self.tz.get_or_insert_with(jiff::tz::TimeZone::system);
            self.local = match jiff::Timestamp::try_from(at) {
                Ok(ts) => ts.to_zoned(tz.clone()).strftime("%H:%M:%S%.3f").to_string(),
                Err(_) => "--:--:--".into(),
            };
        }
        self.local.clone()
    }
}

fn truncate_ms(at: SystemTime) -> SystemTime {
    match at.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => SystemTime::UNIX_EPOCH + Duration::from_millis(d.as_millis() as u64),
        Err(_) => at,
    }
}
