//! JSDoc text → tags, descriptions and inline `{@...}` constraints: plain string functions with
//! no SWC types, so every rule can be unit-tested on a string.
//!
//! Offsets returned here are byte offsets into the comment *text* as SWC stores it (the part
//! between `/*` and `*/`); `parse/mod.rs` adds the comment's position in the file.

/// One line of a JSDoc block with its leading `*` and surrounding blanks removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    pub text: &'a str,
    /// Offset of `text` in the comment text.
    pub offset: usize,
}

/// A block tag written at the start of a line (`@param a text`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tag<'a> {
    /// The tag name without `@`; matched as a whole word, so `@author` is never `@auth`.
    pub name: &'a str,
    /// The rest of the line, trimmed (tags are single-line, as upstream reads them).
    pub value: &'a str,
    /// Offset of the `@`.
    pub offset: usize,
    /// Offset of `value` (equal to the end of the name when the value is empty).
    pub value_offset: usize,
}

impl Tag<'_> {
    /// Length in bytes of `@name value`, for spans.
    pub fn span_len(&self) -> usize {
        self.value_offset + self.value.len() - self.offset
    }
}

/// Split comment text into cleaned lines. The text of a JSDoc block starts with the second `*`
/// of `/**`, which is stripped like every other line's leading `*`.
pub fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for raw in text.split('\n') {
        let trimmed_start = raw.trim_start();
        let mut offset = start + (raw.len() - trimmed_start.len());
        let mut body = trimmed_start;
        if let Some(rest) = body.strip_prefix('*') {
            body = rest;
            offset += 1;
        }
        let leading = body.len() - body.trim_start().len();
        let text = body.trim();
        out.push(Line {
            text,
            offset: offset + leading,
        });
        start += raw.len() + 1;
    }
    split_one_liner(&mut out);
    out
}

/// Block tags that may follow the description on the same line in a one-line block:
/// `/** Reset everything. @destructive */`. Not `@dependencies`/`@photons`: prose such as
/// "Extract @dependencies from the header" must not declare packages.
const INLINE_BLOCK_TAGS: &[&str] = &[
    "param",
    "returns",
    "readOnly",
    "destructive",
    "idempotent",
    "openWorld",
    "closedWorld",
    "internal",
    "deprecated",
    "title",
    "scope",
    "locked",
    "scheduled",
    "cron",
    "format",
    "template",
    "Template",
    "prompt",
    "resource",
    "Static",
    "mimeType",
    "webhook",
    "stateful",
    "version",
    "auth",
    "runtime",
];

/// In a block with a single non-empty line, split the line before each known tag that follows
/// a blank. Longer blocks keep prose like "see @internal" as prose.
fn split_one_liner(lines: &mut Vec<Line<'_>>) {
    let mut non_empty = lines.iter().filter(|l| !l.text.is_empty());
    let (Some(only), None) = (non_empty.next(), non_empty.next()) else {
        return;
    };
    let only = *only;
    let mut pieces = Vec::new();
    let mut rest = only;
    loop {
        let cut = rest.text.char_indices().skip(1).find_map(|(i, c)| {
            if c != '@' || !rest.text[..i].ends_with(char::is_whitespace) {
                return None;
            }
            let after = &rest.text[i + 1..];
            let n = tag_name_len(after);
            let name = &after[..n];
            let ends = after[n..].is_empty() || after[n..].starts_with(char::is_whitespace);
            (n > 0 && ends && INLINE_BLOCK_TAGS.contains(&name)).then_some(i)
        });
        let Some(i) = cut else { break };
        pieces.push(Line {
            text: rest.text[..i].trim_end(),
            offset: rest.offset,
        });
        rest = Line {
            text: &rest.text[i..],
            offset: rest.offset + i,
        };
    }
    if pieces.is_empty() {
        return;
    }
    pieces.push(rest);
    lines.retain(|l| !l.text.is_empty());
    *lines = pieces;
}

/// Whether a comment text is a JSDoc block (`/** ... */`, not `/**/`).
pub fn is_jsdoc(text: &str) -> bool {
    text.starts_with('*') && text != "*"
}

