//! # Models
//!
//! 3D models as NFTs, and where they stand in the world.
//!
//! A model is an item of the model collection of pallet-nfts (so it is owned, transferred
//! and approved like any NFT) that records the content it renders: a [`ContentId`] (the
//! BLAKE3 root the mesh serves it by), its size, its [`ModelFormat`], a name, and an
//! [`AccessRule`] saying who may fetch it. Minting holds pallet-nfts' item deposit from
//! the minter until the model is burned.
//!
//! A parcel's owner places models on the parcel with a [`Transform`], moves and removes
//! them. A model can stand on many parcels (one model, many instances); a parcel holds at
//! most [`Config::MaxPlacementsPerParcel`] and a model at most
//! [`Config::MaxInstancesPerModel`], which bounds the cost of burning it, since burning a
//! model removes every instance.
//!
//! [`Pallet::models_in_region`] answers the renderer's question: for a rectangle of a
//! world, the parcels, their owners, and every model placed on them, in one call.
//!
//! ## Who a content id belongs to
//!
//! The gateway serves a content id by the model that *governs* it
//! ([`Pallet::model_of_content`]): that model's access rule decides who may fetch the data
//! and its format decides the media type. The rule:
//!
//! - A content id is bound to the owner of its **first-minted live model**, the live model
//!   naming it with the lowest [`ModelId`] (ids only grow, so that is the oldest). That model
//!   governs the content, and `model_of_content` returns exactly it, never another.
//! - Minting a model of a content id that already has a live model is allowed only to the
//!   current owner of the governing model (as pallet-nfts records it, so the right moves with
//!   the NFT); anyone else fails with [`Error::ContentBoundToOther`]. Otherwise another
//!   account could mint a `Public` model of gated content and, had that model governed it,
//!   open the content to everyone or change its media type.
//! - Burning the governing model hands the content to the next-lowest live model of it,
//!   whoever holds that one. Once every model of it is burned the content is free again:
//!   anyone may mint its first model.
//! - At most [`Config::MaxModelsPerContent`] live models name one content id
//!   ([`Error::TooManyModelsOfContent`]), which bounds the index read behind every mint and
//!   every `model_of_content`.
//!
//! Genesis models are minted by the same code, so the rule holds for them too.

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
pub mod types;
pub mod weights;

use alloc::{string::String, vec::Vec};
use landmesh_primitives::{
	AccessRule, ContentId, ModelFormat, ModelId, ModelView, ParcelId, ParcelScene, PlacedModel, RegionScene,
	PlacementId, Region, RegionError, Transform, TransformError, MAINLAND,
};
use pallet_land::BalanceOf;
use polkadot_sdk::{
	frame_support::{self, traits::Get},
	frame_system, pallet_nfts,
	sp_runtime::DispatchError,
};

/// A model as stored.
pub type ModelOf<T> = Model<<T as frame_system::Config>::AccountId, <T as Config>::MaxNameLength>;
/// An access rule naming this runtime's accounts.
pub type AccessRuleOf<T> = AccessRule<<T as frame_system::Config>::AccountId>;
/// A model of the genesis config: owner, content, size, format, name, access rule, and the
/// mainland cells `(x, y)` to place it on with their transforms.
pub type GenesisModel<AccountId> =
	(AccountId, ContentId, u64, ModelFormat, String, AccessRule<AccountId>, Vec<(u32, u32, Transform)>);

/// Something that ends with a burnt model (the runtime closes its storage orders).
pub trait OnModelBurnt<AccountId> {
	/// `model` is being burnt by its owner `owner`; an error refuses the burn.
	fn model_burnt(model: ModelId, owner: &AccountId) -> polkadot_sdk::sp_runtime::DispatchResult;
	/// The most [`model_burnt`](Self::model_burnt) costs.
	fn weight() -> polkadot_sdk::frame_support::weights::Weight;
}

