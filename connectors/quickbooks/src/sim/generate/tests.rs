use std::collections::HashSet;

use super::*;
use crate::sim::{money, totals};

const END: i64 = 1_796_011_929_000;

fn ids(b: &Books, e: Entity) -> HashSet<String> {
    b.table(e)
        .rows
        .iter()
        .map(|(id, _)| id.to_string())
        .collect()
}

#[test]
fn same_seed_same_books_other_seed_other_books() {
    let a = generate(7, SimSizes::scaled(300), END);
    let b = generate(7, SimSizes::scaled(300), END);
    let c = generate(8, SimSizes::scaled(300), END);
    for e in Entity::ALL {
        let objs = |x: &Books| {
            x.table(e)
                .rows
                .iter()
                .map(|(_, r)| r)
                .map(|r| r.obj.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(objs(&a), objs(&b), "{e:?}");
        if a.table(e).rows.len() > 3 {
            assert_ne!(objs(&a), objs(&c), "{e:?}");
        }
    }
}

#[test]
fn sizes_are_kept_and_references_exist() {
    let sizes = SimSizes::scaled(500);
    let b = generate(3, sizes, END);
    assert_eq!(b.table(Entity::Invoice).rows.len(), 500);
    assert_eq!(b.table(Entity::Payment).rows.len(), sizes.payments);
    let customers = ids(&b, Entity::Customer);
    let items = ids(&b, Entity::Item);
    let accounts = ids(&b, Entity::Account);
    for row in b.table(Entity::Invoice).rows.iter().map(|(_, r)| r) {
        assert!(customers.contains(row.obj["CustomerRef"]["value"].as_str().unwrap()));
        for line in row.obj["Line"].as_array().unwrap() {
            if line["DetailType"] == "SalesItemLineDetail" {
                let item = line["SalesItemLineDetail"]["ItemRef"]["value"]
                    .as_str()
                    .unwrap();
                assert!(items.contains(item));
            }
        }
        assert!(row.updated_ms <= END && row.updated_ms >= END - 366 * time::DAY_MS);
    }
    for row in b.table(Entity::Item).rows.iter().map(|(_, r)| r) {
        assert!(accounts.contains(row.obj["IncomeAccountRef"]["value"].as_str().unwrap()));
    }
    for row in b.table(Entity::JournalEntry).rows.iter().map(|(_, r)| r) {
        let (d, c) = totals::journal_sides(&row.obj);
        assert_eq!(d, c, "a journal entry balances");
    }
    assert!(!b.table(Entity::JournalEntry).deleted.is_empty() || sizes.journal_entries < 20);
}

#[test]
fn payments_lower_the_balance_of_what_they_pay() {
    let b = generate(5, SimSizes::scaled(400), END);
    let inv = b.table(Entity::Invoice);
    let mut paid = 0;
    for p in b.table(Entity::Payment).rows.iter().map(|(_, r)| r) {
        let (id, amount) = totals::applied(&p.obj, "Invoice")[0];
        let invoice = &inv.rows.get(&id).unwrap().obj;
        let total = money::read(&invoice["TotalAmt"]).unwrap();
        let balance = money::read(&invoice["Balance"]).unwrap();
        assert_eq!(total - balance, amount, "invoice {id}");
        assert!(inv.rows.get(&id).unwrap().updated_ms >= p.updated_ms);
        paid += 1;
    }
    assert_eq!(paid, 160);
    let voided = inv
        .rows
        .iter()
        .map(|(_, r)| r)
        .filter(|r| r.obj["PrivateNote"] == "Voided")
        .count();
    assert!(voided > 0, "some invoices are voided");
    for p in b.table(Entity::BillPayment).rows.iter().map(|(_, r)| r) {
        let (id, amount) = totals::applied(&p.obj, "Bill")[0];
        let bill = &b.table(Entity::Bill).rows.get(&id).unwrap().obj;
        let drop = money::read(&bill["TotalAmt"]).unwrap() - money::read(&bill["Balance"]).unwrap();
        assert_eq!(drop, amount);
    }
    let inactive = b
        .table(Entity::Customer)
        .rows
        .iter()
        .map(|(_, r)| r)
        .filter(|r| r.obj["Active"] == false)
        .count();
    assert!(inactive > 0, "some customers are inactive");
}

#[test]
fn ten_thousand_invoices_generate_quickly() {
    let t = std::time::Instant::now();
    let b = generate(1, SimSizes::scaled(10_000), END);
    assert_eq!(b.table(Entity::Invoice).rows.len(), 10_000);
    // Debug builds are several times slower than release; generous bound.
    assert!(
        t.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        t.elapsed()
    );
}