fn tag_name_len(s: &str) -> usize {
    let mut len = 0;
    for (i, c) in s.char_indices() {
        let ok = if i == 0 {
            c.is_ascii_alphabetic()
        } else {
            c.is_ascii_alphanumeric() || c == '_' || c == '-'
        };
        if !ok {
            break;
        }
        len = i + c.len_utf8();
    }
    len
}

/// The tag a line starts with, if any.
pub fn line_tag<'a>(line: &Line<'a>) -> Option<Tag<'a>> {
    let rest = line.text.strip_prefix('@')?;
    let n = tag_name_len(rest);
    if n == 0 {
        return None;
    }
    let name = &rest[..n];
    let after = &rest[n..];
    // `@param:` or `@foo.bar` are prose, not tags.
    if !(after.is_empty() || after.starts_with(char::is_whitespace)) {
        return None;
    }
    let value = after.trim();
    let value_offset = if value.is_empty() {
        line.offset + 1 + n
    } else {
        line.offset + 1 + n + (after.len() - after.trim_start().len())
    };
    Some(Tag {
        name,
        value,
        offset: line.offset,
        value_offset,
    })
}

/// Every line-start tag of a block, in order.
pub fn tags<'a>(lines: &[Line<'a>]) -> Vec<Tag<'a>> {
    lines.iter().filter_map(line_tag).collect()
}

/// The description of a method (photon-format §2.2): the text before the first tag line,
/// stopping at a markdown heading, inline `{@...}` tags removed. Lines of a paragraph are joined
/// with a space and paragraphs with `. ` (no doubled punctuation). `None` when empty.
pub fn method_description(lines: &[Line<'_>]) -> Option<String> {
    let paragraphs = description_paragraphs(lines);
    let mut out = String::new();
    for p in paragraphs {
        if !out.is_empty() {
            if out.ends_with(['.', '!', '?', ':', ';']) {
                out.push(' ');
            } else {
                out.push_str(". ");
            }
        }
        out.push_str(&p);
    }
    (!out.is_empty()).then_some(out)
}

/// The description of a class: the same text, paragraphs kept apart by a blank line.
pub fn class_description(lines: &[Line<'_>]) -> Option<String> {
    let out = description_paragraphs(lines).join("\n\n");
    (!out.is_empty()).then_some(out)
}

fn description_paragraphs(lines: &[Line<'_>]) -> Vec<String> {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in lines {
        if line.text.starts_with('@') {
            break;
        }
        if line.text.starts_with('#') {
            break;
        }
        let text = strip_inline_tags(line.text);
        let text = text.trim();
        if text.is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
            continue;
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(text);
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    paragraphs
}

/// An inline tag inside a `@param` text: `{@min 1}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineTag {
    pub name: String,
    pub value: String,
    /// Offset of `{` within the text it was found in.
    pub offset: usize,
    /// Length of the whole `{@...}`.
    pub len: usize,
}

/// Find every `{@name value}` in `text`. Braces nest, so `{@default {"a": 1}}` is one tag.
pub fn inline_tags(text: &str) -> Vec<InlineTag> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(pos) = text[i..].find("{@") {
        let start = i + pos;
        let mut depth = 0usize;
        let mut end = None;
        for (j, &b) in bytes.iter().enumerate().skip(start) {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(j);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(end) = end else { break };
        let inner = &text[start + 2..end];
        let n = tag_name_len(inner);
        if n > 0 {
            out.push(InlineTag {
                name: inner[..n].to_string(),
                value: inner[n..].trim().to_string(),
                offset: start,
                len: end + 1 - start,
            });
        }
        i = end + 1;
    }
    out
}

/// `text` with every `{@...}` removed and runs of blanks left behind collapsed.
pub fn strip_inline_tags(text: &str) -> String {
    if !text.contains("{@") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for tag in inline_tags(text) {
        out.push_str(&text[last..tag.offset]);
        last = tag.offset + tag.len;
    }
    out.push_str(&text[last..]);
    let mut collapsed = String::with_capacity(out.len());
    for word in out.split_whitespace() {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    collapsed
}

/// A `@param` tag split into name, description and inline constraints.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamDoc {
    /// The parameter name as written; a dotted `params.x` keeps only the last segment.
    pub name: String,
    /// Description with inline tags removed (may be empty).
    pub description: String,
    pub constraints: Vec<InlineTag>,
    /// Offset of the `@` of the tag, for diagnostics.
    pub offset: usize,
    pub len: usize,
    /// Where the text the constraints' offsets are relative to starts.
    pub text_offset: usize,
}

/// Parse the value of a `@param` tag. Accepts `name text`, `{Type} name text` and `[name] text`
/// (the last two are JSDoc forms upstream does not read). `None` when there is no name.
pub fn param_doc(tag: &Tag<'_>) -> Option<ParamDoc> {
    let mut rest = tag.value;
    let mut consumed = 0;
    // `{Type}` before the name (standard JSDoc): skip it, braces nest.
    if rest.starts_with('{') && !rest.starts_with("{@") {
        let mut depth = 0usize;
        let mut end = None;
        for (i, c) in rest.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let end = end?;
        let after = &rest[end + 1..];
        let trimmed = after.trim_start();
        consumed += end + 1 + (after.len() - trimmed.len());
        rest = trimmed;
    }
    let name_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let mut name = &rest[..name_end];
    name = name.trim_start_matches('[');
    name = name.split(['=', ']']).next().unwrap_or("");
    if let Some((_, last)) = name.rsplit_once('.') {
        name = last;
    }
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    {
        return None;
    }
    let after = &rest[name_end..];
    let text = after.trim_start();
    let text_offset = tag.value_offset + consumed + name_end + (after.len() - text.len());
    Some(ParamDoc {
        name: name.to_string(),
        description: strip_inline_tags(text),
        constraints: inline_tags(text),
        offset: tag.offset,
        len: tag.span_len(),
        text_offset,
    })
}

/// One entry of `@dependencies`, with its offset in the tag value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DependencySpec<'a> {
    pub entry: &'a str,
    pub name: &'a str,
    /// `None` when no version was written (`*`).
    pub version: Option<&'a str>,
    pub optional: bool,
    /// Offset of `entry` in the value.
    pub offset: usize,
}

/// Split a `@dependencies` value: comma-separated npm specs, the version after the **last** `@`
/// (a leading `@` is the scope), a trailing `?` marks the entry optional.
pub fn dependencies(value: &str) -> Vec<DependencySpec<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for part in value.split(',') {
        let lead = part.len() - part.trim_start().len();
        let entry = part.trim();
        let offset = start + lead;
        start += part.len() + 1;
        if entry.is_empty() {
            continue;
        }
        let (body, optional) = match entry.strip_suffix('?') {
            Some(b) => (b, true),
            None => (entry, false),
        };
        let (name, version) = match body.rfind('@') {
            Some(at) if at > 0 => (&body[..at], Some(&body[at + 1..])),
            _ => (body, None),
        };
        let version = version.filter(|v| !v.is_empty());
        out.push(DependencySpec {
            entry,
            name,
            version,
            optional,
            offset,
        });
    }
    out
}