impl<AccountId> OnModelBurnt<AccountId> for () {
	fn model_burnt(_: ModelId, _: &AccountId) -> polkadot_sdk::sp_runtime::DispatchResult {
		Ok(())
	}
	fn weight() -> polkadot_sdk::frame_support::weights::Weight {
		polkadot_sdk::frame_support::weights::Weight::zero()
	}
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config + pallet_land::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>>
			+ IsType<<Self as polkadot_sdk::frame_system::Config>::RuntimeEvent>;
		/// The longest model name, in bytes.
		#[pallet::constant]
		type MaxNameLength: Get<u32>;
		/// The largest model, in bytes.
		#[pallet::constant]
		type MaxModelSize: Get<u64>;
		/// The most model instances one parcel holds.
		#[pallet::constant]
		type MaxPlacementsPerParcel: Get<u32>;
		/// The most instances of one model in the world.
		#[pallet::constant]
		type MaxInstancesPerModel: Get<u32>;
		/// The most live models that may name one content id (all of them its governing
		/// model's owner's). Bounds the prefix read of [`ModelsByContent`] that minting and
		/// [`Pallet::model_of_content`] do. At least 1.
		#[pallet::constant]
		type MaxModelsPerContent: Get<u32>;
		/// What else ends with a burnt model (its storage orders, in the Landmesh runtime).
		type OnBurn: OnModelBurnt<Self::AccountId>;
		/// Weights from this pallet's benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Every model by id.
	#[pallet::storage]
	pub type Models<T: Config> = StorageMap<_, Twox64Concat, ModelId, ModelOf<T>>;

	/// The id the next model gets (its item id in the model collection).
	#[pallet::storage]
	pub type NextModelId<T: Config> = StorageValue<_, ModelId, ValueQuery>;

	/// The models placed on each parcel, in placement order.
	#[pallet::storage]
	pub type Placements<T: Config> = StorageMap<
		_,
		Twox64Concat,
		ParcelId,
		BoundedVec<Placement, T::MaxPlacementsPerParcel>,
		ValueQuery,
	>;

	/// The id the next placement gets.
	#[pallet::storage]
	pub type NextPlacementId<T: Config> = StorageValue<_, PlacementId, ValueQuery>;

	/// How many instances of a model stand on a parcel: the reverse index that lets
	/// `burn_model` find its instances without scanning the world.
	#[pallet::storage]
	pub type Instances<T: Config> =
		StorageDoubleMap<_, Twox64Concat, ModelId, Twox64Concat, ParcelId, u32, ValueQuery>;

	/// How many instances of a model stand anywhere.
	#[pallet::storage]
	pub type InstanceCount<T: Config> = StorageMap<_, Twox64Concat, ModelId, u32, ValueQuery>;

	/// The pallet-nfts collection that holds the models (created at genesis).
	#[pallet::storage]
	pub type ModelCollection<T: Config> = StorageValue<_, u32>;

