//! The `<Credentials>` element every session-issuing operation returns.

use crate::clock::format_rfc3339;
use crate::live::TemporaryCredentials;
use crate::xml::XmlWriter;

/// Writes `<Credentials>` with the access key id, secret, token and expiration (ISO 8601: the
/// SDKs refuse anything else and read a missing one as 1970).
pub(crate) fn write(x: &mut XmlWriter, c: &TemporaryCredentials) {
    x.element("Credentials", |x| {
        x.leaf("AccessKeyId", &c.access_key_id);
        x.leaf("SecretAccessKey", &c.secret_access_key);
        x.leaf("SessionToken", &c.session_token);
        x.leaf("Expiration", &format_rfc3339(c.expiration));
    });
}