/// The npm package name rule upstream applies to `@dependencies` entries:
/// `^(@[a-z0-9-]+/)?[a-z0-9._-]+$`.
pub fn is_valid_package_name(name: &str) -> bool {
    let rest = match name.strip_prefix('@') {
        Some(scoped) => {
            let Some((scope, rest)) = scoped.split_once('/') else {
                return false;
            };
            if scope.is_empty()
                || !scope
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                return false;
            }
            rest
        }
        None => name,
    };
    !rest.is_empty()
        && rest.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_' || b == b'-'
        })
}

/// `@photons a, b`: names split on commas and blanks, each with its offset in the value.
pub fn name_list(value: &str) -> Vec<(&str, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    for piece in value.split([',', ' ', '\t']) {
        if !piece.is_empty() {
            out.push((piece, i));
        }
        i += piece.len() + 1;
    }
    out
}

/// A boolean tag: bare or `true` is `true`, `false` is `false`, anything else counts as bare.
pub fn flag(value: &str) -> bool {
    !value.eq_ignore_ascii_case("false")
}

/// The first word of a tag value (`@auth required extra` → `required`).
/// Which MCP surface a method's tags make it, as the local extractor decides: `@template` (any
/// case) or method-level `@prompt` is a prompt; else `@Static [uri]` or `@resource [uri]` is a
/// resource, its URI `static://<method>` when none is written, with `@mimeType`; else a tool.
pub fn surface(tags: &[Tag<'_>], method: &str) -> crate::model::Surface {
    use crate::model::Surface;
    if tags
        .iter()
        .any(|t| t.name.eq_ignore_ascii_case("template") || t.name == "prompt")
    {
        return Surface::Prompt;
    }
    let Some(tag) = tags
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case("static") || t.name == "resource")
    else {
        return Surface::Tool;
    };
    let uri = first_word(tag.value)
        .filter(|u| u.contains(':'))
        .map_or_else(|| format!("static://{method}"), str::to_string);
    let mime_type = tags
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case("mimetype"))
        .and_then(|t| first_word(t.value))
        .map(str::to_string);
    Surface::Resource { uri, mime_type }
}

