//! Text for messages: values echoed from untrusted input are cut to a readable length, so that a
//! multi-kilobyte name or policy value never makes a multi-kilobyte error line.

use std::borrow::Cow;

/// The longest echoed value kept whole, in characters.
pub(crate) const MAX_ECHO_CHARS: usize = 100;

/// How many characters of a longer value are kept before the ellipsis.
const KEPT_CHARS: usize = 60;

/// `text` itself when it has at most [`MAX_ECHO_CHARS`] characters; otherwise its first
/// characters (cut at a character boundary), an ellipsis and the total length:
/// `aaaa…` and ` (5000 characters)` — returned apart, so a caller can close a quote in between.
fn split_long(text: &str) -> Option<(&str, usize)> {
    let total = text.chars().count();
    if total <= MAX_ECHO_CHARS {
        return None;
    }
    let end = text.char_indices().nth(KEPT_CHARS).map_or(text.len(), |(i, _)| i);
    Some((text.get(..end).unwrap_or(text), total))
}

/// A value for a message, cut when long: `aaaa… (5000 characters)`.
pub(crate) fn cut(text: &str) -> Cow<'_, str> {
    match split_long(text) {
        None => Cow::Borrowed(text),
        Some((head, total)) => Cow::Owned(format!("{head}… ({total} characters)")),
    }
}

/// A message whose every backquoted value (user input, by the style of our messages) is cut
/// when long: `` `aaaa…` (5000 characters) ``. Text outside backquotes is kept, unless it is long
/// too: our own wording between quotes is short, so a long run there can only be input holding a
/// backquote itself, which broke the pairing.
pub(crate) fn cut_quoted(message: &str) -> Cow<'_, str> {
    // Quick path: no part can be long when the whole message is short.
    if message.chars().count() <= MAX_ECHO_CHARS {
        return Cow::Borrowed(message);
    }
    let parts: Vec<&str> = message.split('`').collect();
    let mut out = String::with_capacity(message.len().min(1024));
    let mut changed = false;
    for (i, part) in parts.iter().enumerate() {
        // Parts alternate outside and inside quotes; an inside part is closed unless it is last.
        let quoted = i % 2 == 1 && i + 1 < parts.len();
        if i % 2 == 1 {
            out.push('`');
        }
        match split_long(part) {
            Some((head, total)) if quoted => {
                changed = true;
                // The total goes after the closing quote, so that the quote holds only input.
                out.push_str(&format!("{head}…` ({total} characters)"));
                continue;
            }
            _ if !quoted && part.chars().count() > 3 * MAX_ECHO_CHARS => {
                changed = true;
                out.push_str(&cut(part));
            }
            _ => out.push_str(part),
        }
        if quoted {
            out.push('`');
        }
    }
    if changed { Cow::Owned(out) } else { Cow::Borrowed(message) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_are_kept_and_long_ones_cut_at_a_character_boundary() {
        assert_eq!(cut("alice"), "alice");
        let long = "é".repeat(5000);
        assert_eq!(cut(&long), format!("{}… (5000 characters)", "é".repeat(60)));
        assert_eq!(cut(&"x".repeat(100)), "x".repeat(100));
    }

    #[test]
    fn only_backquoted_values_are_cut() {
        let long = "a".repeat(3000);
        let message = format!("unknown field `{long}`, did you mean `alias`? and a long tail {}", "t".repeat(90));
        assert_eq!(
            cut_quoted(&message),
            format!(
                "unknown field `{}…` (3000 characters), did you mean `alias`? and a long tail {}",
                "a".repeat(60),
                "t".repeat(90)
            )
        );
        let unpaired = format!("a ` quote and {}", "b".repeat(200));
        assert_eq!(cut_quoted(&unpaired), unpaired);
        // A value holding a backquote breaks the pairing; what follows is cut all the same.
        let broken = format!("duplicate key `{}`{}`", "x".repeat(500), "y".repeat(500));
        assert_eq!(
            cut_quoted(&broken),
            format!("duplicate key `{}…` (500 characters){}… (500 characters)`", "x".repeat(60), "y".repeat(60))
        );
        assert_eq!(cut_quoted("`short`"), "`short`");
    }
}
