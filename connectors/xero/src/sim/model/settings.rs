//! Organisation settings objects: items, accounts, tax rates, tracking categories.

use uuid::Uuid;

use super::{Money, Qty, ValidationError};

xero_object!(
    /// Sales or purchase defaults of an item.
    ItemDetails {
        UnitPrice: Money,
        AccountCode: String,
        COGSAccountCode: String,
        TaxType: String,
    }
);

xero_object!(
    /// A product or service sold or bought.
    Item {
        ItemID: Uuid,
        Code: String,
        Description: String,
        PurchaseDescription: String,
        UpdatedDateUTC: String,
        PurchaseDetails: ItemDetails,
        SalesDetails: ItemDetails,
        Name: String,
        IsTrackedAsInventory: bool,
        InventoryAssetAccountCode: String,
        TotalCostPool: Money,
        QuantityOnHand: Qty,
        IsSold: bool,
        IsPurchased: bool,
        StatusAttributeString: String,
        ValidationErrors: Vec<ValidationError>,
    }
);

xero_object!(
    /// An account of the chart of accounts.
    Account {
        AccountID: Uuid,
        Code: String,
        Name: String,
        Status: String,
        Type: String,
        TaxType: String,
        Description: String,
        Class: String,
        SystemAccount: String,
        EnablePaymentsToAccount: bool,
        ShowInExpenseClaims: bool,
        BankAccountNumber: String,
        BankAccountType: String,
        CurrencyCode: String,
        ReportingCode: String,
        ReportingCodeName: String,
        HasAttachments: bool,
        UpdatedDateUTC: String,
        AddToWatchlist: bool,
        ValidationErrors: Vec<ValidationError>,
    }
);

xero_object!(
    /// One component of a (possibly compound) tax rate.
    TaxComponent {
        Name: String,
        Rate: Qty,
        IsCompound: bool,
        IsNonRecoverable: bool,
    }
);

xero_object!(
    /// A tax rate; its key is `TaxType` (tax rates have no id).
    TaxRate {
        Name: String,
        TaxType: String,
        ReportTaxType: String,
        CanApplyToAssets: bool,
        CanApplyToEquity: bool,
        CanApplyToExpenses: bool,
        CanApplyToLiabilities: bool,
        CanApplyToRevenue: bool,
        DisplayTaxRate: Qty,
        EffectiveRate: Qty,
        Status: String,
        TaxComponents: Vec<TaxComponent>,
        StatusAttributeString: String,
        ValidationErrors: Vec<ValidationError>,
    }
);

xero_object!(
    /// One option of a tracking category.
    TrackingOption {
        TrackingOptionID: Uuid,
        Name: String,
        Status: String,
    }
);

xero_object!(
    /// A tracking category (e.g. Region) with its options.
    TrackingCategory {
        Name: String,
        Status: String,
        TrackingCategoryID: Uuid,
        Options: Vec<TrackingOption>,
        ValidationErrors: Vec<ValidationError>,
    }
);

xero_object!(
    /// A tracking option as the `/TrackingCategories/{id}/Options` endpoints
    /// answer it (the spec's examples add the `Is*` flags to the stored form).
    OptionAnswer {
        TrackingOptionID: Uuid,
        Name: String,
        Status: String,
        HasValidationErrors: bool,
        IsDeleted: bool,
        IsArchived: bool,
        IsActive: bool,
        ValidationErrors: Vec<ValidationError>,
    }
);
