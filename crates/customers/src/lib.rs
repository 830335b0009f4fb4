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
//! use customers::{ConvertOptions, Vendor, vendors};
//!
//! let body = serde_json::json!({"data": [{"id": 542335, "name": "John Doe",
//!     "email": " john@example.com ", "firstSeen": "1603885746", "lastSeen": 1603885746}],
//!     "total": 1});
//! let page = vendors::customers_from_page(Vendor::HelpCrunch, &body, &ConvertOptions::default())?;
//! assert_eq!(page[0].id, "542335");
//! assert_eq!(page[0].email.as_deref(), Some("john@example.com"));
//! assert_eq!(page[0].created_at.map(|t| t.to_rfc3339()).as_deref(), Some("2020-10-28T11:49:06+00:00"));
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
//! [`ConvertOptions::carecloud_time_zone`] (UTC unless set), and a local time that does not
//! exist or exists twice in that zone is left empty rather than guessed.

mod customer;
mod decode;
mod options;
mod text;
mod timestamps;
pub mod vendors;

pub use customer::{Customer, Status, UnknownVendor, Vendor};
pub use decode::DecodeError;
pub use options::{ConvertOptions, UnknownTimeZone};
