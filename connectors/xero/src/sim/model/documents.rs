//! Invoices, credit notes and their line items.

use serde_json::Value;
use uuid::Uuid;

use super::{ContactRef, Money, PaymentRef, Qty, Rate, TrackingRef, ValidationError};

xero_object!(
    /// One line of an invoice, credit note or bank transaction.
    LineItem {
        ItemCode: String,
        Description: String,
        UnitAmount: Money,
        TaxType: String,
        TaxAmount: Money,
        LineAmount: Money,
        AccountCode: String,
        Tracking: Vec<TrackingRef>,
        Quantity: Qty,
        DiscountRate: Money,
        LineItemID: Uuid,
        AccountID: Uuid,
        ValidationErrors: Vec<ValidationError>,
    }
);

xero_object!(
    /// A sales invoice (ACCREC) or purchase bill (ACCPAY).
    Invoice {
        Type: String,
        InvoiceID: Uuid,
        InvoiceNumber: String,
        Reference: String,
        Payments: Vec<PaymentRef>,
        CreditNotes: Vec<Value>,
        Prepayments: Vec<Value>,
        Overpayments: Vec<Value>,
        AmountDue: Money,
        AmountPaid: Money,
        AmountCredited: Money,
        SentToContact: bool,
        CurrencyRate: Rate,
        HasErrors: bool,
        IsDiscounted: bool,
        HasAttachments: bool,
        Contact: ContactRef,
        DateString: String,
        Date: String,
        DueDateString: String,
        DueDate: String,
        ExpectedPaymentDate: String,
        PlannedPaymentDate: String,
        BrandingThemeID: Uuid,
        Url: String,
        Status: String,
        LineAmountTypes: String,
        LineItems: Vec<LineItem>,
        SubTotal: Money,
        TotalTax: Money,
        Total: Money,
        TotalDiscount: Money,
        UpdatedDateUTC: String,
        CurrencyCode: String,
        FullyPaidOnDate: String,
        StatusAttributeString: String,
        ValidationErrors: Vec<ValidationError>,
    }
);

xero_object!(
    /// A credit note (ACCRECCREDIT or ACCPAYCREDIT).
    CreditNote {
        CreditNoteID: Uuid,
        CreditNoteNumber: String,
        Payments: Vec<PaymentRef>,
        CurrencyRate: Rate,
        Type: String,
        Reference: String,
        RemainingCredit: Money,
        Allocations: Vec<Value>,
        HasAttachments: bool,
        Contact: ContactRef,
        DateString: String,
        Date: String,
        DueDateString: String,
        DueDate: String,
        BrandingThemeID: Uuid,
        Status: String,
        LineAmountTypes: String,
        LineItems: Vec<LineItem>,
        SubTotal: Money,
        TotalTax: Money,
        Total: Money,
        UpdatedDateUTC: String,
        CurrencyCode: String,
        FullyPaidOnDate: String,
        SentToContact: bool,
        HasErrors: bool,
        StatusAttributeString: String,
        ValidationErrors: Vec<ValidationError>,
    }
);
