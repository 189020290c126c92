//! Assertions on decisions, for tests: their failure message shows the whole explanation.

use crate::policy::{Decision, Outcome};

impl Decision {
    #[track_caller]
    fn expect_outcome(&self, wanted: &[Outcome], words: &str) -> &Decision {
        if !wanted.contains(&self.outcome()) {
            panic!("expected {words}, got {}:\n{self:#}", self.outcome());
        }
        self
    }

    /// Panics unless the request is allowed.
    ///
    /// ```should_panic
    /// use iamsim::{evaluate, AuthzRequest, PolicySet};
    /// let request = AuthzRequest::parse("arn:aws:iam::111122223333:user/alice", "s3:GetObject", "*").unwrap();
    /// evaluate(&request, &PolicySet::new()).assert_allowed();
    /// ```
    #[track_caller]
    pub fn assert_allowed(&self) -> &Decision {
        self.expect_outcome(&[Outcome::Allow], "allow")
    }

    /// Panics unless the request is denied, explicitly or implicitly.
    #[track_caller]
    pub fn assert_denied(&self) -> &Decision {
        self.expect_outcome(&[Outcome::ExplicitDeny, Outcome::ImplicitDeny], "a denial")
    }

    /// Panics unless a `Deny` statement denies the request.
    #[track_caller]
    pub fn assert_explicitly_denied(&self) -> &Decision {
        self.expect_outcome(&[Outcome::ExplicitDeny], "explicit_deny")
    }

    /// Panics unless the request is denied because nothing allows it.
    #[track_caller]
    pub fn assert_implicitly_denied(&self) -> &Decision {
        self.expect_outcome(&[Outcome::ImplicitDeny], "implicit_deny")
    }
}
