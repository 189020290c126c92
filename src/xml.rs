//! The one XML writer every fake service answers with: elements are written by closures, so a
//! tag can never be left open, and text is always escaped (a key with `&` or `<` cannot break
//! the client far from the bug).
//!
//! ```
//! use iamsim::xml::XmlWriter;
//! let mut xml = XmlWriter::new();
//! xml.element_ns("GetCallerIdentityResponse", "https://sts.amazonaws.com/doc/2011-06-15/", |x| {
//!     x.element("GetCallerIdentityResult", |x| x.leaf("Arn", "a&b <c>"));
//! });
//! assert_eq!(
//!     String::from_utf8(xml.finish()).unwrap(),
//!     "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
//!      <GetCallerIdentityResult><Arn>a&amp;b &lt;c&gt;</Arn></GetCallerIdentityResult>\
//!      </GetCallerIdentityResponse>"
//! );
//! ```

/// Writes a balanced, escaped XML document into memory.
///
/// ```
/// use iamsim::xml::XmlWriter;
///
/// let mut xml = XmlWriter::with_declaration();
/// xml.element("ListBucketResult", |x| {
///     x.leaf("Name", "photos");
///     x.optional_leaf("Prefix", None);
///     x.optional_leaf("Delimiter", Some("/"));
/// });
/// assert_eq!(
///     String::from_utf8(xml.finish()).unwrap(),
///     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult><Name>photos</Name><Delimiter>/</Delimiter></ListBucketResult>"
/// );
/// ```
pub struct XmlWriter {
    out: Vec<u8>,
}

impl std::fmt::Debug for XmlWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XmlWriter").field("bytes", &self.out.len()).finish()
    }
}

impl Default for XmlWriter {
    fn default() -> XmlWriter {
        XmlWriter::new()
    }
}

// Tags are written as given; text and attribute values are escaped exactly as quick-xml
// escapes them (`BytesText::new` and attribute values), which the tests check.
impl XmlWriter {
    /// An empty document.
    pub fn new() -> XmlWriter {
        // Room for most responses without growing, while staying a "small" allocation for the
        // system allocator (glibc consolidates its free lists before every allocation of
        // 1 KiB or more): a response with credentials grows once.
        XmlWriter { out: Vec::with_capacity(1000) }
    }

    /// An empty document that starts with `<?xml version="1.0" encoding="UTF-8"?>` and a newline,
    /// as S3 answers.
    pub fn with_declaration() -> XmlWriter {
        let mut xml = XmlWriter::new();
        xml.out.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        xml
    }

    /// `<name>…</name>`, its content written by `inner`.
    pub fn element(&mut self, name: &str, inner: impl FnOnce(&mut XmlWriter)) {
        self.start(name);
        self.out.push(b'>');
        inner(self);
        self.end(name);
    }

    /// `<name xmlns="namespace">…</name>`.
    pub fn element_ns(&mut self, name: &str, namespace: &str, inner: impl FnOnce(&mut XmlWriter)) {
        self.start(name);
        self.out.extend_from_slice(b" xmlns=\"");
        escape(namespace, Escape::Attribute, &mut self.out);
        self.out.extend_from_slice(b"\">");
        inner(self);
        self.end(name);
    }

    fn start(&mut self, name: &str) {
        self.out.push(b'<');
        self.out.extend_from_slice(name.as_bytes());
    }

    fn end(&mut self, name: &str) {
        self.out.extend_from_slice(b"</");
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(b'>');
    }

    /// `<name>text</name>`, the text escaped.
    pub fn leaf(&mut self, name: &str, text: &str) {
        self.element(name, |x| x.text(text));
    }

    /// `<name>text</name>` when there is a text, nothing otherwise.
    pub fn optional_leaf(&mut self, name: &str, text: Option<&str>) {
        if let Some(text) = text {
            self.leaf(name, text);
        }
    }

    /// Escaped text inside the current element.
    pub fn text(&mut self, text: &str) {
        escape(text, Escape::Text, &mut self.out);
    }

    /// The document's bytes.
    pub fn finish(self) -> Vec<u8> {
        self.out
    }
}

/// Which characters are escaped: quick-xml's `escape` for text (`<>&'"` and CR), and its
/// attribute escaping (also LF and TAB).
#[derive(Clone, Copy)]
enum Escape {
    Text,
    Attribute,
}

fn escape(text: &str, kind: Escape, out: &mut Vec<u8>) {
    let attribute = matches!(kind, Escape::Attribute);
    let special =
        |b: &u8| matches!(b, b'<' | b'>' | b'&' | b'\'' | b'"' | b'\r') || (attribute && matches!(b, b'\n' | b'\t'));
    // Most text has nothing to escape: one pass over every byte, without stopping early (so
    // that the compiler can compare many bytes at once), then one copy.
    if !text.as_bytes().iter().fold(false, |any, b| any | special(b)) {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    let mut rest = text.as_bytes();
    loop {
        let Some(at) = rest.iter().position(special) else {
            out.extend_from_slice(rest);
            return;
        };
        let (plain, tail) = rest.split_at(at);
        out.extend_from_slice(plain);
        let Some((&byte, tail)) = tail.split_first() else { return };
        out.extend_from_slice(match byte {
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'&' => b"&amp;",
            b'\'' => b"&apos;",
            b'"' => b"&quot;",
            b'\t' => b"&#9;",
            b'\n' => b"&#10;",
            _ => b"&#13;",
        });
        rest = tail;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::Writer;
    use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};

    /// The same document through quick-xml's writer.
    fn with_quick_xml(name: &str, namespace: &str, text: &str) -> Vec<u8> {
        let mut w = Writer::new(Vec::new());
        w.write_event(Event::Start(BytesStart::new(name).with_attributes([("xmlns", namespace)]))).unwrap();
        w.write_event(Event::Start(BytesStart::new("Leaf"))).unwrap();
        w.write_event(Event::Text(BytesText::new(text))).unwrap();
        w.write_event(Event::End(BytesEnd::new("Leaf"))).unwrap();
        w.write_event(Event::End(BytesEnd::new(name))).unwrap();
        w.into_inner()
    }

    #[test]
    fn escapes_exactly_as_quick_xml() {
        for text in ["", "plain", "a&b <c> 'd' \"e\"\r\n\tf", "ключ/ü.txt & <>", "&&&", "\r\r", "x\t\ny"] {
            let mut xml = XmlWriter::new();
            xml.element_ns("Root", text, |x| x.leaf("Leaf", text));
            assert_eq!(xml.finish(), with_quick_xml("Root", text, text), "{text:?}");
        }
    }

    #[test]
    fn awkward_text_round_trips_through_a_reader() {
        let awkward = "dir/a b+c%~!*'()$@=;:,&<>\"ключ/ü.txt";
        let mut xml = XmlWriter::with_declaration();
        xml.element("Error", |x| x.leaf("Key", awkward));
        let bytes = xml.finish();
        let mut reader = quick_xml::Reader::from_reader(bytes.as_slice());
        let mut buf = Vec::new();
        let mut texts = Vec::new();
        loop {
            match reader.read_event_into(&mut buf).unwrap() {
                Event::Text(t) => texts.push(t.into_inner().into_owned()),
                Event::GeneralRef(r) => texts.push(format!("&{};", r.into_inner())),
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        let joined = quick_xml::escape::unescape(&texts.concat()).unwrap().into_owned();
        assert_eq!(joined.trim_start_matches('\n'), awkward);
        assert!(
            String::from_utf8(bytes.clone())
                .unwrap()
                .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>")
        );
    }
}
