//! Payments, bank transactions and manual journals.

use serde_json::Value;
use uuid::Uuid;

use super::{AccountRef, ContactRef, LineItem, Money, Rate, TrackingRef, ValidationError};

xero_object!(
    /// The invoice summary embedded in a payment.
    InvoiceRef {
        Type: String,
        InvoiceID: Uuid,
        InvoiceNumber: String,
        Payments: Vec<Value>,
        CreditNotes: Vec<Value>,
        Prepayments: Vec<Value>,
        Overpayments: Vec<Value>,
        HasErrors: bool,
        IsDiscounted: bool,
        Contact: ContactRef,
        LineItems: Vec<Value>,
        CurrencyCode: String,
    }
);

xero_object!(
    /// A payment against an invoice.
    Payment {
        PaymentID: Uuid,
        Date: String,
        BankAmount: Money,
        Amount: Money,
        Reference: String,
        CurrencyRate: Rate,
        PaymentType: String,
        Status: String,
        UpdatedDateUTC: String,
        HasAccount: bool,
        IsReconciled: bool,
        Account: AccountRef,
        Invoice: InvoiceRef,
        InvoiceNumber: String,
        Code: String,
        HasValidationErrors: bool,
        StatusAttributeString: String,
        ValidationErrors: Vec<ValidationError>,
    }
);

xero_object!(
    /// Spent or received money.
    BankTransaction {
        BankTransactionID: Uuid,
        BankAccount: AccountRef,
        Type: String,
        Reference: String,
        IsReconciled: bool,
        HasAttachments: bool,
        Contact: ContactRef,
        DateString: String,
        Date: String,
        Status: String,
        LineAmountTypes: String,
        LineItems: Vec<LineItem>,
        SubTotal: Money,
        TotalTax: Money,
        Total: Money,
        UpdatedDateUTC: String,
        CurrencyCode: String,
        CurrencyRate: Rate,
        Url: String,
        StatusAttributeString: String,
        ValidationErrors: Vec<ValidationError>,
    }
);

xero_object!(
    /// One line of a manual journal (positive = debit, negative = credit).
    JournalLine {
        Description: String,
        TaxType: String,
        TaxAmount: Money,
        LineAmount: Money,
        AccountCode: String,
        Tracking: Vec<TrackingRef>,
        AccountID: Uuid,
        IsBlank: bool,
    }
);

xero_object!(
    /// A manual journal.
    ManualJournal {
        Date: String,
        Status: String,
        LineAmountTypes: String,
        UpdatedDateUTC: String,
        ManualJournalID: Uuid,
        Narration: String,
        JournalLines: Vec<JournalLine>,
        ShowOnCashBasisReports: bool,
        HasAttachments: bool,
        Url: String,
        StatusAttributeString: String,
        ValidationErrors: Vec<ValidationError>,
    }
);
