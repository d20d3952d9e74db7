//! # Land
//!
//! Worlds and the parcels on their grids.
//!
//! - **Worlds.** The mainland (world 0) exists from genesis; root governs it through the
//!   land office account ([`Pallet::land_office`]), which owns it on chain. Any account can
//!   [`create_planet`](Pallet::create_planet) against a held deposit and owns it. A world
//!   owner sets an entrance fee; [`enter`](Pallet::enter) pays it and grants a pass for
//!   [`Config::PassDuration`] blocks, which anyone can check ([`Pallet::has_pass`]).
//! - **Parcels.** A parcel is one cell `(world, x, y)` and an item of the land collection
//!   of pallet-nfts. pallet-nfts is the ledger: it records the owner, and transfers and
//!   approvals go through it, so wallets that know pallet-nfts work. This pallet keeps the
//!   grid index (cell → parcel, parcel → cell), which ownership changes never touch, so it
//!   cannot go stale. World owners mint parcels to an account or for sale; owners list,
//!   reprice and unlist; anyone buys a listed parcel.
//!
//! Parcels are never burned (the runtime's call filter refuses pallet-nfts' `burn` for the
//! land collection), so the index and the ledger always hold the same parcels.
//!
//! **State that grows pays a deposit.** A planet's owner holds [`Config::ParcelDeposit`] per
//! parcel it mints (the mainland's, minted by root, are exempt), so a planet of 4096 × 4096
//! cells cannot be filled for transaction fees alone; a visitor holds
//! [`Config::PassDeposit`] while its pass entry exists (renewals hold nothing more), and
//! anyone may [`clear_pass`](Pallet::clear_pass) an expired entry, which returns the deposit
//! to the visitor, so passes to free planets do not pile up for nothing.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
#[cfg(feature = "std")]
#[doc(hidden)]
pub mod test_runtime;
pub mod types;
pub mod weights;

use alloc::vec::Vec;
use landmesh_primitives::{ParcelId, ParcelView, Region, RegionError, WorldId, WorldView, MAINLAND};
use polkadot_sdk::{
	frame_support::{
		self,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			tokens::Preservation,
			Get,
		},
		PalletId,
	},
	frame_system, pallet_nfts,
	sp_runtime::{
		traits::{AccountIdConversion, Saturating, StaticLookup, Zero},
		DispatchError,
	},
};

