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

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

/// Writes a balanced, escaped XML document into memory.
pub struct XmlWriter {
    writer: Writer<Vec<u8>>,
}

impl std::fmt::Debug for XmlWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XmlWriter").field("bytes", &self.writer.get_ref().len()).finish()
    }
}

impl Default for XmlWriter {
    fn default() -> XmlWriter {
        XmlWriter::new()
    }
}

// Writing into a `Vec<u8>` cannot fail, so the writer's `io::Result`s are ignored below.
impl XmlWriter {
    /// An empty document.
    pub fn new() -> XmlWriter {
        XmlWriter { writer: Writer::new(Vec::with_capacity(512)) }
    }

    /// An empty document that starts with `<?xml version="1.0" encoding="UTF-8"?>` and a newline,
    /// as S3 answers.
    pub fn with_declaration() -> XmlWriter {
        let mut xml = XmlWriter::new();
        let _ = xml.writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        xml.writer.get_mut().push(b'\n');
        xml
    }

    /// `<name>…</name>`, its content written by `inner`.
    pub fn element(&mut self, name: &str, inner: impl FnOnce(&mut XmlWriter)) {
        self.element_with(BytesStart::new(name), name, inner);
    }

    /// `<name xmlns="namespace">…</name>`.
    pub fn element_ns(&mut self, name: &str, namespace: &str, inner: impl FnOnce(&mut XmlWriter)) {
        let start = BytesStart::new(name).with_attributes([("xmlns", namespace)]);
        self.element_with(start, name, inner);
    }

    fn element_with(&mut self, start: BytesStart<'_>, name: &str, inner: impl FnOnce(&mut XmlWriter)) {
        let _ = self.writer.write_event(Event::Start(start));
        inner(self);
        let _ = self.writer.write_event(Event::End(BytesEnd::new(name)));
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
        let _ = self.writer.write_event(Event::Text(BytesText::new(text)));
    }

    /// The document's bytes.
    pub fn finish(self) -> Vec<u8> {
        self.writer.into_inner()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
