//! Each platform's JSON for one notice, within the platform's size limit, with the people to
//! mention in the platform's own form.

use crate::core::notify::{DRILL_MARK, Notice, is_phone, one_line};
use serde_json::{Value, json};

/// Bytes of message text each platform takes (below its documented limit, leaving room for
/// the JSON around it): WeCom text 2048 and markdown 4096, DingTalk 20000, Slack 40000
/// characters, Feishu 20 KB per request.
const WECOM_TEXT_BYTES: usize = 2000;
const WECOM_MARKDOWN_BYTES: usize = 4000;
const DINGTALK_BYTES: usize = 18_000;
const SLACK_BYTES: usize = 35_000;
const FEISHU_BYTES: usize = 15_000;
/// An e-mail body: a long report is fine, a runaway one is not.
const MAIL_BYTES: usize = 256_000;
/// The generic webhook has no platform limit; a receiver still gets a bounded request.
const WEBHOOK_BYTES: usize = 64_000;
/// A headline is one line of a chat title or an e-mail subject.
const HEADLINE_BYTES: usize = 400;

/// The notice's words made safe to post: the headline on one line, marked `[DRILL]` for a
/// drill, each fact on one line, huge values clipped.
struct Words {
    headline: String,
    lines: Vec<String>,
}

impl Words {
    fn of(notice: &Notice) -> Words {
        let mut headline = one_line(&notice.headline);
        if notice.drill && !headline.starts_with(DRILL_MARK) {
            headline = format!("{DRILL_MARK} {headline}");
        }
        let mut lines: Vec<String> = notice.lines.iter().map(|l| one_line(l)).collect();
        if !notice.contacts.is_empty() {
            lines.push(format!("For: {}", one_line(&notice.contacts.join(", "))));
        }
        Words {
            headline: clip(&headline, HEADLINE_BYTES),
            lines,
        }
    }

    /// The headline, then the facts, one per line, within `max` bytes.
    fn text(&self, max: usize) -> String {
        let mut out = self.headline.clone();
        for line in &self.lines {
            out.push('\n');
            out.push_str(line);
        }
        clip(&out, max)
    }
}

/// Who a message mentions: phone numbers (DingTalk and WeCom `@` them), platform user ids
/// (the channel's other `mention` entries), and whether everyone is.
struct Mentions {
    phones: Vec<String>,
    ids: Vec<String>,
    everyone: bool,
}

impl Mentions {
    fn of(notice: &Notice, mention: &[String]) -> Mentions {
        let mut phones: Vec<String> = Vec::new();
        let mut ids: Vec<String> = Vec::new();
        let mut everyone = false;
        for entry in mention.iter().map(|m| m.trim()) {
            if is_phone(entry) {
                phones.push(entry.to_string());
            } else if matches!(entry, "all" | "@all") {
                everyone = true;
            } else if !entry.is_empty() && !entry.contains('@') {
                ids.push(one_line(entry));
            }
        }
        phones.extend(notice.phone_contacts().map(str::to_string));
        let mut seen = std::collections::HashSet::new();
        phones.retain(|p| seen.insert(p.clone()));
        Mentions {
            phones,
            ids,
            everyone,
        }
    }

    fn is_empty(&self) -> bool {
        self.phones.is_empty() && self.ids.is_empty() && !self.everyone
    }
}

/// At most `max` bytes of `text`, cut at a character boundary and ended with `…` when cut.
pub(super) fn clip(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let ellipsis = "…";
    let mut end = max.saturating_sub(ellipsis.len());
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ellipsis}", &text[..end])
}

