//! A listing query in common terms, and where each vendor applies it.

use chrono::{DateTime, Utc};

use crate::{Customer, Error, ErrorKind, Vendor};

/// Order of a listing by creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    /// Oldest first.
    Ascending,
    /// Newest first.
    Descending,
}

/// Which customers to list, in common terms. Empty means all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Only customers with this email (case-insensitive, surrounding spaces ignored).
    pub email: Option<String>,
    /// Only the customer with this id in the user's own system.
    pub external_id: Option<String>,
    /// Only customers created at or after this time.
    pub created_since: Option<DateTime<Utc>>,
    /// Only customers changed at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
    /// Order by creation time.
    pub sort: Option<SortOrder>,
}

impl Query {
    /// All customers.
    pub fn new() -> Self {
        Query::default()
    }

    /// Only customers with this email.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Only the customer with this external id.
    pub fn external_id(mut self, external_id: impl Into<String>) -> Self {
        self.external_id = Some(external_id.into());
        self
    }

    /// Only customers created at or after `since`.
    pub fn created_since(mut self, since: DateTime<Utc>) -> Self {
        self.created_since = Some(since);
        self
    }

    /// Only customers changed at or after `since`.
    pub fn updated_since(mut self, since: DateTime<Utc>) -> Self {
        self.updated_since = Some(since);
        self
    }

    /// Order by creation time.
    pub fn sort(mut self, order: SortOrder) -> Self {
        self.sort = Some(order);
        self
    }

    /// The filters this query uses.
    pub fn filters(&self) -> Vec<Filter> {
        let mut used = Vec::new();
        if self.email.is_some() {
            used.push(Filter::Email);
        }
        if self.external_id.is_some() {
            used.push(Filter::ExternalId);
        }
        if self.created_since.is_some() {
            used.push(Filter::CreatedSince);
        }
        if self.updated_since.is_some() {
            used.push(Filter::UpdatedSince);
        }
        if self.sort.is_some() {
            used.push(Filter::Sort);
        }
        used
    }

    /// Fails with [`ErrorKind::InvalidQuery`] before any request when `vendor` cannot apply a
    /// filter of this query.
    pub fn check(&self, vendor: Vendor) -> Result<(), Error> {
        for filter in self.filters() {
            if let Support::Unsupported(why) = support(vendor, filter) {
                return Err(Error::new(vendor, ErrorKind::InvalidQuery)
                    .with_message(format!("cannot filter by {}: {why}", filter.name())));
            }
        }
        Ok(())
    }

    /// Whether `customer` passes this query's filters, checked on the client. Every filter
    /// is checked here, also when the vendor applied it, so a vendor's looser match (a search,
    /// a day-granular date) never leaks through; only a [`Support::ServerOnly`] filter, whose
    /// field the vendor's records do not carry, is left to the vendor.
    pub(crate) fn matches(&self, customer: &Customer) -> bool {
        fn normalize(email: &str) -> String {
            email.trim().to_lowercase()
        }
        let checked =
            |filter: Filter| !matches!(support(customer.vendor, filter), Support::ServerOnly(_));
        let since = |bound: Option<DateTime<Utc>>, value: Option<DateTime<Utc>>| {
            bound.is_none_or(|bound| value.is_some_and(|t| t >= bound))
        };
        let email = self
            .email
            .as_deref()
            .is_none_or(|email| customer.email.as_deref().map(normalize) == Some(normalize(email)));
        let external_id = self
            .external_id
            .as_deref()
            .is_none_or(|id| customer.external_id.as_deref() == Some(id));
        (email || !checked(Filter::Email))
            && (external_id || !checked(Filter::ExternalId))
            && (since(self.created_since, customer.created_at) || !checked(Filter::CreatedSince))
            && (since(self.updated_since, customer.updated_at) || !checked(Filter::UpdatedSince))
    }
}

/// One kind of filter of a [`Query`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    /// [`Query::email`].
    Email,
    /// [`Query::external_id`].
    ExternalId,
    /// [`Query::created_since`].
    CreatedSince,
    /// [`Query::updated_since`].
    UpdatedSince,
    /// [`Query::sort`].
    Sort,
}

impl Filter {
    /// Every filter, in the order of the docs' table.
    pub const ALL: [Filter; 5] = [
        Filter::Email,
        Filter::ExternalId,
        Filter::CreatedSince,
        Filter::UpdatedSince,
        Filter::Sort,
    ];

    /// The filter's name in the docs.
    pub fn name(self) -> &'static str {
        match self {
            Filter::Email => "email",
            Filter::ExternalId => "external id",
            Filter::CreatedSince => "created since",
            Filter::UpdatedSince => "updated since",
            Filter::Sort => "sort order",
        }
    }
}

/// Where a vendor applies a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// By the vendor, through the named parameter, and checked again on the client.
    Server(&'static str),
    /// By the vendor only: its records do not carry the field, so the client cannot check.
    ServerOnly(&'static str),
    /// On the client, over every customer listed.
    Client,
    /// Not at all, for the reason given: a query using it fails before any request.
    Unsupported(&'static str),
}

/// Where `vendor` applies `filter` (its vendor module's row of the table). The crate docs'
/// table is this function, and a test keeps the two equal.
pub fn support(vendor: Vendor, filter: Filter) -> Support {
    vendor.api().support(filter)
}

/// The filter table of the crate docs, generated from [`support`].
pub fn support_table() -> String {
    let mut table = String::from("| filter |");
    for vendor in Vendor::ALL {
        table.push_str(&format!(" {vendor} |"));
    }
    table.push_str("\n|---|");
    table.push_str(&"---|".repeat(Vendor::ALL.len()));
    table.push('\n');
    for filter in Filter::ALL {
        table.push_str(&format!("| {} |", filter.name()));
        for vendor in Vendor::ALL {
            let cell = match support(vendor, filter) {
                Support::Server(how) => format!("server: {how}"),
                Support::ServerOnly(how) => format!("server only: {how}"),
                Support::Client => "client".to_owned(),
                Support::Unsupported(_) => "rejected".to_owned(),
            };
            table.push_str(&format!(" {cell} |"));
        }
        table.push('\n');
    }
    table
}
