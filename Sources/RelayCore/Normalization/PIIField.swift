// SPDX-License-Identifier: Apache-2.0

/// A `user_data` key whose value is normalised and SHA-256-hashed before it is sent to Meta
/// (spec/normalization.md). Keys that are never hashed (`fbc`, `fbp`, `client_ip_address`, …) are not
/// listed here.
public enum PIIField: String, CaseIterable, Sendable {
    /// Email address.
    case em
    /// Phone number (digits with country calling code).
    case ph
    /// First name.
    case fn
    /// Last name.
    case ln
    /// Date of birth, `YYYYMMDD`.
    case db
    /// Gender, `m` or `f`.
    case ge
    /// City.
    case ct
    /// State or province (2-letter code in the US and Canada).
    case st
    /// Zip or postal code.
    case zp
    /// ISO 3166-1 alpha-2 country code.
    case country
    /// The advertiser's own user id.
    case externalID = "external_id"
}
