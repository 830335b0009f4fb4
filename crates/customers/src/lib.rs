//! One customer model over five vendors' "list customers" APIs.
//!
//! Each vendor's generated client (`hoko-client`, `carecloud-client`, `botpenguin-client`,
//! `gleantap-client`, `helpcrunch-client`) decodes its own record type; the modules in
//! [`vendors`] turn those records into one [`Customer`]. Conversions are total: they never
//! panic and never drop a record. Empty strings become `None`, emails are trimmed, and a value
//! that cannot be interpreted (an unparseable timestamp, an unknown opt-out number) leaves its
//! common field empty while the vendor's record stays in [`Customer::raw`].
//!
//! ```
//! use customers::{ConvertOptions, Vendor, decode_page};
//!
//! let body = br#"{"data": [{"id": 542335, "name": "John Doe",
//!     "email": " john@example.com ", "firstSeen": "1603885746", "lastSeen": 1603885746}],
//!     "total": 1}"#;
//! let page = decode_page(Vendor::HelpCrunch, body, &ConvertOptions::default())?;
//! assert_eq!(page.customers[0].id, "542335");
//! assert_eq!(page.customers[0].email.as_deref(), Some("john@example.com"));
//! assert_eq!(page.customers[0].created_at.map(|t| t.to_rfc3339()).as_deref(), Some("2020-10-28T11:49:06+00:00"));
//! assert!(page.drift.is_empty());
//! # Ok::<(), customers::DecodeError>(())
//! ```
//!
//! # Where each common field comes from
//!
//! | field | Hoko | CareCloud | BotPenguin | Gleantap | HelpCrunch |
//! |---|---|---|---|---|---|
//! | `id` | `id` (UUID) | `customer_id` | `_id` | `id` | `id` (integer, as text) |
//! | `external_id` | `externalId` | — | — | — | `userId` |
//! | `name` | `name` | `first_name` + `last_name` | `name` | `firstname` + `lastname` | `name` |
//! | `first_name` | — | `personal_information.first_name` | — | `firstname` | — |
//! | `last_name` | — | `personal_information.last_name` | — | `lastname` | — |
//! | `email` | `email` | `personal_information.email` | `contact.email` | `email` | `email` |
//! | `phone` | `phone` | `personal_information.phone` | — | `phone` | `phone` |
//! | `status` | — | `state`: 0 deleted, 1 active, 2 inactive, other kept | `status` (open set) | — | `blocked: true` → blocked |
//! | `created_at` | `createdAt` (RFC 3339) | — | `createdAt` (RFC 3339) | `created_date` (RFC 3339) | `firstSeen` (unix seconds, text or integer) |
//! | `updated_at` | `updatedAt` (RFC 3339) | `last_change` (local time in the tenant's zone) | `updatedAt` (RFC 3339) | — | — |
//! | `last_seen_at` | — | — | `lastLogin` (RFC 3339) | — | `lastSeen` (unix seconds, text or integer) |
//! | `email_opt_out` | — | — | — | `email_optout` (1/0) | `unsubscribed` |
//! | `sms_opt_out` | — | — | — | `sms_optout` (1/0) | — |
//! | `tags` | — | — | — | — | `tags[].name` |
//! | `language` | — | `personal_information.language_id` | — | — | `locale` |
//! | `avatar_url` | `avatar` | `personal_information.photo_url` | — | — | — |
//! | `raw` | the record | the record | the record | the member | the record |
//!
//! CareCloud's `last_change` has no offset; it is read in
//! [`ConvertOptions::local_time_zone`] (UTC unless set), and a local time that does not
//! exist or exists twice in that zone is left empty rather than guessed.

//!
//! # Listing
//!
//! [`CustomersClient`] lists any vendor's customers as one lazy `Stream` of
//! `Result<Customer, Error>`, a few pages in memory at most: Hoko `take`/`skip` until an
//! empty page; CareCloud `count`/`offset` until `total_items`; BotPenguin `page` until an empty
//! page (its page size is undocumented and never guessed); Gleantap `limit`/`offset` in the
//! body until an empty page; HelpCrunch `offset`/`limit` until `total`. Without a total, a short
//! page of customers already listed also ends it (a list growing at its head); a page that
//! otherwise repeats the previous page's ids ends the stream with [`ErrorKind::PagingLoop`].
//! Each listing's end is reported as an [`Event::End`] with its [`EndReason`].
//! [`CustomersClient::pages`] yields the same listing a [`Page`] at a time, each with the
//! [`PageCursor`] of the next; a cursor saved anywhere (it is serde) lets a new client,
//! in another process, go on from there (the `customers-sync` crate checkpoints with it).
//!
//! 429, 503 and connection failures are retried under a [`RetryPolicy`] (attempts and a
//! total wait budget), waiting as `Retry-After`, Hoko's `retryAfter` or `X-RateLimit-Reset`
//! say, else with capped exponential backoff and full jitter. A client-side rate limiter
//! learns the vendor's limit over its window (a minute by default,
//! [`ClientBuilder::rate_limit_window`]) from 429s without a wait hint and from an announced
//! quota, and never exceeds the configured rate (HelpCrunch 120 requests a minute by default).
//!
//! # Filters
//!
//! A [`Query`] in common terms goes to the vendor's own parameter where it has one
//! ("server"), is applied to each listed customer where it has none ("client"), and is
//! rejected with [`ErrorKind::InvalidQuery`] before any request where the vendor reports
//! nothing to filter on. Server-side filters are checked on the client too, so a vendor's
//! looser match never leaks through; "server only" marks the one filter whose field the
//! vendor's records do not carry (Gleantap's `updated_since`, which is by day).
//!
//! <!-- filter-table:start -->
//! | filter | hoko | carecloud | botpenguin | gleantap | helpcrunch |
//! |---|---|---|---|---|---|
//! | email | client | server: `email` | client | server: `email` | server: `POST /customers/search` |
//! | external id | server: `externalId` | rejected | rejected | rejected | server: `POST /customers/search` |
//! | created since | client | rejected | client | client | client |
//! | updated since | client | client | client | server only: `updated_since`, to the day | rejected |
//! | sort order | server: `sort` | rejected | rejected | rejected | server: `sort=customers.firstSeen`, `order` |
//! <!-- filter-table:end -->

mod client;
mod credentials;
mod customer;
mod decode;
mod drift;
mod error;
mod events;
mod json_writer;
mod options;
mod page_ids;
mod paging;
pub mod query;
mod raw;
mod read_ahead;
mod response;
mod seen;
mod text;
mod timestamps;
mod transport;
mod vendor_api;
pub mod vendors;

pub use client::{ClientBuilder, CustomersClient, default_rate_limit, max_page_size};
pub use client_runtime::Secret;
pub use client_runtime::{Limits, RetryPolicy};
pub use credentials::MissingCredentials;
pub use customer::{Customer, Status};
pub use decode::{DecodeError, DecodedPage, decode_page};
pub use drift::{Drift, DriftReport, UnreadableRecord};
pub use error::{Error, ErrorKind};
pub use events::{EndReason, Event, Observer};
pub use options::{ConvertOptions, UnknownTimeZone};
pub use paging::{Page, PageCursor};
pub use query::{Query, SortOrder};
pub use raw::Raw;
pub use vendors::{Credentials, UnknownVendor, Vendor};

/// The library guide, `docs/library.md`, included here so that its examples compile as
/// doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/library.md")]
pub struct LibraryGuide;
