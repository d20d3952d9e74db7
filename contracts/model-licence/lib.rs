//! # Model licence
//!
//! A model owner sells licences to use one model (its id on chain) for a price in CYBR.
//! `buy` grants the caller a licence; `has_licence(account)` answers, and is what a
//! gateway asks before serving a model whose access rule names this contract. Revenue is
//! split between fixed shares (set at instantiation) and each holder withdraws its part
//! when it likes.
//!
//! A message that returns an error reverts everything it did, value included: a buyer
//! who pays too little keeps the money.

#![cfg_attr(not(feature = "std"), no_std, no_main)]

#[ink::contract]
mod model_licence {
    use ink::{prelude::vec::Vec, storage::Mapping, U256};

    /// Why a call was refused.
    #[derive(Debug, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub enum Error {
        /// The value sent is below the price.
        InsufficientPayment,
        /// The caller holds a licence already (buying twice would only lose money).
        AlreadyLicensed,
        /// Only the owner may do this.
        NotOwner,
        /// Nothing is owed to the caller (it holds no share, or took it all).
        NothingToWithdraw,
        /// Shares must name at least one account, each with a non-zero part.
        BadShares,
        /// The chain refused the payout.
        TransferFailed,
    }

    /// The contract's result type.
    pub type Result<T> = core::result::Result<T, Error>;

    /// A licence was bought.
    #[ink(event)]
    pub struct Licensed {
        #[ink(topic)]
        buyer: Address,
        paid: U256,
    }

    /// A share holder withdrew its revenue.
    #[ink(event)]
    pub struct Withdrawn {
        #[ink(topic)]
        holder: Address,
        amount: U256,
    }

    #[ink(storage)]
    pub struct ModelLicence {
        /// Who may change the price and grant licences.
        owner: Address,
        /// The model (its id on chain) this contract licenses.
        model: u32,
        /// The price of one licence.
        price: U256,
        /// Accounts holding a licence.
        licensees: Mapping<Address, ()>,
        /// Revenue split: each holder's part, out of the sum of all parts.
        shares: Vec<(Address, u32)>,
        /// Everything licences ever brought in.
        revenue: U256,
        /// What each holder has withdrawn so far.
        withdrawn: Mapping<Address, U256>,
    }

    impl ModelLicence {
        /// Sells licences to `model` at `price`; revenue goes to `shares` (account, part).
        #[ink(constructor)]
        pub fn new(model: u32, price: U256, shares: Vec<(Address, u32)>) -> Result<Self> {
            if shares.is_empty() || shares.iter().any(|(_, part)| *part == 0) {
                return Err(Error::BadShares);
            }
            Ok(Self {
                owner: Self::env().caller(),
                model,
                price,
                licensees: Mapping::default(),
                shares,
                revenue: U256::zero(),
                withdrawn: Mapping::default(),
            })
        }

        /// Buys a licence for the caller: send at least the price (all of it is revenue).
        #[ink(message, payable)]
        pub fn buy(&mut self) -> Result<()> {
            let buyer = self.env().caller();
            let paid = self.env().transferred_value();
            if paid < self.price {
                return Err(Error::InsufficientPayment);
            }
            if self.licensees.contains(buyer) {
                return Err(Error::AlreadyLicensed);
            }
            self.licensees.insert(buyer, &());
            self.revenue = self.revenue.saturating_add(paid);
            self.env().emit_event(Licensed { buyer, paid });
            Ok(())
        }

        /// Whether `account` holds a licence.
        #[ink(message)]
        pub fn has_licence(&self, account: Address) -> bool {
            self.licensees.contains(account)
        }

        /// Grants a licence without payment. Owner only.
        #[ink(message)]
        pub fn grant(&mut self, account: Address) -> Result<()> {
            self.ensure_owner()?;
            self.licensees.insert(account, &());
            Ok(())
        }

        /// Changes the price of future licences. Owner only.
        #[ink(message)]
        pub fn set_price(&mut self, price: U256) -> Result<()> {
            self.ensure_owner()?;
            self.price = price;
            Ok(())
        }

        /// The price of a licence.
        #[ink(message)]
        pub fn price(&self) -> U256 {
            self.price
        }

        /// The model this contract licenses.
        #[ink(message)]
        pub fn model(&self) -> u32 {
            self.model
        }

        /// What `holder` may withdraw now.
        #[ink(message)]
        pub fn owed(&self, holder: Address) -> U256 {
            let total: u64 = self.shares.iter().map(|(_, part)| u64::from(*part)).sum();
            let part: u64 = self.shares.iter().filter(|(a, _)| *a == holder).map(|(_, p)| u64::from(*p)).sum();
            if part == 0 || total == 0 {
                return U256::zero();
            }
            let earned = self.revenue.saturating_mul(U256::from(part)) / U256::from(total);
            earned.saturating_sub(self.withdrawn.get(holder).unwrap_or_default())
        }

        /// Pays the caller its share of the revenue so far.
        #[ink(message)]
        pub fn withdraw(&mut self) -> Result<U256> {
            let holder = self.env().caller();
            let amount = self.owed(holder);
            if amount.is_zero() {
                return Err(Error::NothingToWithdraw);
            }
            let before = self.withdrawn.get(holder).unwrap_or_default();
            self.withdrawn.insert(holder, &before.saturating_add(amount));
            self.env().transfer(holder, amount).map_err(|_| Error::TransferFailed)?;
            self.env().emit_event(Withdrawn { holder, amount });
            Ok(amount)
        }

        fn ensure_owner(&self) -> Result<()> {
            if self.env().caller() == self.owner { Ok(()) } else { Err(Error::NotOwner) }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use ink::env::test;

        const PRICE: u64 = 1_000;

        fn accounts() -> test::DefaultAccounts {
            test::default_accounts()
        }

        /// Alice instantiates with shares Alice 3, Bob 1.
        fn contract() -> ModelLicence {
            let a = accounts();
            test::set_caller(a.alice);
            ModelLicence::new(7, U256::from(PRICE), vec![(a.alice, 3), (a.bob, 1)]).expect("valid shares")
        }

        fn buy_as(contract: &mut ModelLicence, who: Address, value: u64) -> Result<()> {
            test::set_caller(who);
            test::set_value_transferred(U256::from(value));
            contract.buy()
        }

        #[ink::test]
        fn buying_grants_a_licence_to_the_buyer_only() {
            let a = accounts();
            let mut c = contract();
            assert!(!c.has_licence(a.charlie));
            assert_eq!(buy_as(&mut c, a.charlie, PRICE), Ok(()));
            assert!(c.has_licence(a.charlie));
            assert!(!c.has_licence(a.django));
            assert_eq!(test::recorded_events().len(), 1, "a Licensed event");
            assert_eq!(c.model(), 7);
        }

        #[ink::test]
        fn too_little_value_is_refused() {
            let a = accounts();
            let mut c = contract();
            assert_eq!(buy_as(&mut c, a.charlie, PRICE - 1), Err(Error::InsufficientPayment));
            assert!(!c.has_licence(a.charlie));
            assert_eq!(c.owed(a.alice), U256::zero(), "no revenue was counted");
        }

        #[ink::test]
        fn a_second_purchase_is_refused() {
            let a = accounts();
            let mut c = contract();
            buy_as(&mut c, a.charlie, PRICE).unwrap();
            assert_eq!(buy_as(&mut c, a.charlie, PRICE), Err(Error::AlreadyLicensed));
        }

        #[ink::test]
        fn revenue_splits_by_shares_and_is_withdrawn_once() {
            let a = accounts();
            let mut c = contract();
            buy_as(&mut c, a.charlie, PRICE).unwrap();
            buy_as(&mut c, a.django, 3 * PRICE).unwrap(); // overpaying counts as revenue
            test::set_value_transferred(U256::zero());
            assert_eq!(c.owed(a.alice), U256::from(3 * PRICE));
            assert_eq!(c.owed(a.bob), U256::from(PRICE));

            // The contract holds what was paid (the off-chain engine does not move value
            // on `buy`, so it is credited here).
            test::set_contract_balance(test::callee(), U256::from(4 * PRICE));
            test::set_caller(a.bob);
            assert_eq!(c.withdraw(), Ok(U256::from(PRICE)));
            assert_eq!(c.owed(a.bob), U256::zero());
            assert_eq!(c.withdraw(), Err(Error::NothingToWithdraw));
            // Later revenue is owed again, in proportion.
            buy_as(&mut c, a.eve, 4 * PRICE).unwrap();
            assert_eq!(c.owed(a.bob), U256::from(PRICE));
        }

        #[ink::test]
        fn a_stranger_withdraws_nothing() {
            let a = accounts();
            let mut c = contract();
            buy_as(&mut c, a.charlie, PRICE).unwrap();
            test::set_caller(a.frank);
            test::set_value_transferred(U256::zero());
            assert_eq!(c.withdraw(), Err(Error::NothingToWithdraw));
        }

        #[ink::test]
        fn only_the_owner_grants_and_prices() {
            let a = accounts();
            let mut c = contract();
            test::set_caller(a.bob);
            assert_eq!(c.grant(a.bob), Err(Error::NotOwner));
            assert_eq!(c.set_price(U256::zero()), Err(Error::NotOwner));
            test::set_caller(a.alice);
            assert_eq!(c.grant(a.frank), Ok(()));
            assert!(c.has_licence(a.frank));
            assert_eq!(c.set_price(U256::from(5)), Ok(()));
            assert_eq!(c.price(), U256::from(5));
        }

        #[ink::test]
        fn shares_must_be_given() {
            let a = accounts();
            test::set_caller(a.alice);
            assert!(matches!(ModelLicence::new(1, U256::one(), vec![]), Err(Error::BadShares)));
            assert!(matches!(ModelLicence::new(1, U256::one(), vec![(a.bob, 0)]), Err(Error::BadShares)));
        }
    }
}
