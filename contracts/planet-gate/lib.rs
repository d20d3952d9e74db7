//! # Planet gate
//!
//! Entrance rules for a planet (a world on chain) beyond the flat fee of `land.enter`:
//!
//! - an **allow list**: listed accounts always enter, free;
//! - **time-limited passes**: paying the fee gives a pass for `pass_duration` ms, added to
//!   what is left of a pass still running;
//! - a **free quota per day**: the first `free_per_day` visitors of each UTC day who pay
//!   nothing get a pass until that day ends.
//!
//! `may_enter(account)` is the check a world's servers ask. The owner withdraws the fees.

#![cfg_attr(not(feature = "std"), no_std, no_main)]

#[ink::contract]
mod planet_gate {
    use ink::{storage::Mapping, U256};

    /// A day in milliseconds (block timestamps are in ms).
    pub const DAY_MS: u64 = 86_400_000;

    /// Why a call was refused.
    #[derive(Debug, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub enum Error {
        /// Some value was sent, but less than the fee.
        InsufficientPayment,
        /// Nothing was paid and today's free entries are gone: pay the fee.
        QuotaExhausted,
        /// Only the owner may do this.
        NotOwner,
        /// The chain refused the payout.
        TransferFailed,
    }

    /// The contract's result type.
    pub type Result<T> = core::result::Result<T, Error>;

    /// How an entry was granted.
    #[derive(Debug, PartialEq, Eq, Clone, Copy)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub enum Entry {
        /// On the allow list.
        Listed,
        /// A paid pass, valid until this timestamp (ms).
        Paid(u64),
        /// One of today's free entries, valid until the day ends (ms).
        Free(u64),
    }

    /// Someone entered.
    #[ink(event)]
    pub struct Entered {
        #[ink(topic)]
        visitor: Address,
        entry: Entry,
    }

    #[ink(storage)]
    pub struct PlanetGate {
        owner: Address,
        /// The planet (world id on chain).
        world: u32,
        /// The price of a pass.
        fee: U256,
        /// How long a paid pass lasts, in ms.
        pass_duration: u64,
        /// Free entries per UTC day.
        free_per_day: u32,
        /// Accounts that always enter.
        listed: Mapping<Address, ()>,
        /// When each visitor's pass ends (ms).
        passes: Mapping<Address, u64>,
        /// Free entries used per day number.
        free_used: Mapping<u64, u32>,
    }

    impl PlanetGate {
        /// A gate for `world`: passes cost `fee` and last `pass_duration` ms; `free_per_day`
        /// visitors a day enter free.
        #[ink(constructor)]
        pub fn new(world: u32, fee: U256, pass_duration: u64, free_per_day: u32) -> Self {
            Self {
                owner: Self::env().caller(),
                world,
                fee,
                pass_duration,
                free_per_day,
                listed: Mapping::default(),
                passes: Mapping::default(),
                free_used: Mapping::default(),
            }
        }

        /// Enters the planet: free if listed; with at least the fee, a pass (extending one
        /// still running); with nothing sent, one of today's free entries if any are left.
        #[ink(message, payable)]
        pub fn enter(&mut self) -> Result<Entry> {
            let visitor = self.env().caller();
            let paid = self.env().transferred_value();
            let now = self.env().block_timestamp();
            let entry = if self.listed.contains(visitor) {
                Entry::Listed
            } else if !paid.is_zero() || self.fee.is_zero() {
                if paid < self.fee {
                    return Err(Error::InsufficientPayment);
                }
                let from = self.passes.get(visitor).unwrap_or(0).max(now);
                let until = from.saturating_add(self.pass_duration);
                self.passes.insert(visitor, &until);
                Entry::Paid(until)
            } else {
                let day = now / DAY_MS;
                let used = self.free_used.get(day).unwrap_or(0);
                if used >= self.free_per_day {
                    return Err(Error::QuotaExhausted);
                }
                self.free_used.insert(day, &(used + 1));
                let until = (day + 1).saturating_mul(DAY_MS);
                let current = self.passes.get(visitor).unwrap_or(0);
                self.passes.insert(visitor, &current.max(until));
                Entry::Free(until)
            };
            self.env().emit_event(Entered { visitor, entry });
            Ok(entry)
        }

        /// Whether `account` may be on the planet now.
        #[ink(message)]
        pub fn may_enter(&self, account: Address) -> bool {
            self.listed.contains(account) || self.passes.get(account).is_some_and(|until| until > self.env().block_timestamp())
        }

        /// Free entries left today.
        #[ink(message)]
        pub fn free_left_today(&self) -> u32 {
            let day = self.env().block_timestamp() / DAY_MS;
            self.free_per_day.saturating_sub(self.free_used.get(day).unwrap_or(0))
        }

        /// Puts `account` on the allow list, or takes it off. Owner only.
        #[ink(message)]
        pub fn set_listed(&mut self, account: Address, listed: bool) -> Result<()> {
            self.ensure_owner()?;
            if listed {
                self.listed.insert(account, &());
            } else {
                self.listed.remove(account);
            }
            Ok(())
        }

        /// Changes the fee and the pass duration. Owner only.
        #[ink(message)]
        pub fn set_fee(&mut self, fee: U256, pass_duration: u64) -> Result<()> {
            self.ensure_owner()?;
            self.fee = fee;
            self.pass_duration = pass_duration;
            Ok(())
        }

        /// The planet this gate guards.
        #[ink(message)]
        pub fn world(&self) -> u32 {
            self.world
        }

        /// Pays the collected fees to the owner.
        #[ink(message)]
        pub fn withdraw(&mut self) -> Result<U256> {
            self.ensure_owner()?;
            let amount = self.env().balance();
            self.env().transfer(self.owner, amount).map_err(|_| Error::TransferFailed)?;
            Ok(amount)
        }

        fn ensure_owner(&self) -> Result<()> {
            if self.env().caller() == self.owner { Ok(()) } else { Err(Error::NotOwner) }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use ink::env::{test, DefaultEnvironment};

        const FEE: u64 = 500;
        const HOUR: u64 = 3_600_000;

        /// Alice's gate: passes cost 500 and last an hour; two free entries a day.
        fn gate() -> PlanetGate {
            test::set_caller(test::default_accounts().alice);
            PlanetGate::new(3, U256::from(FEE), HOUR, 2)
        }

        fn at(ms: u64) {
            test::set_block_timestamp::<DefaultEnvironment>(ms);
        }

        fn enter_as(gate: &mut PlanetGate, who: Address, value: u64) -> Result<Entry> {
            test::set_caller(who);
            test::set_value_transferred(U256::from(value));
            gate.enter()
        }

        #[ink::test]
        fn a_paid_pass_lasts_its_duration_and_extends() {
            let a = test::default_accounts();
            let mut g = gate();
            at(10 * DAY_MS);
            assert_eq!(enter_as(&mut g, a.bob, FEE), Ok(Entry::Paid(10 * DAY_MS + HOUR)));
            assert!(g.may_enter(a.bob));
            assert!(!g.may_enter(a.charlie));
            at(10 * DAY_MS + HOUR / 2);
            assert_eq!(enter_as(&mut g, a.bob, FEE), Ok(Entry::Paid(10 * DAY_MS + 2 * HOUR)), "added to the rest");
            at(10 * DAY_MS + 2 * HOUR);
            assert!(!g.may_enter(a.bob), "expired");
        }

        #[ink::test]
        fn paying_less_than_the_fee_is_refused() {
            let a = test::default_accounts();
            let mut g = gate();
            at(DAY_MS);
            assert_eq!(enter_as(&mut g, a.bob, FEE - 1), Err(Error::InsufficientPayment));
            assert!(!g.may_enter(a.bob));
            assert_eq!(g.free_left_today(), 2, "a failed payment uses no free entry");
        }

        #[ink::test]
        fn the_free_quota_is_per_day() {
            let a = test::default_accounts();
            let mut g = gate();
            at(5 * DAY_MS + HOUR);
            assert_eq!(enter_as(&mut g, a.bob, 0), Ok(Entry::Free(6 * DAY_MS)));
            assert_eq!(enter_as(&mut g, a.charlie, 0), Ok(Entry::Free(6 * DAY_MS)));
            assert_eq!(enter_as(&mut g, a.django, 0), Err(Error::QuotaExhausted));
            assert!(!g.may_enter(a.django));
            assert!(g.may_enter(a.bob));
            at(6 * DAY_MS);
            assert!(!g.may_enter(a.bob), "a free entry ends with its day");
            assert_eq!(g.free_left_today(), 2);
            assert_eq!(enter_as(&mut g, a.django, 0), Ok(Entry::Free(7 * DAY_MS)));
        }

        #[ink::test]
        fn the_allow_list_enters_free_and_only_the_owner_keeps_it() {
            let a = test::default_accounts();
            let mut g = gate();
            at(DAY_MS);
            test::set_caller(a.bob);
            assert_eq!(g.set_listed(a.bob, true), Err(Error::NotOwner));
            test::set_caller(a.alice);
            assert_eq!(g.set_listed(a.eve, true), Ok(()));
            assert!(g.may_enter(a.eve));
            assert_eq!(enter_as(&mut g, a.eve, 0), Ok(Entry::Listed));
            assert_eq!(g.free_left_today(), 2, "listed entries use no quota");
            test::set_caller(a.alice);
            assert_eq!(g.set_listed(a.eve, false), Ok(()));
            assert!(!g.may_enter(a.eve));
        }

        #[ink::test]
        fn only_the_owner_withdraws_and_sets_the_fee() {
            let a = test::default_accounts();
            let mut g = gate();
            test::set_caller(a.bob);
            test::set_value_transferred(U256::zero());
            assert_eq!(g.withdraw(), Err(Error::NotOwner));
            assert_eq!(g.set_fee(U256::zero(), 1), Err(Error::NotOwner));
            test::set_caller(a.alice);
            assert_eq!(g.set_fee(U256::from(7), 2 * HOUR), Ok(()));
            assert_eq!(g.world(), 3);
        }
    }
}