/// The `{name}` variables of a URI template, in order.
pub fn uri_variables(uri: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = uri;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push(&rest[open + 1..open + close]);
        rest = &rest[open + close + 1..];
    }
    out
}

pub fn first_word(value: &str) -> Option<&str> {
    value.split_whitespace().next()
}

/// The shorthands the scheduler expands (templates/cf-runtime/schedule.ts `SHORTHANDS`).
const CRON_SHORTHANDS: &[&str] = &[
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
];

/// The five cron fields: name, lowest and highest value, and the three-letter names allowed.
const CRON_FIELDS: [(&str, u32, u32, &[&str]); 5] = [
    ("minute", 0, 59, &[]),
    ("hour", 0, 23, &[]),
    ("day of month", 1, 31, &[]),
    (
        "month",
        1,
        12,
        &[
            "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
        ],
    ),
    (
        "day of week",
        0,
        7,
        &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    ),
];

/// Why the runtime (croner in UTC, five fields, day of month OR day of week, behind
/// `resolveCron`) would refuse a `@scheduled` expression or never fire it, or `None` if it takes
/// it. A refused expression is skipped at run time without a word, so the build checks the same
/// grammar: five fields of `*`, numbers, ranges `a-b`, steps `*/n`, `a/n` or `a-b/n` (a step at
/// most the number of values of its field) and comma lists of those, or a shorthand such as
/// `@daily`; plus the expressions croner takes but that never fire (`0 0 30 2 *`).
pub fn cron_error(expr: &str) -> Option<String> {
    let expr = expr.trim();
    if expr.starts_with('@') {
        let known = CRON_SHORTHANDS.iter().any(|s| s.eq_ignore_ascii_case(expr));
        return (!known).then(|| format!("`{expr}` is not a cron shorthand"));
    }
    let fields: Vec<&str> = expr.split_whitespace().collect();
    if fields.len() != 5 {
        return Some(format!(
            "a cron expression has 5 fields (minute hour day-of-month month day-of-week), this one has {}",
            fields.len()
        ));
    }
    let malformed = fields
        .iter()
        .zip(CRON_FIELDS)
        .find_map(|(field, (name, lo, hi, names))| {
            field
                .split(',')
                .find_map(|item| cron_item_error(item, lo, hi, names))
                .map(|why| format!("the {name} field `{field}`: {why}"))
        });
    malformed.or_else(|| cron_never_fires(&fields))
}

/// The values one valid cron field selects (`7` in day of week is Sunday, `0`).
fn cron_values(field: &str, (_, lo, hi, names): (&str, u32, u32, &[&str])) -> Vec<u32> {
    let value = |v: &str| {
        names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(v))
            .map_or_else(|| v.parse().unwrap_or(lo), |i| i as u32 + lo)
    };
    let mut out = Vec::new();
    for item in field.split(',') {
        let (range, step) = item
            .split_once('/')
            .map_or((item, 1), |(r, s)| (r, s.parse().unwrap_or(1)));
        let (from, to) = match range.split_once('-') {
            _ if range == "*" => (lo, hi),
            Some((a, b)) => (value(a), value(b)),
            // `a/n` runs from a to the end of the field.
            None if item.contains('/') => (value(range), hi),
            None => (value(range), value(range)),
        };
        out.extend((from..=to).step_by(step.max(1) as usize));
    }
    out
}

