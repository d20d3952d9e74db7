//! The parts of a mock runtime that the world pallets' tests share (this pallet's and
//! pallet-models'): System, Balances, pallet-nfts and Land configured for a runtime named
//! `Test` with 32-byte account ids (pallet-nfts' signatures need real accounts). Each
//! crate's `mock.rs` declares its runtime with `construct_runtime!` and calls
//! [`world_test_runtime!`](crate::world_test_runtime).

/// Implements the shared configs for `Test` (which must include `System`, `Balances`,
/// `Nfts` and `Land`) and defines `AccountId`, `account(n)`, the named accounts and
/// constants, and `world_genesis(parcels)`: the storage of a 32 × 32 mainland with these
/// parcels and accounts 1..=9 endowed.
#[macro_export]
macro_rules! world_test_runtime {
	() => {
		use polkadot_sdk::{
			frame_support::{
				derive_impl, parameter_types,
				traits::{AsEnsureOriginWithArg, ConstU32, ConstU64},
				PalletId,
			},
			frame_system::{self, EnsureRoot, EnsureSigned},
			pallet_balances,
			pallet_nfts::{self, PalletFeatures},
			sp_io,
			sp_runtime::{
				traits::{IdentifyAccount, IdentityLookup, Verify},
				BuildStorage, MultiSignature,
			},
		};

		pub type Signature = MultiSignature;
		pub type AccountPublic = <Signature as Verify>::Signer;
		pub type AccountId = <AccountPublic as IdentifyAccount>::AccountId;

		#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
		impl frame_system::Config for Test {
			type AccountId = AccountId;
			type Lookup = IdentityLookup<AccountId>;
			type Block = frame_system::mocking::MockBlock<Test>;
			type AccountData = pallet_balances::AccountData<u64>;
		}

		#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
		impl pallet_balances::Config for Test {
			type AccountStore = System;
			type RuntimeHoldReason = RuntimeHoldReason;
		}

		parameter_types! {
			pub storage Features: PalletFeatures = PalletFeatures::all_enabled();
			pub const LandPalletId: PalletId = PalletId(*b"lm/land_");
		}

		impl pallet_nfts::Config for Test {
			type RuntimeEvent = RuntimeEvent;
			type CollectionId = u32;
			type ItemId = u32;
			type Currency = Balances;
			type CreateOrigin = AsEnsureOriginWithArg<EnsureSigned<AccountId>>;
			type ForceOrigin = EnsureRoot<AccountId>;
			type Locker = ();
			type CollectionDeposit = ConstU64<2>;
			type ItemDeposit = ConstU64<1>;
			type MetadataDepositBase = ConstU64<1>;
			type AttributeDepositBase = ConstU64<1>;
			type DepositPerByte = ConstU64<1>;
			type StringLimit = ConstU32<50>;
			type KeyLimit = ConstU32<50>;
			type ValueLimit = ConstU32<50>;
			type ApprovalsLimit = ConstU32<10>;
			type ItemAttributesApprovalsLimit = ConstU32<2>;
			type MaxTips = ConstU32<10>;
			type MaxDeadlineDuration = ConstU64<10000>;
			type MaxAttributesPerCall = ConstU32<2>;
			type Features = Features;
			type OffchainSignature = Signature;
			type OffchainPublic = AccountPublic;
			type WeightInfo = ();
			#[cfg(feature = "runtime-benchmarks")]
			type Helper = ();
			type BlockNumberProvider = System;
		}

		pub const PLANET_DEPOSIT: u64 = 100;
		pub const PARCEL_DEPOSIT: u64 = 5;
		pub const PASS_DEPOSIT: u64 = 3;
		pub const PASS_DURATION: u64 = 10;
		pub const MAX_WORLD_SIDE: u32 = 64;
		pub const MAX_REGION_CELLS: u32 = 256;

		impl $crate::Config for Test {
			type RuntimeEvent = RuntimeEvent;
			type Currency = Balances;
			type RuntimeHoldReason = RuntimeHoldReason;
			type MainlandOrigin = EnsureRoot<AccountId>;
			type PalletId = LandPalletId;
			type PlanetDeposit = ConstU64<PLANET_DEPOSIT>;
			type ParcelDeposit = ConstU64<PARCEL_DEPOSIT>;
			type PassDeposit = ConstU64<PASS_DEPOSIT>;
			type MaxWorldSide = ConstU32<MAX_WORLD_SIDE>;
			type PassDuration = ConstU64<PASS_DURATION>;
			type MaxRegionCells = ConstU32<MAX_REGION_CELLS>;
			type WeightInfo = ();
		}

		/// The test account numbered `n`.
		pub fn account(n: u8) -> AccountId {
			AccountId::from([n; 32])
		}

		pub const ALICE: u8 = 1;
		pub const BOB: u8 = 2;
		pub const CHARLIE: u8 = 3;
		/// Every numbered test account starts with this much.
		pub const ENDOWMENT: u64 = 10_000;

		/// The storage of a 32 × 32 mainland with these parcels, accounts 1..=9 endowed.
		pub fn world_genesis(
			parcels: Vec<(u32, u32, Option<AccountId>, Option<u64>)>,
		) -> polkadot_sdk::sp_runtime::Storage {
			let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
			pallet_balances::GenesisConfig::<Test> {
				balances: (1..=9).map(|n| (account(n), ENDOWMENT)).collect(),
				..Default::default()
			}
			.assimilate_storage(&mut storage)
			.unwrap();
			$crate::GenesisConfig::<Test> { mainland_width: 32, mainland_height: 32, parcels }
				.assimilate_storage(&mut storage)
				.unwrap();
			storage
		}
	};
}
