//! Telling people: the notification channels of the inventory (`[[notify]]`), the notices an
//! incident sends through them, and the outbox that keeps each one until its channel took it.
//! Pure, building each platform's request and signing it included; sending lives in
//! `io::notify`.

mod channel;
mod notice;
pub mod outbox;
pub mod payload;

pub use channel::{Channel, ChannelKind, DrillRoute, EmailSettings, NoticeKind, SmtpTls};
pub use notice::{DRILL_MARK, Notice, is_phone, one_line};
pub use outbox::{AttemptOutcome, Outbox, Pending};
pub use payload::{Request, build, judge, mail};