/// Expressions croner takes that can never fire: a day-of-week step starting at 7 (past
/// Saturday), or days of the month that none of the listed months has while the day of week is
/// left open (with both set, either one fires).
fn cron_never_fires(fields: &[&str]) -> Option<String> {
    if let Some(item) = fields[4].split(',').find(|i| i.starts_with("7/")) {
        return Some(format!(
            "the day of week field `{}`: `{item}` starts after Saturday, so it never fires",
            fields[4]
        ));
    }
    if fields[4] != "*" {
        return None;
    }
    // The longest each month can be (February in a leap year).
    const DAYS: [u32; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let days = cron_values(fields[2], CRON_FIELDS[2]);
    let months = cron_values(fields[3], CRON_FIELDS[3]);
    let fires = months.iter().any(|&m| {
        days.iter()
            .any(|&d| DAYS.get(m as usize - 1).is_some_and(|&n| d <= n))
    });
    (!fires).then(|| {
        format!(
            "day {} of month {} never comes, so it never fires",
            fields[2], fields[3]
        )
    })
}

/// One comma-separated piece of a cron field: `*`, `v`, `a-b`, each optionally `/step`.
fn cron_item_error(item: &str, lo: u32, hi: u32, names: &[&str]) -> Option<String> {
    let (range, step) = match item.split_once('/') {
        Some((r, s)) => (r, Some(s)),
        None => (item, None),
    };
    if let Some(step) = step {
        // croner's largest step is the number of values of the field (60 minutes, 24 hours,
        // 31 days, 12 months, 7 week days).
        let most = match (lo, hi) {
            (0, 7) => 7,
            (0, _) => hi + 1,
            _ => hi,
        };
        match step.parse::<u32>() {
            Ok(n) if n > most && step.bytes().all(|b| b.is_ascii_digit()) => {
                return Some(format!("the step {n} is larger than {most}"));
            }
            Ok(n) if n >= 1 && step.bytes().all(|b| b.is_ascii_digit()) => {}
            _ => return Some(format!("`{step}` is not a step (a whole number from 1)")),
        }
    }
    if range == "*" {
        return None;
    }
    let value = |v: &str| -> Result<u32, String> {
        if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(v)) {
            // Months count from 1, week days from 0 (SUN).
            return Ok(i as u32 + lo);
        }
        match v.parse::<u32>() {
            Ok(n) if v.bytes().all(|b| b.is_ascii_digit()) && (lo..=hi).contains(&n) => Ok(n),
            Ok(_) if v.bytes().all(|b| b.is_ascii_digit()) => {
                Err(format!("{v} is outside {lo}-{hi}"))
            }
            _ => Err(format!("`{v}` is not a number from {lo} to {hi}")),
        }
    };
    let checked = match range.split_once('-') {
        Some((a, b)) => value(a).and_then(|a| {
            value(b).and_then(|b| {
                if a <= b {
                    Ok(())
                } else {
                    Err(format!("the range `{range}` runs backwards"))
                }
            })
        }),
        None => value(range).map(|_| ()),
    };
    checked.err()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Vec<Line<'_>> {
        lines(text)
    }

    #[test]
    fn lines_strip_stars_and_keep_offsets() {
        let text = "*\n * Hello world\n *   @param a the a\n ";
        let ls = doc(text);
        assert_eq!(ls[1].text, "Hello world");
        assert_eq!(&text[ls[1].offset..ls[1].offset + 5], "Hello");
        assert_eq!(&text[ls[2].offset..ls[2].offset + 6], "@param");
    }

    #[test]
    fn single_line_block() {
        let ls = doc("* Static helper ");
        assert_eq!(ls[0].text, "Static helper");
        assert_eq!(method_description(&ls).as_deref(), Some("Static helper"));
    }

    #[test]
    fn auth_never_matches_author() {
        let ls = doc("*\n * @author Jane <j@x.io>\n * @authentication x\n");
        let names: Vec<_> = tags(&ls).iter().map(|t| t.name).collect();
        assert_eq!(names, ["author", "authentication"]);
        assert!(!names.contains(&"auth"));
    }

    #[test]
    fn one_line_block_with_trailing_tags() {
        let text = "* Reset to zero. @destructive @scope a:b ";
        let ls = doc(text);
        assert_eq!(method_description(&ls).as_deref(), Some("Reset to zero."));
        let t = tags(&ls);
        assert_eq!((t[0].name, t[0].value), ("destructive", ""));
        assert_eq!((t[1].name, t[1].value), ("scope", "a:b"));
        assert_eq!(
            &text[t[1].offset..t[1].offset + t[1].span_len()],
            "@scope a:b"
        );
        // Longer blocks and unknown words stay prose.
        let ls = doc("*\n * Use @internal tools\n * more\n");
        assert!(tags(&ls).is_empty());
        let ls = doc("* mail me @home today");
        assert!(tags(&ls).is_empty());
        let ls = doc("* @internal");
        assert_eq!(tags(&ls)[0].name, "internal");
    }

    #[test]
    fn tag_value_and_offsets() {
        let text = "*\n * @version   1.2.3\n";
        let t = tags(&doc(text))[0];
        assert_eq!(t.name, "version");
        assert_eq!(t.value, "1.2.3");
        assert_eq!(&text[t.value_offset..t.value_offset + 5], "1.2.3");
        assert_eq!(&text[t.offset..t.offset + t.span_len()], "@version   1.2.3");
    }

    #[test]
    fn prose_at_sign_is_not_a_tag() {
        let ls = doc("* Mail me@example.com\n * @foo.bar nope\n * @ok");
        let names: Vec<_> = tags(&ls).iter().map(|t| t.name).collect();
        assert_eq!(names, ["ok"]);
        // An email address does not truncate the description (upstream's loader does).
        assert_eq!(
            method_description(&ls).as_deref(),
            Some("Mail me@example.com")
        );
    }

    #[test]
    fn method_description_rules() {
        let ls = doc(
            "*\n * First line\n * continues here\n *\n * Second para {@internal-ish x}\n * # Heading\n * hidden\n",
        );
        assert_eq!(
            method_description(&ls).as_deref(),
            Some("First line continues here. Second para")
        );
        let ls = doc("*\n * Ends with dot.\n *\n * Next\n * @param a x\n");
        assert_eq!(
            method_description(&ls).as_deref(),
            Some("Ends with dot. Next")
        );
        assert_eq!(method_description(&doc("*\n * @param a x\n")), None);
    }

    #[test]
    fn class_description_keeps_paragraphs() {
        let ls = doc("*\n * Counter photon\n * counts.\n *\n * More.\n * @version 1\n");
        assert_eq!(
            class_description(&ls).as_deref(),
            Some("Counter photon counts.\n\nMore.")
        );
    }

    #[test]
    fn inline_tags_nest_and_strip() {
        let t = inline_tags(r#"Limit {@min 1} {@max 10} {@default {"a": {"b": 1}}} rest"#);
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].name, "min");
        assert_eq!(t[0].value, "1");
        assert_eq!(t[2].name, "default");
        assert_eq!(t[2].value, r#"{"a": {"b": 1}}"#);
        assert_eq!(
            strip_inline_tags(r#"Limit {@min 1} {@max 10} {@default {"a": {"b": 1}}} rest"#),
            "Limit rest"
        );
        assert_eq!(inline_tags("{@hidden}")[0].value, "");
        assert_eq!(inline_tags("{@choice-from list.id}")[0].name, "choice-from");
        // Unterminated: nothing, and no panic.
        assert!(inline_tags("{@min 1").is_empty());
    }

    #[test]
    fn param_doc_forms() {
        let text = "* @param n - how many {@min 1}";
        let ls = doc(text);
        let p = param_doc(&tags(&ls)[0]).unwrap();
        assert_eq!(p.name, "n");
        // `@param n - text` keeps the dash, as upstream does.
        assert_eq!(p.description, "- how many");
        assert_eq!(p.constraints[0].name, "min");
        let c = &p.constraints[0];
        assert_eq!(
            &text[p.text_offset + c.offset..p.text_offset + c.offset + c.len],
            "{@min 1}"
        );

        let ls = doc("* @param {string} name The name");
        let p = param_doc(&tags(&ls)[0]).unwrap();
        assert_eq!(
            (p.name.as_str(), p.description.as_str()),
            ("name", "The name")
        );

        let ls = doc("* @param params.limit Max rows");
        assert_eq!(param_doc(&tags(&ls)[0]).unwrap().name, "limit");

        let ls = doc("* @param [opt] Optional");
        assert_eq!(param_doc(&tags(&ls)[0]).unwrap().name, "opt");

        let ls = doc("* @param only");
        let p = param_doc(&tags(&ls)[0]).unwrap();
        assert_eq!((p.name.as_str(), p.description.as_str()), ("only", ""));

        let ls = doc("* @param");
        assert!(param_doc(&tags(&ls)[0]).is_none());
    }

    #[test]
    fn dependencies_split() {
        let deps =
            dependencies("axios@^1.6.0, @aws-sdk/client-s3@^3.0.0,  zod, @scope/x, c@2?, d?");
        let got: Vec<_> = deps
            .iter()
            .map(|d| (d.name, d.version, d.optional))
            .collect();
        assert_eq!(
            got,
            [
                ("axios", Some("^1.6.0"), false),
                ("@aws-sdk/client-s3", Some("^3.0.0"), false),
                ("zod", None, false),
                ("@scope/x", None, false),
                ("c", Some("2"), true),
                ("d", None, true),
            ]
        );
        assert_eq!(
            deps[2].offset,
            "axios@^1.6.0, @aws-sdk/client-s3@^3.0.0,  ".len()
        );
    }

    #[test]
    fn package_name_rule() {
        assert!(is_valid_package_name("axios"));
        assert!(is_valid_package_name("@aws-sdk/client-s3"));
        assert!(is_valid_package_name("lodash.merge"));
        assert!(!is_valid_package_name("Axios"));
        assert!(!is_valid_package_name("@scope"));
        assert!(!is_valid_package_name("a b"));
        assert!(!is_valid_package_name("../x"));
        assert!(!is_valid_package_name(""));
    }

    #[test]
    fn name_list_offsets() {
        let v = "cf-formatter, other  third";
        let got = name_list(v);
        assert_eq!(got.len(), 3);
        for (name, off) in got {
            assert_eq!(&v[off..off + name.len()], name);
        }
    }

    #[test]
    fn flags() {
        assert!(flag(""));
        assert!(flag("true"));
        assert!(!flag("false"));
        assert_eq!(first_word("  required extra"), Some("required"));
    }

    #[test]
    fn cron_expressions_the_runtime_takes() {
        for ok in [
            "* * * * *",
            "0 * * * *",
            "*/15 9-17 * * MON-FRI",
            "0 0 1 jan *",
            "1,2-5/2 0 1-31 1-12 0-7",
            "5/15  *  * * *",
            "0 12 * JAN-MAR sun",
            "@daily",
            "@Hourly",
            "@midnight",
            "@annually",
            "*/60 * * * *",
            "0 */24 * * *",
            "0 0 */31 * *",
            "0 0 * * */7",
            "0 0 29 2 *",
            "0 0 30 2 1",
            "0 0 31 4,5 *",
        ] {
            assert_eq!(cron_error(ok), None, "{ok}");
        }
    }

    #[test]
    fn cron_expressions_the_runtime_refuses() {
        for (bad, why) in [
            ("every hour", "5 fields"),
            ("* * * *", "this one has 4"),
            ("0 0 * * * *", "this one has 6"),
            ("60 * * * *", "minute field `60`: 60 is outside 0-59"),
            ("0 24 * * *", "hour field"),
            ("0 0 0 * *", "day of month field `0`"),
            ("0 0 * 13 *", "month field"),
            ("0 0 * * 8", "day of week field"),
            ("*/0 * * * *", "`0` is not a step"),
            ("*/x * * * *", "`x` is not a step"),
            ("5-1 * * * *", "runs backwards"),
            ("0 0 * FOO *", "`FOO` is not a number"),
            ("0 0 * * MON-", "`` is not a number"),
            ("1,,2 * * * *", "`` is not a number"),
            ("-1 * * * *", "`` is not a number"),
            ("+1 * * * *", "`+1` is not a number"),
            ("@every", "not a cron shorthand"),
            ("*/100 * * * *", "the step 100 is larger than 60"),
            ("0 */25 * * *", "larger than 24"),
            ("0 0 */32 * *", "larger than 31"),
            ("0 0 1 */13 *", "larger than 12"),
            ("0 0 * * */8", "larger than 7"),
            ("0 0 * * 7/1", "starts after Saturday"),
            ("0 0 30 2 *", "never fires"),
            ("0 0 31 4,6,9,11 *", "never fires"),
            ("", "this one has 0"),
        ] {
            let got = cron_error(bad).unwrap_or_else(|| panic!("accepted `{bad}`"));
            assert!(got.contains(why), "{bad}: {got}");
        }
    }
}
