//! Request bodies in XML (`Delete`, `Tagging`, `CreateBucketConfiguration`; next
//! `CompleteMultipartUpload`), read into a small element tree with limits, so malformed or
//! hostile input becomes S3's `MalformedXML` and never a panic.
//!
//! Namespaces are ignored (S3 accepts the documents with or without
//! `xmlns="http://s3.amazonaws.com/doc/2006-03-01/"`); element names are compared without a
//! prefix.

use quick_xml::Reader;
use quick_xml::events::Event;

use super::S3Error;

/// How deep elements may nest; S3's documents need 3.
const MAX_DEPTH: usize = 16;
/// How many elements a document may hold (DeleteObjects: 1,000 objects of 2–3 elements).
const MAX_ELEMENTS: usize = 10_000;

/// One element: its local name, text and child elements.
///
/// ```
/// use iamsim::s3::XmlElement;
/// let root = XmlElement::parse(b"<Delete><Object><Key>a &amp; b</Key></Object><Quiet>true</Quiet></Delete>")?;
/// assert_eq!(root.name, "Delete");
/// assert_eq!(root.child("Quiet").map(XmlElement::text), Some("true"));
/// assert_eq!(root.children("Object").next().and_then(|o| o.child("Key")).map(XmlElement::text), Some("a & b"));
/// # Ok::<(), iamsim::s3::S3Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct XmlElement {
    /// The local name (without a namespace prefix).
    pub name: String,
    /// The element's own text (concatenated, unescaped).
    pub content: String,
    /// Child elements, in order.
    pub elements: Vec<XmlElement>,
}

impl XmlElement {
    /// Parses a whole document; anything malformed (or an empty body) is `MalformedXML`.
    pub fn parse(body: &[u8]) -> Result<XmlElement, S3Error> {
        let mut reader = Reader::from_reader(body);
        reader.config_mut().trim_text(false);
        let mut stack: Vec<XmlElement> = Vec::new();
        let mut root = None;
        let mut count = 0usize;
        let mut buf = Vec::new();
        loop {
            let event = reader.read_event_into(&mut buf).map_err(|_| S3Error::malformed_xml())?;
            match event {
                Event::Start(start) => {
                    count += 1;
                    if stack.len() >= MAX_DEPTH || count > MAX_ELEMENTS || root.is_some() {
                        return Err(S3Error::malformed_xml());
                    }
                    let local = start.local_name();
                    let name = AsRef::<str>::as_ref(&local).to_owned();
                    stack.push(XmlElement { name, ..XmlElement::default() });
                }
                Event::Empty(start) => {
                    count += 1;
                    if count > MAX_ELEMENTS || root.is_some() {
                        return Err(S3Error::malformed_xml());
                    }
                    let local = start.local_name();
                    let name = AsRef::<str>::as_ref(&local).to_owned();
                    let element = XmlElement { name, ..XmlElement::default() };
                    match stack.last_mut() {
                        Some(parent) => parent.elements.push(element),
                        None => root = Some(element),
                    }
                }
                Event::End(_) => {
                    let element = stack.pop().ok_or_else(S3Error::malformed_xml)?;
                    match stack.last_mut() {
                        Some(parent) => parent.elements.push(element),
                        None => root = Some(element),
                    }
                }
                Event::Text(text) => {
                    let decoded = text.xml10_content();
                    match stack.last_mut() {
                        Some(current) => current.content.push_str(&decoded),
                        None if decoded.trim().is_empty() => {}
                        None => return Err(S3Error::malformed_xml()),
                    }
                }
                Event::CData(data) => {
                    let current = stack.last_mut().ok_or_else(S3Error::malformed_xml)?;
                    current.content.push_str(&data.xml10_content());
                }
                Event::GeneralRef(reference) => {
                    let current = stack.last_mut().ok_or_else(S3Error::malformed_xml)?;
                    current.content.push_str(&resolve_reference(&reference).ok_or_else(S3Error::malformed_xml)?);
                }
                Event::Eof => break,
                Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
            }
            buf.clear();
        }
        if !stack.is_empty() {
            return Err(S3Error::malformed_xml());
        }
        root.ok_or_else(S3Error::malformed_xml)
    }

    /// The element's text.
    pub fn text(&self) -> &str {
        &self.content
    }

    /// The first child with this name.
    pub fn child(&self, name: &str) -> Option<&XmlElement> {
        self.elements.iter().find(|e| e.name == name)
    }

    /// Every child with this name.
    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a XmlElement> + 'a {
        self.elements.iter().filter(move |e| e.name == name)
    }
}

/// The five predefined entities and character references (`&#38;`, `&#x26;`).
fn resolve_reference(name: &str) -> Option<String> {
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix('x').or_else(|| number.strip_prefix('X')) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some(c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_with_namespaces_and_declarations_parse() {
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>k&#233;</Key><Value/></Tag></TagSet></Tagging>"#;
        let root = XmlElement::parse(body).unwrap();
        let tag = root.child("TagSet").and_then(|s| s.child("Tag")).unwrap();
        assert_eq!(tag.child("Key").unwrap().text(), "ké");
        assert_eq!(tag.child("Value").unwrap().text(), "");
    }

    #[test]
    fn malformed_documents_are_malformed_xml() {
        for body in [&b""[..], b"<a>", b"<a></b>", b"<a/><b/>", b"text", b"<a>&unknown;</a>", b"</a>"] {
            assert_eq!(XmlElement::parse(body).unwrap_err().code, "MalformedXML", "{}", String::from_utf8_lossy(body));
        }
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert_eq!(XmlElement::parse(deep.as_bytes()).unwrap_err().code, "MalformedXML");
    }
}