/// When the notice's event happened, as RFC 3339 UTC with milliseconds.
fn rfc3339(at_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(at_ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

/// Cockpit's own JSON (documented in `payload.rs`).
pub(super) fn webhook(id: &str, notice: &Notice, mention: &[String]) -> String {
    let words = Words::of(notice);
    let mut budget = WEBHOOK_BYTES;
    let lines: Vec<String> = notice
        .lines
        .iter()
        .map(|l| {
            let line = clip(l, budget.min(4000));
            budget = budget.saturating_sub(line.len());
            line
        })
        .collect();
    json!({
        "id": id,
        "event": notice.kind.word(),
        "incident": notice.incident,
        "severity": notice.severity,
        "drill": notice.drill,
        "title": clip(&notice.title, HEADLINE_BYTES),
        "about": clip(&notice.about, HEADLINE_BYTES),
        "headline": words.headline,
        "text": words.text(WEBHOOK_BYTES),
        "lines": lines,
        "contacts": notice.contacts.iter().map(|c| clip(c, HEADLINE_BYTES)).collect::<Vec<_>>(),
        "mention": mention.iter().map(|c| clip(c, HEADLINE_BYTES)).collect::<Vec<_>>(),
        "at": rfc3339(notice.at_ms),
    })
    .to_string()
}

/// Slack's text with `&`, `<`, `>` escaped as Slack asks.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A Slack incoming webhook's `{"text": …}`: the headline in bold, the facts, then mentions
/// (`<@U123>`, `<!channel>` for everyone).
pub(super) fn slack(notice: &Notice, mention: &[String]) -> String {
    let words = Words::of(notice);
    let who = Mentions::of(notice, mention);
    let mut text = format!("*{}*", slack_escape(&words.headline));
    for line in &words.lines {
        text.push('\n');
        text.push_str(&slack_escape(line));
    }
    let mut tags: Vec<String> = who
        .ids
        .iter()
        .filter(|id| id.bytes().all(|b| b.is_ascii_alphanumeric()))
        .map(|id| format!("<@{id}>"))
        .collect();
    if who.everyone {
        tags.push("<!channel>".into());
    }
    let text = clip(&text, SLACK_BYTES - 200 * tags.len().min(100));
    let text = if tags.is_empty() {
        text
    } else {
        format!("{text}\n{}", tags.join(" "))
    };
    json!({ "text": text }).to_string()
}

/// A DingTalk robot's markdown message; `at.atMobiles` the phone numbers (written as `@…`
/// in the text too, which DingTalk needs to show the mention), `at.atUserIds` the ids.
pub(super) fn dingtalk(notice: &Notice, mention: &[String]) -> String {
    let words = Words::of(notice);
    let who = Mentions::of(notice, mention);
    let mut text = format!("#### {}\n", words.headline);
    for line in &words.lines {
        text.push_str("\n- ");
        text.push_str(line);
    }
    let mut text = clip(&text, DINGTALK_BYTES);
    if !who.phones.is_empty() {
        text.push_str("\n\n");
        let tags: Vec<String> = who.phones.iter().map(|p| format!("@{p}")).collect();
        text.push_str(&tags.join(" "));
    }
    json!({
        "msgtype": "markdown",
        "markdown": { "title": words.headline, "text": text },
        "at": {
            "atMobiles": who.phones,
            "atUserIds": who.ids,
            "isAtAll": who.everyone,
        },
    })
    .to_string()
}

/// A Feishu / Lark custom bot's rich-text (`post`) message: the headline as its title, one
/// paragraph per fact, `at` elements for the mentioned user ids (`ou_…`, `all`); with a
/// signature, its `timestamp` and `sign` fields.
pub(super) fn feishu(
    notice: &Notice,
    mention: &[String],
    signature: Option<(i64, String)>,
) -> String {
    let words = Words::of(notice);
    let who = Mentions::of(notice, mention);
    let mut budget = FEISHU_BYTES;
    let mut content: Vec<Value> = Vec::new();
    for line in &words.lines {
        if budget == 0 {
            break;
        }
        let line = clip(line, budget);
        budget = budget.saturating_sub(line.len());
        content.push(json!([{ "tag": "text", "text": line }]));
    }
    let mut tags: Vec<Value> = who
        .ids
        .iter()
        .take(50)
        .map(|id| json!({ "tag": "at", "user_id": clip(id, 100) }))
        .collect();
    if who.everyone {
        tags.push(json!({ "tag": "at", "user_id": "all" }));
    }
    if !tags.is_empty() {
        content.push(Value::Array(tags));
    }
    let mut body = json!({
        "msg_type": "post",
        "content": { "post": { "zh_cn": { "title": words.headline, "content": content } } },
    });
    if let (Some((timestamp, sign)), Some(fields)) = (signature, body.as_object_mut()) {
        fields.insert("timestamp".into(), Value::String(timestamp.to_string()));
        fields.insert("sign".into(), Value::String(sign));
    }
    body.to_string()
}

/// A WeCom robot's message: markdown when nobody is mentioned, else text with
/// `mentioned_mobile_list` and `mentioned_list` (WeCom's markdown cannot mention).
pub(super) fn wecom(notice: &Notice, mention: &[String]) -> String {
    let words = Words::of(notice);
    let who = Mentions::of(notice, mention);
    if who.is_empty() {
        let mut text = format!("**{}**", words.headline);
        for line in &words.lines {
            text.push('\n');
            text.push_str(line);
        }
        return json!({
            "msgtype": "markdown",
            "markdown": { "content": clip(&text, WECOM_MARKDOWN_BYTES) },
        })
        .to_string();
    }
    let mut ids = who.ids.clone();
    if who.everyone {
        ids.push("@all".into());
    }
    json!({
        "msgtype": "text",
        "text": {
            "content": words.text(WECOM_TEXT_BYTES),
            "mentioned_list": ids,
            "mentioned_mobile_list": who.phones,
        },
    })
    .to_string()
}

/// An e-mail's subject and plain text body.
pub(super) fn mail(notice: &Notice) -> (String, String) {
    let words = Words::of(notice);
    (words.headline.clone(), words.text(MAIL_BYTES))
}