/// The balance type of [`Config::Currency`].
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// An account id as the caller names it (an address).
pub type AccountIdLookupOf<T> = <<T as frame_system::Config>::Lookup as StaticLookup>::Source;
/// A world as stored.
pub type WorldOf<T> = World<<T as frame_system::Config>::AccountId, BalanceOf<T>>;
/// A listing as stored.
pub type ListingOf<T> = Listing<<T as frame_system::Config>::AccountId, BalanceOf<T>>;
/// A pallet-nfts collection configuration for this runtime.
pub type CollectionConfigOf<T> = pallet_nfts::CollectionConfigFor<T>;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config:
		polkadot_sdk::frame_system::Config
		+ pallet_nfts::Config<CollectionId = u32, ItemId = u32>
	{
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>>
			+ IsType<<Self as polkadot_sdk::frame_system::Config>::RuntimeEvent>;
		/// CYBR: pays prices and fees, holds planet deposits.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// Who acts for the mainland (root in the Landmesh runtime).
		type MainlandOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Derives the land office account: owner of the mainland and of the land collection.
		#[pallet::constant]
		type PalletId: Get<PalletId>;
		/// Held from the creator of a planet.
		#[pallet::constant]
		type PlanetDeposit: Get<BalanceOf<Self>>;
		/// Held from a planet's owner per parcel it mints.
		#[pallet::constant]
		type ParcelDeposit: Get<BalanceOf<Self>>;
		/// Held from a visitor while its pass entry exists.
		#[pallet::constant]
		type PassDeposit: Get<BalanceOf<Self>>;
		/// The largest width or height of a world, in cells.
		#[pallet::constant]
		type MaxWorldSide: Get<u32>;
		/// How many blocks a pass bought with `enter` lasts.
		#[pallet::constant]
		type PassDuration: Get<BlockNumberFor<Self>>;
		/// The most cells one region query may cover.
		#[pallet::constant]
		type MaxRegionCells: Get<u32>;
		/// Weights from this pallet's benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit of a planet's creator.
		PlanetDeposit,
		/// A planet owner's deposit for a parcel it minted.
		ParcelDeposit,
		/// A visitor's deposit for its pass entry.
		PassDeposit,
	}

	/// Every world by id.
	#[pallet::storage]
	pub type Worlds<T: Config> = StorageMap<_, Twox64Concat, WorldId, WorldOf<T>>;

	/// The id the next planet gets.
	#[pallet::storage]
	pub type NextWorldId<T: Config> = StorageValue<_, WorldId, ValueQuery>;

	/// Where each parcel is.
	#[pallet::storage]
	pub type Parcels<T: Config> = StorageMap<_, Twox64Concat, ParcelId, Parcel>;

	/// The grid index: the parcel at a cell `(x, y)` of a world.
	#[pallet::storage]
	pub type ParcelAt<T: Config> =
		StorageDoubleMap<_, Twox64Concat, WorldId, Twox64Concat, (u32, u32), ParcelId>;

	/// The id the next parcel gets (its item id in the land collection).
	#[pallet::storage]
	pub type NextParcelId<T: Config> = StorageValue<_, ParcelId, ValueQuery>;

	/// Parcels for sale.
	#[pallet::storage]
	pub type Listings<T: Config> = StorageMap<_, Twox64Concat, ParcelId, ListingOf<T>>;

	/// Entrance passes: the block at which `who`'s pass to a world expires.
	#[pallet::storage]
	pub type Passes<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		WorldId,
		Blake2_128Concat,
		T::AccountId,
		BlockNumberFor<T>,
	>;

	/// The pallet-nfts collection that holds the parcels (created at genesis).
	#[pallet::storage]
	pub type LandCollection<T: Config> = StorageValue<_, u32>;

	#[pallet::genesis_config]
	pub struct GenesisConfig<T: Config> {
		/// The mainland's width in cells.
		pub mainland_width: u32,
		/// The mainland's height in cells.
		pub mainland_height: u32,
		/// Mainland parcels: `(x, y, owner, price)`. No owner: the land office. A price:
		/// listed for sale by the owner at that price.
		pub parcels: Vec<(u32, u32, Option<T::AccountId>, Option<BalanceOf<T>>)>,
	}

	/// A 1024 × 1024 mainland (or `MaxWorldSide` if smaller) with no parcels yet.
	impl<T: Config> Default for GenesisConfig<T> {
		fn default() -> Self {
			let side = T::MaxWorldSide::get().min(1024);
			Self { mainland_width: side, mainland_height: side, parcels: Vec::new() }
		}
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let side_ok = |side: u32| (1..=T::MaxWorldSide::get()).contains(&side);
			assert!(
				side_ok(self.mainland_width) && side_ok(self.mainland_height),
				"the mainland must be 1 ..= MaxWorldSide cells on each side"
			);
			let office = Pallet::<T>::land_office();
			let collection = Pallet::<T>::create_collection(&office, false)
				.expect("the land collection is created on an empty pallet-nfts");
			LandCollection::<T>::put(collection);
			Worlds::<T>::insert(
				MAINLAND,
				World {
					owner: office.clone(),
					width: self.mainland_width,
					height: self.mainland_height,
					entrance_fee: Default::default(),
					deposit: Default::default(),
					parcels: 0,
				},
			);
			NextWorldId::<T>::put(MAINLAND + 1);
			for (x, y, owner, price) in &self.parcels {
				let owner = owner.clone().unwrap_or_else(|| office.clone());
				let parcel = Pallet::<T>::do_mint_parcel(MAINLAND, *x, *y, &owner)
					.expect("genesis parcels are inside the mainland and on distinct cells");
				if let Some(price) = price {
					Pallet::<T>::do_list(parcel, Listing { seller: owner, price: *price })
						.expect("a genesis parcel was just minted, unlisted");
				}
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A planet was created.
		PlanetCreated { world: WorldId, owner: T::AccountId, width: u32, height: u32 },
		/// A world's entrance fee changed.
		EntranceFeeSet { world: WorldId, fee: BalanceOf<T> },
		/// `who` paid `fee` and may enter `world` until block `until`.
		Entered { world: WorldId, who: T::AccountId, fee: BalanceOf<T>, until: BlockNumberFor<T> },
		/// An expired pass entry was removed and its deposit returned.
		PassCleared { world: WorldId, who: T::AccountId },
		/// A parcel was minted.
		ParcelMinted { parcel: ParcelId, world: WorldId, x: u32, y: u32, owner: T::AccountId },
		/// A parcel was put up for sale, or its price changed.
		ParcelListed { parcel: ParcelId, seller: T::AccountId, price: BalanceOf<T> },
		/// A parcel was taken off sale.
		ParcelUnlisted { parcel: ParcelId },
		/// A parcel was sold.
		ParcelSold { parcel: ParcelId, seller: T::AccountId, buyer: T::AccountId, price: BalanceOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No world has this id.
		UnknownWorld,
		/// Only the world's owner (root for the mainland) may do this.
		NotWorldOwner,
		/// A world's width and height must each be between 1 and `MaxWorldSide`.
		BadWorldSize,
		/// The cell is outside the world.
		OutsideWorld,
		/// A parcel already exists at this cell.
		CellTaken,
		/// No parcel has this id.
		UnknownParcel,
		/// Only the parcel's owner may do this.
		NotParcelOwner,
		/// The parcel is not for sale.
		NotForSale,
		/// The parcel changed hands after it was listed; the listing no longer stands.
		StaleListing,
		/// The asking price is above the most the buyer agreed to pay.
		PriceAboveLimit,
		/// The entrance fee is above the most the visitor agreed to pay.
		FeeAboveLimit,
		/// The seller cannot buy their own parcel.
		BuyerIsSeller,
		/// The id space of worlds or parcels is exhausted.
		IdsExhausted,
		/// The land collection does not exist (the chain was not started from a Landmesh
		/// genesis).
		NoLandCollection,
		/// No pass entry for this visitor and world.
		NoPass,
		/// The pass has not expired: it can be cleared once it has.
		PassActive,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Create a planet of `width` × `height` cells owned by the caller, holding
		/// [`Config::PlanetDeposit`] from them.
		#[pallet::call_index(0)]
		#[pallet::weight(<T as Config>::WeightInfo::create_planet())]
		pub fn create_planet(origin: OriginFor<T>, width: u32, height: u32) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let max = T::MaxWorldSide::get();
			ensure!((1..=max).contains(&width) && (1..=max).contains(&height), Error::<T>::BadWorldSize);
			let world = NextWorldId::<T>::get();
			let next = world.checked_add(1).ok_or(Error::<T>::IdsExhausted)?;
			let deposit = T::PlanetDeposit::get();
			<T as Config>::Currency::hold(&HoldReason::PlanetDeposit.into(), &who, deposit)?;
			Worlds::<T>::insert(
				world,
				World { owner: who.clone(), width, height, entrance_fee: Default::default(), deposit, parcels: 0 },
			);
			NextWorldId::<T>::put(next);
			Self::deposit_event(Event::PlanetCreated { world, owner: who, width, height });
			Ok(())
		}

		/// Set what [`enter`](Pallet::enter) costs for a world. World owner (root for the
		/// mainland).
		#[pallet::call_index(1)]
		#[pallet::weight(<T as Config>::WeightInfo::set_entrance_fee())]
		pub fn set_entrance_fee(origin: OriginFor<T>, world: WorldId, fee: BalanceOf<T>) -> DispatchResult {
			Self::ensure_world_owner(origin, world)?;
			Worlds::<T>::mutate(world, |w| {
				if let Some(w) = w {
					w.entrance_fee = fee;
				}
			});
			Self::deposit_event(Event::EntranceFeeSet { world, fee });
			Ok(())
		}

		/// Pay a world's entrance fee (at most `max_fee`, so an owner who raises the fee
		/// meanwhile cannot charge more than the visitor agreed) to its owner and get a pass
		/// for [`Config::PassDuration`] blocks, added to what is left of a current pass.
		#[pallet::call_index(2)]
		#[pallet::weight(<T as Config>::WeightInfo::enter())]
		pub fn enter(origin: OriginFor<T>, world: WorldId, max_fee: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let w = Worlds::<T>::get(world).ok_or(Error::<T>::UnknownWorld)?;
			ensure!(w.owner == who || w.entrance_fee <= max_fee, Error::<T>::FeeAboveLimit);
			if w.owner != who && !w.entrance_fee.is_zero() {
				<T as Config>::Currency::transfer(&who, &w.owner, w.entrance_fee, Preservation::Preserve)?;
			}
			let now = frame_system::Pallet::<T>::block_number();
			let entry = Passes::<T>::get(world, &who);
			if entry.is_none() {
				<T as Config>::Currency::hold(&HoldReason::PassDeposit.into(), &who, T::PassDeposit::get())?;
			}
			let from = entry.filter(|e| *e > now).unwrap_or(now);
			let until = from.saturating_add(T::PassDuration::get());
			Passes::<T>::insert(world, &who, until);
			Self::deposit_event(Event::Entered { world, who, fee: w.entrance_fee, until });
			Ok(())
		}

		/// Remove `who`'s expired pass to `world` and return its deposit to `who`. Anyone.
		#[pallet::call_index(8)]
		#[pallet::weight(<T as Config>::WeightInfo::clear_pass())]
		pub fn clear_pass(origin: OriginFor<T>, world: WorldId, who: T::AccountId) -> DispatchResult {
			ensure_signed(origin)?;
			let until = Passes::<T>::get(world, &who).ok_or(Error::<T>::NoPass)?;
			ensure!(until <= frame_system::Pallet::<T>::block_number(), Error::<T>::PassActive);
			Passes::<T>::remove(world, &who);
			<T as Config>::Currency::release(
				&HoldReason::PassDeposit.into(),
				&who,
				T::PassDeposit::get(),
				frame_support::traits::tokens::Precision::BestEffort,
			)?;
			Self::deposit_event(Event::PassCleared { world, who });
			Ok(())
		}

		/// Mint the parcel at `(x, y)` of a world to `owner`. World owner (root for the
		/// mainland); a planet's owner holds `ParcelDeposit` for it.
		#[pallet::call_index(3)]
		#[pallet::weight(<T as Config>::WeightInfo::mint_parcel())]
		pub fn mint_parcel(
			origin: OriginFor<T>,
			world: WorldId,
			x: u32,
			y: u32,
			owner: AccountIdLookupOf<T>,
		) -> DispatchResult {
			Self::ensure_world_owner(origin, world)?;
			let owner = T::Lookup::lookup(owner)?;
			Self::do_mint_parcel(world, x, y, &owner)?;
			Ok(())
		}

		/// Mint the parcel at `(x, y)` of a world to the world's owner and list it at
		/// `price`. World owner (root for the mainland, whose sales pay the land office).
		#[pallet::call_index(4)]
		#[pallet::weight(<T as Config>::WeightInfo::mint_parcel_for_sale())]
		pub fn mint_parcel_for_sale(
			origin: OriginFor<T>,
			world: WorldId,
			x: u32,
			y: u32,
			price: BalanceOf<T>,
		) -> DispatchResult {
			let w = Self::ensure_world_owner(origin, world)?;
			let parcel = Self::do_mint_parcel(world, x, y, &w.owner)?;
			Self::do_list(parcel, Listing { seller: w.owner.clone(), price })?;
			Self::deposit_event(Event::ParcelListed { parcel, seller: w.owner, price });
			Ok(())
		}

		/// Offer a parcel for sale at `price`, or change its price. Parcel owner.
		#[pallet::call_index(5)]
		#[pallet::weight(<T as Config>::WeightInfo::list_parcel())]
		pub fn list_parcel(origin: OriginFor<T>, parcel: ParcelId, price: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::ensure_parcel_owner(&who, parcel)?;
			Self::do_list(parcel, Listing { seller: who.clone(), price })?;
			Self::deposit_event(Event::ParcelListed { parcel, seller: who, price });
			Ok(())
		}

		/// Take a parcel off sale. Parcel owner.
		#[pallet::call_index(6)]
		#[pallet::weight(<T as Config>::WeightInfo::unlist_parcel())]
		pub fn unlist_parcel(origin: OriginFor<T>, parcel: ParcelId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::ensure_parcel_owner(&who, parcel)?;
			Self::do_unlist(parcel)?.ok_or(Error::<T>::NotForSale)?;
			Self::deposit_event(Event::ParcelUnlisted { parcel });
			Ok(())
		}

		/// Buy a listed parcel, paying its price (at most `max_price`, so a seller who
		/// reprices meanwhile cannot charge more than the buyer agreed) to the seller.
		#[pallet::call_index(7)]
		#[pallet::weight(<T as Config>::WeightInfo::buy_parcel())]
		pub fn buy_parcel(origin: OriginFor<T>, parcel: ParcelId, max_price: BalanceOf<T>) -> DispatchResult {
			let buyer = ensure_signed(origin)?;
			let listing = Listings::<T>::get(parcel).ok_or(Error::<T>::NotForSale)?;
			let owner = Self::parcel_owner(parcel).ok_or(Error::<T>::UnknownParcel)?;
			ensure!(owner == listing.seller, Error::<T>::StaleListing);
			ensure!(buyer != listing.seller, Error::<T>::BuyerIsSeller);
			ensure!(listing.price <= max_price, Error::<T>::PriceAboveLimit);
			<T as Config>::Currency::transfer(&buyer, &listing.seller, listing.price, Preservation::Preserve)?;
			Self::do_unlist(parcel)?;
			pallet_nfts::Pallet::<T>::do_transfer(Self::land_collection()?, parcel, buyer.clone(), |_, _| Ok(()))?;
			Self::deposit_event(Event::ParcelSold { parcel, seller: listing.seller, buyer, price: listing.price });
			Ok(())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Lists a parcel. A listed parcel's transfers (through pallet-nfts) are locked until it
	/// is sold or unlisted, so a listing never outlives a transfer: a parcel that went away
	/// and came back is not on sale at an old price.
	fn do_list(parcel: ParcelId, listing: Listing<T::AccountId, BalanceOf<T>>) -> polkadot_sdk::frame_support::dispatch::DispatchResult {
		use polkadot_sdk::frame_support::traits::tokens::nonfungibles_v2::Transfer;
		if !Listings::<T>::contains_key(parcel) {
			<pallet_nfts::Pallet<T> as Transfer<T::AccountId>>::disable_transfer(&Self::land_collection()?, &parcel)?;
		}
		Listings::<T>::insert(parcel, listing);
		Ok(())
	}

	/// Takes a parcel off sale and unlocks its transfers; the listing it had, if any.
	fn do_unlist(parcel: ParcelId) -> Result<Option<Listing<T::AccountId, BalanceOf<T>>>, DispatchError> {
		use polkadot_sdk::frame_support::traits::tokens::nonfungibles_v2::Transfer;
		let Some(listing) = Listings::<T>::take(parcel) else { return Ok(None) };
		<pallet_nfts::Pallet<T> as Transfer<T::AccountId>>::enable_transfer(&Self::land_collection()?, &parcel)?;
		Ok(Some(listing))
	}

	/// The land office: owns the mainland and the land collection; root acts for it.
	pub fn land_office() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// The pallet-nfts collection of parcels.
	pub fn land_collection() -> Result<u32, Error<T>> {
		LandCollection::<T>::get().ok_or(Error::<T>::NoLandCollection)
	}

	/// The owner of a parcel, as pallet-nfts records it.
	pub fn parcel_owner(parcel: ParcelId) -> Option<T::AccountId> {
		pallet_nfts::Pallet::<T>::owner(LandCollection::<T>::get()?, parcel)
	}

	/// Whether `who` may enter `world` now: its owner, or a holder of an unexpired pass.
	pub fn has_pass(world: WorldId, who: &T::AccountId) -> bool {
		match Worlds::<T>::get(world) {
			Some(w) if &w.owner == who => true,
			Some(_) => Passes::<T>::get(world, who)
				.map_or(false, |until| until > frame_system::Pallet::<T>::block_number()),
			None => false,
		}
	}

	/// Creates a pallet-nfts collection owned and administered by `owner`, whose items
	/// only the pallets mint. With `item_deposits`, each item holds pallet-nfts'
	/// `ItemDeposit` from the account it is minted to. No collection deposit is taken: the
	/// collections are created once, at genesis.
	pub fn create_collection(owner: &T::AccountId, item_deposits: bool) -> Result<u32, DispatchError> {
		use pallet_nfts::{CollectionConfig, CollectionSetting, CollectionSettings, MintSettings};
		let settings = if item_deposits {
			CollectionSettings::all_enabled()
		} else {
			CollectionSettings::from_disabled(CollectionSetting::DepositRequired.into())
		};
		let config: CollectionConfigOf<T> =
			CollectionConfig { settings, max_supply: None, mint_settings: MintSettings::default() };
		let id = pallet_nfts::NextCollectionId::<T>::get().unwrap_or_default();
		pallet_nfts::Pallet::<T>::do_create_collection(
			id,
			owner.clone(),
			owner.clone(),
			config,
			Default::default(),
			pallet_nfts::Event::ForceCreated { collection: id, owner: owner.clone() },
		)?;
		pallet_nfts::NextCollectionId::<T>::put(id.checked_add(1).ok_or(Error::<T>::IdsExhausted)?);
		Ok(id)
	}

	/// The world if `origin` may act as its owner: root for the mainland, the owner for a
	/// planet.
	fn ensure_world_owner(origin: T::RuntimeOrigin, world: WorldId) -> Result<WorldOf<T>, DispatchError> {
		use frame_support::traits::EnsureOrigin;
		let w = Worlds::<T>::get(world).ok_or(Error::<T>::UnknownWorld)?;
		if world == MAINLAND {
			T::MainlandOrigin::ensure_origin(origin).map_err(|_| Error::<T>::NotWorldOwner)?;
		} else {
			let who = frame_system::ensure_signed(origin)?;
			frame_support::ensure!(who == w.owner, Error::<T>::NotWorldOwner);
		}
		Ok(w)
	}

	fn ensure_parcel_owner(who: &T::AccountId, parcel: ParcelId) -> Result<(), DispatchError> {
		let owner = Self::parcel_owner(parcel).ok_or(Error::<T>::UnknownParcel)?;
		frame_support::ensure!(&owner == who, Error::<T>::NotParcelOwner);
		Ok(())
	}

	/// Mints the parcel at a cell to `owner`: the NFT, the grid index, the world's count.
	fn do_mint_parcel(world: WorldId, x: u32, y: u32, owner: &T::AccountId) -> Result<ParcelId, DispatchError> {
		let mut w = Worlds::<T>::get(world).ok_or(Error::<T>::UnknownWorld)?;
		frame_support::ensure!(x < w.width && y < w.height, Error::<T>::OutsideWorld);
		frame_support::ensure!(!ParcelAt::<T>::contains_key(world, (x, y)), Error::<T>::CellTaken);
		let parcel = NextParcelId::<T>::get();
		let next = parcel.checked_add(1).ok_or(Error::<T>::IdsExhausted)?;
		if world != MAINLAND {
			<T as Config>::Currency::hold(&HoldReason::ParcelDeposit.into(), &w.owner, T::ParcelDeposit::get())?;
		}
		pallet_nfts::Pallet::<T>::do_mint(
			Self::land_collection()?,
			parcel,
			None,
			owner.clone(),
			pallet_nfts::ItemConfig { settings: pallet_nfts::ItemSettings::all_enabled() },
			|_, _| Ok(()),
		)?;
		NextParcelId::<T>::put(next);
		Parcels::<T>::insert(parcel, Parcel { world, x, y });
		ParcelAt::<T>::insert(world, (x, y), parcel);
		w.parcels = w.parcels.saturating_add(1);
		Worlds::<T>::insert(world, w);
		Self::deposit_event(Event::ParcelMinted { parcel, world, x, y, owner: owner.clone() });
		Ok(parcel)
	}

	/// A world as a client sees it.
	pub fn world_view(world: WorldId) -> Option<WorldView<T::AccountId, BalanceOf<T>>> {
		Worlds::<T>::get(world).map(|w| WorldView {
			id: world,
			owner: w.owner,
			width: w.width,
			height: w.height,
			entrance_fee: w.entrance_fee,
			parcels: w.parcels,
		})
	}

	/// A parcel as a client sees it.
	pub fn parcel_view(parcel: ParcelId) -> Option<ParcelView<T::AccountId, BalanceOf<T>>> {
		let Parcel { world, x, y } = Parcels::<T>::get(parcel)?;
		let owner = Self::parcel_owner(parcel)?;
		// A stale listing (the parcel changed hands) is not an offer; don't show it as one.
		let price = Listings::<T>::get(parcel).filter(|l| l.seller == owner).map(|l| l.price);
		Some(ParcelView { id: parcel, world, x, y, owner, price })
	}

	/// The parcel at a cell, as a client sees it.
	pub fn parcel_at(world: WorldId, x: u32, y: u32) -> Option<ParcelView<T::AccountId, BalanceOf<T>>> {
		Self::parcel_view(ParcelAt::<T>::get(world, (x, y))?)
	}

	/// The parcels in a region, row by row, after checking the region against its world
	/// and [`Config::MaxRegionCells`].
	pub fn parcels_in_region(region: Region) -> Result<Vec<ParcelView<T::AccountId, BalanceOf<T>>>, RegionError> {
		let w = Worlds::<T>::get(region.world).ok_or(RegionError::UnknownWorld)?;
		region.check(w.width, w.height, T::MaxRegionCells::get())?;
		Ok(region
			.iter_cells()
			.filter_map(|(x, y)| ParcelAt::<T>::get(region.world, (x, y)))
			.filter_map(Self::parcel_view)
			.collect())
	}

	/// The invariants: the grid index and pallet-nfts hold the same parcels, every parcel
	/// is inside its world, worlds count their parcels, listings name existing parcels.
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
		use frame_support::ensure;
		let collection = LandCollection::<T>::get().ok_or("no land collection")?;
		let mut per_world = alloc::collections::BTreeMap::<WorldId, u32>::new();
		let mut parcels = 0u32;
		for (parcel, Parcel { world, x, y }) in Parcels::<T>::iter() {
			ensure!(ParcelAt::<T>::get(world, (x, y)) == Some(parcel), "grid index disagrees with a parcel");
			ensure!(pallet_nfts::Pallet::<T>::owner(collection, parcel).is_some(), "parcel missing from pallet-nfts");
			let w = Worlds::<T>::get(world).ok_or("parcel in an unknown world")?;
			ensure!(x < w.width && y < w.height, "parcel outside its world");
			*per_world.entry(world).or_default() += 1;
			parcels += 1;
		}
		ensure!(ParcelAt::<T>::iter().count() as u32 == parcels, "grid index has cells without parcels");
		ensure!(
			pallet_nfts::Item::<T>::iter_prefix(collection).count() as u32 == parcels,
			"pallet-nfts holds land items the grid index does not know"
		);
		for (id, w) in Worlds::<T>::iter() {
			ensure!(per_world.get(&id).copied().unwrap_or(0) == w.parcels, "world parcel count is wrong");
		}
		for (parcel, _) in Listings::<T>::iter() {
			ensure!(Parcels::<T>::contains_key(parcel), "listing of an unknown parcel");
		}
		use frame_support::traits::fungible::InspectHold;
		let mut passes = alloc::collections::BTreeMap::<T::AccountId, u32>::new();
		for (_, who, _) in Passes::<T>::iter() {
			*passes.entry(who).or_default() += 1;
		}
		for (who, n) in passes {
			let held = <T as Config>::Currency::balance_on_hold(&HoldReason::PassDeposit.into(), &who);
			ensure!(held == T::PassDeposit::get().saturating_mul(n.into()), "pass deposits differ from the entries");
		}
		Ok(())
	}
}
