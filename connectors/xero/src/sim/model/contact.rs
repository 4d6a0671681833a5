//! Contacts and their addresses, phones and people.

use serde_json::Value;
use uuid::Uuid;

use super::ValidationError;

xero_object!(
    /// A postal (POBOX) or street (STREET) address.
    Address {
        AddressType: String,
        AddressLine1: String,
        AddressLine2: String,
        City: String,
        Region: String,
        PostalCode: String,
        Country: String,
        AttentionTo: String,
    }
);

xero_object!(
    /// A phone number of a contact.
    Phone {
        PhoneType: String,
        PhoneNumber: String,
        PhoneAreaCode: String,
        PhoneCountryCode: String,
    }
);

xero_object!(
    /// A person at a contact who receives emails.
    ContactPerson {
        FirstName: String,
        LastName: String,
        EmailAddress: String,
        IncludeInEmails: bool,
    }
);

xero_object!(
    /// A customer or supplier.
    Contact {
        ContactID: Uuid,
        ContactNumber: String,
        AccountNumber: String,
        ContactStatus: String,
        Name: String,
        FirstName: String,
        LastName: String,
        CompanyNumber: String,
        EmailAddress: String,
        BankAccountDetails: String,
        TaxNumber: String,
        AccountsReceivableTaxType: String,
        AccountsPayableTaxType: String,
        Addresses: Vec<Address>,
        Phones: Vec<Phone>,
        UpdatedDateUTC: String,
        ContactGroups: Vec<Value>,
        IsSupplier: bool,
        IsCustomer: bool,
        DefaultCurrency: String,
        Website: String,
        SalesDefaultAccountCode: String,
        PurchasesDefaultAccountCode: String,
        PaymentTerms: Value,
        ContactPersons: Vec<ContactPerson>,
        HasAttachments: bool,
        HasValidationErrors: bool,
        StatusAttributeString: String,
        ValidationErrors: Vec<ValidationError>,
    }
);