	/// The live models whose data is each content: the index behind
	/// [`Pallet::model_of_content`] and the mint-time binding check. At most
	/// `MaxModelsPerContent` entries under one content; the one with the lowest model id
	/// governs the content (see the module docs).
	///
	/// The second key's `Twox64Concat` orders a content's entries by hash, not by id, so no
	/// reader may take the first entry as the governing model: they read the whole prefix
	/// (bounded) and take the lowest id. No counter map either: the count comes from the
	/// same prefix read the governing-model lookup needs anyway, so a counter would only
	/// add a read and a write to every mint and burn.
	#[pallet::storage]
	pub type ModelsByContent<T: Config> =
		StorageDoubleMap<_, Identity, ContentId, Twox64Concat, ModelId, (), OptionQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Models to mint, and where on the mainland to place them.
		pub models: Vec<GenesisModel<T::AccountId>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let office = pallet_land::Pallet::<T>::land_office();
			let collection = pallet_land::Pallet::<T>::create_collection(&office, true)
				.expect("the model collection is created after the land collection");
			ModelCollection::<T>::put(collection);
			for (owner, content_id, size, format, name, access, cells) in &self.models {
				let name = name.as_bytes().to_vec().try_into().expect("genesis model names fit MaxNameLength");
				let model = Pallet::<T>::do_mint_model(owner, *content_id, *size, *format, name, access.clone())
					.expect(
						"genesis models are valid, obey the content binding (a content's models share \
						 its first model's owner, at most MaxModelsPerContent of them) and their owners \
						 can pay the item deposit",
					);
				for (x, y, transform) in cells {
					let parcel = pallet_land::ParcelAt::<T>::get(MAINLAND, (x, y))
						.expect("genesis models stand on genesis parcels");
					Pallet::<T>::do_place(parcel, model, *transform).expect("genesis placements are valid");
				}
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A model was minted.
		ModelMinted { model: ModelId, owner: T::AccountId, content_id: ContentId, size: u64 },
		/// A model's access rule changed.
		AccessChanged { model: ModelId, access: AccessRuleOf<T> },
		/// A model was placed on a parcel.
		ModelPlaced { parcel: ParcelId, placement: PlacementId, model: ModelId, transform: Transform },
		/// A placed model was moved.
		ModelMoved { parcel: ParcelId, placement: PlacementId, transform: Transform },
		/// A placed model was removed from its parcel.
		ModelRemoved { parcel: ParcelId, placement: PlacementId, model: ModelId },
		/// A model was burned, and this many of its instances removed.
		ModelBurned { model: ModelId, instances_removed: u32 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// A model's size must be at least one byte.
		EmptyContent,
		/// The model is larger than `MaxModelSize`.
		ContentTooLarge,
		/// A model's name must not be empty.
		EmptyName,
		/// A model's name must be UTF-8.
		NameNotUtf8,
		/// The access rule names a world that does not exist.
		UnknownWorld,
		/// No model has this id.
		UnknownModel,
		/// Only the model's owner may do this.
		NotModelOwner,
		/// No parcel has this id.
		UnknownParcel,
		/// Only the parcel's owner may do this.
		NotParcelOwner,
		/// Only a model's owner may place it, unless its access rule is `Public`.
		NotPlaceable,
		/// The transform's anchor is off the parcel or beyond the altitude limit.
		PositionOffParcel,
		/// A rotation angle is beyond a half turn.
		RotationOutOfRange,
		/// A scale is zero or beyond the maximum.
		ScaleOutOfRange,
		/// The parcel already holds `MaxPlacementsPerParcel` models.
		ParcelFull,
		/// The model already stands `MaxInstancesPerModel` times.
		TooManyInstances,
		/// The parcel has no placement with this id.
		UnknownPlacement,
		/// The id space of models or placements is exhausted.
		IdsExhausted,
		/// The model collection does not exist (the chain was not started from a Landmesh
		/// genesis).
		NoModelCollection,
		/// The content id is already bound to another account's model: only the owner of its
		/// first model (the live model of it with the lowest id) may mint more models of it.
		ContentBoundToOther,
		/// The content id is already named by `MaxModelsPerContent` live models.
		TooManyModelsOfContent,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxModelsPerContent::get() >= 1, "MaxModelsPerContent must allow a content's first model");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Mint a model to the caller: the content it renders, its size and format, a
		/// name, and who may fetch it. Holds pallet-nfts' item deposit from the caller.
		///
		/// If live models of `content_id` exist, the caller must own the one governing it
		/// (its lowest id), and fewer than `MaxModelsPerContent` may exist.
		#[pallet::call_index(0)]
		#[pallet::weight(<T as Config>::WeightInfo::mint_model())]
		pub fn mint_model(
			origin: OriginFor<T>,
			content_id: ContentId,
			size: u64,
			format: ModelFormat,
			name: BoundedVec<u8, T::MaxNameLength>,
			access: AccessRuleOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_mint_model(&who, content_id, size, format, name, access)?;
			Ok(())
		}

		/// Change who may fetch a model's data. Model owner.
		#[pallet::call_index(1)]
		#[pallet::weight(<T as Config>::WeightInfo::set_access())]
		pub fn set_access(origin: OriginFor<T>, model: ModelId, access: AccessRuleOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::ensure_model_owner(&who, model)?;
			Self::check_access(&access)?;
			Models::<T>::mutate(model, |m| {
				if let Some(m) = m {
					m.access = access.clone();
				}
			});
			Self::deposit_event(Event::AccessChanged { model, access });
			Ok(())
		}

		/// Place a model on a parcel. Parcel owner, who must also own the model unless the
		/// model is public; others than its owner may fill half of a model's
		/// `MaxInstancesPerModel`.
		#[pallet::call_index(2)]
		#[pallet::weight(<T as Config>::WeightInfo::place_model())]
		pub fn place_model(
			origin: OriginFor<T>,
			parcel: ParcelId,
			model: ModelId,
			transform: Transform,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::ensure_parcel_owner(&who, parcel)?;
			let record = Models::<T>::get(model).ok_or(Error::<T>::UnknownModel)?;
			let model_owner = Self::model_owner(model).ok_or(Error::<T>::UnknownModel)?;
			ensure!(model_owner == who || record.access == AccessRule::Public, Error::<T>::NotPlaceable);
			// Strangers placing a public model may fill half of its instances, never the
			// rest: its owner cannot be locked out of placing its own model.
			ensure!(
				model_owner == who || InstanceCount::<T>::get(model) < T::MaxInstancesPerModel::get() / 2,
				Error::<T>::TooManyInstances
			);
			Self::do_place(parcel, model, transform)?;
			Ok(())
		}

		/// Move a placed model. Parcel owner.
		#[pallet::call_index(3)]
		#[pallet::weight(<T as Config>::WeightInfo::move_model())]
		pub fn move_model(
			origin: OriginFor<T>,
			parcel: ParcelId,
			placement: PlacementId,
			transform: Transform,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::ensure_parcel_owner(&who, parcel)?;
			Self::check_transform(&transform)?;
			Placements::<T>::try_mutate(parcel, |placed| -> DispatchResult {
				let p = placed.iter_mut().find(|p| p.id == placement).ok_or(Error::<T>::UnknownPlacement)?;
				p.transform = transform;
				Ok(())
			})?;
			Self::deposit_event(Event::ModelMoved { parcel, placement, transform });
			Ok(())
		}

		/// Remove a placed model from its parcel (the model itself stays). Parcel owner.
		#[pallet::call_index(4)]
		#[pallet::weight(<T as Config>::WeightInfo::remove_model())]
		pub fn remove_model(origin: OriginFor<T>, parcel: ParcelId, placement: PlacementId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::ensure_parcel_owner(&who, parcel)?;
			let model = Placements::<T>::try_mutate(parcel, |placed| -> Result<ModelId, DispatchError> {
				let at = placed.iter().position(|p| p.id == placement).ok_or(Error::<T>::UnknownPlacement)?;
				Ok(placed.remove(at).model)
			})?;
			Instances::<T>::mutate_exists(model, parcel, |n| {
				*n = n.and_then(|n| n.checked_sub(1)).filter(|n| *n > 0);
			});
			InstanceCount::<T>::mutate_exists(model, |n| {
				*n = n.and_then(|n| n.checked_sub(1)).filter(|n| *n > 0);
			});
			Self::deposit_event(Event::ModelRemoved { parcel, placement, model });
			Ok(())
		}

		/// Burn a model: its NFT, its record, and every instance of it in the world, and
		/// whatever [`Config::OnBurn`] ends with it (its storage orders, which refund the
		/// owner). Model owner. Returns pallet-nfts' item deposit to whoever paid it.
		#[pallet::call_index(5)]
		#[pallet::weight(<T as Config>::WeightInfo::burn_model(T::MaxInstancesPerModel::get()).saturating_add(T::OnBurn::weight()))]
		pub fn burn_model(origin: OriginFor<T>, model: ModelId) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::ensure_model_owner(&who, model)?;
			T::OnBurn::model_burnt(model, &who)?;
			pallet_nfts::Pallet::<T>::do_burn(Self::model_collection()?, model, |_| Ok(()))?;
			if let Some(m) = Models::<T>::take(model) {
				ModelsByContent::<T>::remove(m.content_id, model);
			}
			let mut removed = 0u32;
			for (parcel, _) in Instances::<T>::drain_prefix(model) {
				Placements::<T>::mutate(parcel, |placed| {
					let before = placed.len();
					placed.retain(|p| p.model != model);
					removed = removed.saturating_add((before - placed.len()) as u32);
				});
			}
			InstanceCount::<T>::remove(model);
			Self::deposit_event(Event::ModelBurned { model, instances_removed: removed });
			Ok(Some(<T as Config>::WeightInfo::burn_model(removed).saturating_add(T::OnBurn::weight())).into())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The pallet-nfts collection of models.
	pub fn model_collection() -> Result<u32, Error<T>> {
		ModelCollection::<T>::get().ok_or(Error::<T>::NoModelCollection)
	}

	/// The owner of a model, as pallet-nfts records it.
	pub fn model_owner(model: ModelId) -> Option<T::AccountId> {
		pallet_nfts::Pallet::<T>::owner(ModelCollection::<T>::get()?, model)
	}

	/// Whether a pallet-nfts collection is one of the world's (land or models), whose items
	/// only the world pallets may burn: the runtime's call filter asks this.
	pub fn is_world_collection(collection: u32) -> bool {
		pallet_land::LandCollection::<T>::get() == Some(collection) ||
			ModelCollection::<T>::get() == Some(collection)
	}

	fn ensure_model_owner(who: &T::AccountId, model: ModelId) -> Result<(), DispatchError> {
		let owner = Self::model_owner(model).ok_or(Error::<T>::UnknownModel)?;
		frame_support::ensure!(&owner == who, Error::<T>::NotModelOwner);
		Ok(())
	}

	fn ensure_parcel_owner(who: &T::AccountId, parcel: ParcelId) -> Result<(), DispatchError> {
		let owner = pallet_land::Pallet::<T>::parcel_owner(parcel).ok_or(Error::<T>::UnknownParcel)?;
		frame_support::ensure!(&owner == who, Error::<T>::NotParcelOwner);
		Ok(())
	}

	fn check_access(access: &AccessRuleOf<T>) -> Result<(), Error<T>> {
		match access {
			AccessRule::WorldPass(world) if !pallet_land::Worlds::<T>::contains_key(world) =>
				Err(Error::<T>::UnknownWorld),
			_ => Ok(()),
		}
	}

	fn check_transform(transform: &Transform) -> Result<(), Error<T>> {
		transform.check().map_err(|e| match e {
			TransformError::PositionOffParcel => Error::<T>::PositionOffParcel,
			TransformError::RotationOutOfRange => Error::<T>::RotationOutOfRange,
			TransformError::ScaleOutOfRange => Error::<T>::ScaleOutOfRange,
		})
	}

	/// The ids of the models naming `content_id`, lowest first: the first one that is
	/// live governs the content. One read of the content's index prefix, which
	/// `ensure_may_mint_content` keeps to at most `MaxModelsPerContent` keys.
	fn models_naming(content_id: &ContentId) -> Vec<ModelId> {
		let mut models: Vec<ModelId> = ModelsByContent::<T>::iter_key_prefix(content_id).collect();
		models.sort_unstable();
		models
	}

	/// The binding check of minting a model of `content_id`: if live models of it exist,
	/// `who` must own the governing one and there must be room for one more.
	fn ensure_may_mint_content(who: &T::AccountId, content_id: &ContentId) -> Result<(), Error<T>> {
		let models = Self::models_naming(content_id);
		// The index names only live models (see `do_try_state`); skipping an entry whose NFT
		// is gone keeps the rule "the lowest *live* model governs" even if it did not.
		if let Some(owner) = models.iter().find_map(|model| Self::model_owner(*model)) {
			frame_support::ensure!(&owner == who, Error::<T>::ContentBoundToOther);
		}
		let count = u32::try_from(models.len()).unwrap_or(u32::MAX);
		frame_support::ensure!(count < T::MaxModelsPerContent::get(), Error::<T>::TooManyModelsOfContent);
		Ok(())
	}

	fn do_mint_model(
		who: &T::AccountId,
		content_id: ContentId,
		size: u64,
		format: ModelFormat,
		name: frame_support::BoundedVec<u8, T::MaxNameLength>,
		access: AccessRuleOf<T>,
	) -> Result<ModelId, DispatchError> {
		use frame_support::ensure;
		ensure!(size > 0, Error::<T>::EmptyContent);
		ensure!(size <= T::MaxModelSize::get(), Error::<T>::ContentTooLarge);
		ensure!(!name.is_empty(), Error::<T>::EmptyName);
		ensure!(core::str::from_utf8(&name).is_ok(), Error::<T>::NameNotUtf8);
		Self::check_access(&access)?;
		Self::ensure_may_mint_content(who, &content_id)?;
		let model = NextModelId::<T>::get();
		let next = model.checked_add(1).ok_or(Error::<T>::IdsExhausted)?;
		pallet_nfts::Pallet::<T>::do_mint(
			Self::model_collection()?,
			model,
			Some(who.clone()),
			who.clone(),
			pallet_nfts::ItemConfig { settings: pallet_nfts::ItemSettings::all_enabled() },
			|_, _| Ok(()),
		)?;
		NextModelId::<T>::put(next);
		Models::<T>::insert(model, Model { content_id, size, format, name, access });
		ModelsByContent::<T>::insert(content_id, model, ());
		Self::deposit_event(Event::ModelMinted { model, owner: who.clone(), content_id, size });
		Ok(model)
	}

	/// Places an existing model on an existing parcel, enforcing the bounds.
	fn do_place(parcel: ParcelId, model: ModelId, transform: Transform) -> Result<PlacementId, DispatchError> {
		use frame_support::ensure;
		ensure!(pallet_land::Parcels::<T>::contains_key(parcel), Error::<T>::UnknownParcel);
		ensure!(Models::<T>::contains_key(model), Error::<T>::UnknownModel);
		Self::check_transform(&transform)?;
		let instances = InstanceCount::<T>::get(model);
		ensure!(instances < T::MaxInstancesPerModel::get(), Error::<T>::TooManyInstances);
		let placement = NextPlacementId::<T>::get();
		let next = placement.checked_add(1).ok_or(Error::<T>::IdsExhausted)?;
		Placements::<T>::try_mutate(parcel, |placed| {
			placed.try_push(Placement { id: placement, model, transform }).map_err(|_| Error::<T>::ParcelFull)
		})?;
		NextPlacementId::<T>::put(next);
		Instances::<T>::mutate(model, parcel, |n| *n = n.saturating_add(1));
		InstanceCount::<T>::insert(model, instances + 1);
		Self::deposit_event(Event::ModelPlaced { parcel, placement, model, transform });
		Ok(placement)
	}

	/// A model as a client sees it.
	pub fn model_view(model: ModelId) -> Option<ModelView<T::AccountId>> {
		let m = Models::<T>::get(model)?;
		Some(ModelView {
			id: model,
			owner: Self::model_owner(model)?,
			content_id: m.content_id,
			size: m.size,
			format: m.format,
			// Checked to be UTF-8 when minted.
			name: String::from_utf8_lossy(&m.name).into_owned(),
			access: m.access,
			// The storage pallet's, which the runtime's view adds.
			storage: Default::default(),
		})
	}

	/// The model that governs `content_id`: of the live models whose data it is, the one
	/// with the lowest id (the first minted), never another. Its access rule decides who may
	/// fetch the content and its format the media type. `None` if no live model names it.
	pub fn model_of_content(content_id: &ContentId) -> Option<ModelView<T::AccountId>> {
		Self::models_naming(content_id).into_iter().find_map(Self::model_view)
	}

	/// The models `owner` holds, from pallet-nfts' owner index (a prefix read, not a
	/// scan): what a node linked to this wallet pins.
	pub fn models_of(owner: &T::AccountId) -> Vec<ModelView<T::AccountId>> {
		let Some(collection) = ModelCollection::<T>::get() else { return Vec::new() };
		pallet_nfts::Account::<T>::iter_key_prefix((owner.clone(), collection))
			.filter_map(Self::model_view)
			.collect()
	}

	/// The parcels of a region with their model instances, and every model placed there
	/// once: what a renderer draws. Each model is read from storage once per query.
	pub fn models_in_region(region: Region) -> Result<RegionScene<T::AccountId, BalanceOf<T>>, RegionError> {
		let parcels = pallet_land::Pallet::<T>::parcels_in_region(region)?;
		let mut models = alloc::collections::BTreeMap::<ModelId, Option<ModelView<T::AccountId>>>::new();
		let parcels = parcels
			.into_iter()
			.map(|parcel| {
				let placements = Placements::<T>::get(parcel.id)
					.into_iter()
					// A placement always names an existing model (see `do_try_state`); the
					// filter keeps the answer self-consistent regardless.
					.filter(|p| models.entry(p.model).or_insert_with(|| Self::model_view(p.model)).is_some())
					.map(|p| PlacedModel { placement: p.id, model: p.model, transform: p.transform })
					.collect();
				ParcelScene { parcel, placements }
			})
			.collect();
		Ok(RegionScene { parcels, models: models.into_values().flatten().collect() })
	}

	/// The invariants: placements point at existing parcels and models, the instance
	/// indexes count them exactly, the model records and pallet-nfts hold the same models,
	/// the content index files each model exactly once, under its content, and no content
	/// is named by more than `MaxModelsPerContent` models.
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
		use alloc::collections::BTreeMap;
		use frame_support::ensure;
		let collection = ModelCollection::<T>::get().ok_or("no model collection")?;
		let mut counted = BTreeMap::<(ModelId, ParcelId), u32>::new();
		for (parcel, placed) in Placements::<T>::iter() {
			ensure!(pallet_land::Parcels::<T>::contains_key(parcel), "placement on an unknown parcel");
			for p in placed {
				ensure!(Models::<T>::contains_key(p.model), "placement of an unknown model");
				ensure!(p.transform.check().is_ok(), "placement with an invalid transform");
				*counted.entry((p.model, parcel)).or_default() += 1;
			}
		}
		let indexed: BTreeMap<_, _> = Instances::<T>::iter().map(|(m, p, n)| ((m, p), n)).collect();
		ensure!(indexed == counted, "instance index disagrees with the placements");
		let mut per_model = BTreeMap::<ModelId, u32>::new();
		for ((model, _), n) in &counted {
			*per_model.entry(*model).or_default() += n;
		}
		let totals: BTreeMap<_, _> = InstanceCount::<T>::iter().collect();
		ensure!(totals == per_model, "instance counts disagree with the placements");
		for (model, m) in Models::<T>::iter() {
			ensure!(pallet_nfts::Pallet::<T>::owner(collection, model).is_some(), "model missing from pallet-nfts");
			ensure!(ModelsByContent::<T>::contains_key(m.content_id, model), "model missing from the content index");
		}
		ensure!(
			ModelsByContent::<T>::iter().count() == Models::<T>::iter().count(),
			"the content index names models that do not exist"
		);
		let mut per_content = BTreeMap::<ContentId, u32>::new();
		for (content_id, model, ()) in ModelsByContent::<T>::iter() {
			ensure!(
				Models::<T>::get(model).is_some_and(|m| m.content_id == content_id),
				"the content index files a model under content it does not name"
			);
			let n = per_content.entry(content_id).or_default();
			*n = n.saturating_add(1);
		}
		ensure!(
			per_content.values().all(|n| *n <= T::MaxModelsPerContent::get()),
			"a content is named by more than MaxModelsPerContent models"
		);
		ensure!(
			pallet_nfts::Item::<T>::iter_prefix(collection).count() == Models::<T>::iter().count(),
			"pallet-nfts holds model items this pallet does not know"
		);
		Ok(())
	}
}
