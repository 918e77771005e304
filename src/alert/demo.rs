//! The alerts of `--demo`: a trading halt on the ticker (about every 45 s) and a failed deploy
//! (about one deploy in seven), so they fire now and then. The example feeds.toml has the same.

use std::time::Duration;

use super::spec::{Actions, AlertSpec, Condition};

pub fn alerts() -> Vec<AlertSpec> {
    let flash = Actions {
        flash: true,
        ..Actions::default()
    };
    vec![
        AlertSpec {
            name: "trading halt".into(),
            feeds: Some(vec!["ticker".into()]),
            // The event type: a halt's data names the symbol and the reason.
            condition: Condition::matching("^halt$").expect("a valid regex"),
            cooldown: Duration::ZERO,
            actions: flash.clone(),
        },
        AlertSpec {
            name: "deploy failed".into(),
            feeds: Some(vec!["deploys".into()]),
            condition: Condition::matching(r#""status":"failed""#).expect("a valid regex"),
            cooldown: Duration::from_secs(60),
            actions: flash,
        },
    ]
}
