//! The parts of a mock runtime that the storage-economy pallets' tests share (this
//! pallet's, pallet-audit's and pallet-rewards'): System, Balances, Miners and Storage
//! configured for a runtime named `Test`, randomness that is a hash of the subject, and
//! the test externalities. Each crate's `mock.rs` declares its runtime with
//! `construct_runtime!` and calls [`economy_test_runtime!`](crate::economy_test_runtime).

/// Implements the shared configs for `Test` (which must include `System`, `Balances`,
/// `Miners` and `Storage`), with `stake_per_tib` units of stake per TiB, and defines
/// `HashRandomness`, the constants `PRICE`, `PERIOD`, `MAX_REPLICAS`, `ENDOWMENT`,
/// `new_test_ext()` (accounts 1..=20 endowed, at block 1) and `seal_and_confirm` (a miner
/// seals its replica of a content, commits and confirms it).
#[macro_export]
macro_rules! economy_test_runtime {
	(stake_per_tib: $stake:expr) => {
		$crate::economy_test_runtime!(
			stake_per_tib: $stake,
			challenged: polkadot_sdk::frame_support::traits::Nothing
		);
	};
	(stake_per_tib: $stake:expr, challenged: $challenged:ty) => {
		use polkadot_sdk::{
			frame_support::{
				derive_impl,
				traits::{ConstU32, ConstU64, Randomness},
			},
			frame_system, pallet_balances,
			sp_core::H256,
			sp_io,
			sp_runtime::BuildStorage,
		};

		#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
		impl frame_system::Config for Test {
			type Block = frame_system::mocking::MockBlock<Test>;
			type AccountData = pallet_balances::AccountData<u64>;
		}

		#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
		impl pallet_balances::Config for Test {
			type AccountStore = System;
			type RuntimeHoldReason = RuntimeHoldReason;
		}

		impl pallet_miners::Config for Test {
			type RuntimeEvent = RuntimeEvent;
			type Currency = Balances;
			type RuntimeHoldReason = RuntimeHoldReason;
			type StakePerTiB = ConstU64<{ $stake }>;
			type UnbondingPeriod = ConstU64<20>;
			type MaxMiners = ConstU32<16>;
			type SectorSize = ConstU64<SECTOR_SIZE>;
			type MaxSectors = ConstU32<64>;
			type MinCapacity = ConstU64<1>;
			type MinStake = ConstU64<100>;
			type SealChunks = ConstU32<4>;
			type SealDeadline = ConstU64<10>;
			type Challenged = $challenged;
			type WeightInfo = ();
		}

		polkadot_sdk::frame_support::parameter_types! {
			/// Stands in for the VRF output of the parent block: a test that plays someone
			/// who cannot know the next block's randomness changes it as blocks pass.
			pub static ParentVrf: [u8; 32] = [0; 32];
		}

		/// Randomness that is a hash of the subject, the block number and [`ParentVrf`]:
		/// deterministic, but different for every order and round.
		pub struct HashRandomness;
		impl Randomness<H256, u64> for HashRandomness {
			fn random(subject: &[u8]) -> (H256, u64) {
				let block = System::block_number();
				let vrf = ParentVrf::get();
				(H256(sp_io::hashing::blake2_256(&[subject, &block.to_le_bytes(), &vrf[..]].concat())), block)
			}
		}

		/// A filler sector of 16 chunks, so tests generate sectors in microseconds.
		pub const SECTOR_SIZE: u64 = 16 * 1024;
		pub const PRICE: u64 = 2;
		pub const PERIOD: u64 = 10;
		pub const MAX_REPLICAS: u32 = 3;
		pub const CONFIRM_DEADLINE: u64 = 30;
		pub const ORDER_FEE: u64 = 3;
		pub const MAX_ASSIGNMENTS: u32 = 4;


		impl $crate::Config for Test {
			type RuntimeEvent = RuntimeEvent;
			type Currency = Balances;
			type RuntimeHoldReason = RuntimeHoldReason;
			type Miners = Miners;
			type Randomness = HashRandomness;
			type PricePerBytePeriod = ConstU64<PRICE>;
			type PeriodLength = ConstU64<PERIOD>;
			type MaxReplicas = ConstU32<MAX_REPLICAS>;
			type MaxContentSize = ConstU64<{ 1 << 30 }>;
			type MaxCandidates = ConstU32<16>;
			type ConfirmDeadline = ConstU64<CONFIRM_DEADLINE>;
			type Challenged = $challenged;
			type OrderFee = ConstU64<ORDER_FEE>;
			type MaxAssignmentsPerBlock = ConstU32<MAX_ASSIGNMENTS>;
			type SectorSize = ConstU64<SECTOR_SIZE>;
			type SealDraws = ConstU32<SEAL_DRAWS>;
			type Models = TestModels;
			type PalletId = StoragePalletId;
			type MaxOrdersPerModel = ConstU32<MAX_ORDERS_PER_MODEL>;
			type WeightInfo = ();
		}

		pub const MAX_ORDERS_PER_MODEL: u32 = 2;

		polkadot_sdk::frame_support::parameter_types! {
			pub const StoragePalletId: polkadot_sdk::frame_support::PalletId = polkadot_sdk::frame_support::PalletId(*b"lm/store");
		}

		std::thread_local! {
			/// The models of the test: `(owner, content id, size)` by id.
			pub static MODELS: std::cell::RefCell<std::collections::BTreeMap<u32, (u64, $crate::primitives::ContentId, u64)>> =
				Default::default();
		}

		/// Models as the test sets them ([`set_model`], [`burn_test_model`]).
		pub struct TestModels;
		impl $crate::ModelRecords<u64> for TestModels {
			fn model(model: u32) -> Option<(u64, $crate::primitives::ContentId, u64)> {
				MODELS.with(|m| m.borrow().get(&model).copied())
			}
			#[cfg(feature = "runtime-benchmarks")]
			fn model_for_benchmark(owner: &u64, content: $crate::primitives::ContentId, size: u64) -> u32 {
				let id = MODELS.with(|m| m.borrow().len() as u32);
				set_model(id, *owner, content, size);
				id
			}
		}

		/// Model `id` now belongs to `owner` and is `content` (`size` bytes).
		pub fn set_model(id: u32, owner: u64, content: $crate::primitives::ContentId, size: u64) {
			MODELS.with(|m| m.borrow_mut().insert(id, (owner, content, size)));
		}

		/// Burns model `id` as pallet-models would: its orders close first.
		pub fn burn_test_model(id: u32) -> polkadot_sdk::sp_runtime::DispatchResult {
			let (owner, ..) = MODELS.with(|m| m.borrow().get(&id).copied()).ok_or(polkadot_sdk::sp_runtime::DispatchError::Other("no model"))?;
			Storage::close_model_orders(id, &owner)?;
			MODELS.with(|m| m.borrow_mut().remove(&id));
			Ok(())
		}

		/// Draws in a replica's seal proof (the runtime's 16, fewer to keep tests fast).
		pub const SEAL_DRAWS: u32 = 4;

		/// `miner` seals its replica of `bytes` for `order` as its node would, commits the
		/// roots and confirms with the seal proof: the commit lands now, the confirmation
		/// two blocks later (the draws read the hash of the block after the commit), and
		/// the clock is set back, so a test reads as if both landed in this block. The
		/// sealed replica is returned, for the challenges that follow.
		pub fn seal_and_confirm(
			miner: u64,
			order: $crate::OrderId,
			bytes: &[u8],
		) -> Result<$crate::primitives::replica::Sealed, polkadot_sdk::sp_runtime::DispatchError> {
			use $crate::primitives::{proof, replica, ContentId};
			let id = ContentId(proof::root_of(bytes));
			let sealed = replica::Sealed::new(bytes, replica::replica_seed(&miner, order, &id), SECTOR_SIZE);
			Storage::commit_replica(RuntimeOrigin::signed(miner), order, sealed.roots)?;
			let now = System::block_number();
			// The hash the draws read (mock blocks have none of their own).
			frame_system::BlockHash::<Test>::insert(now + 1, H256::repeat_byte(0x5e));
			System::set_block_number(now + 2);
			let result = (|| {
				let o = $crate::Orders::<Test>::get(order).ok_or($crate::Error::<Test>::UnknownOrder)?;
				let draws = Storage::seal_draws(order, &miner, &o, now).ok_or($crate::Error::<Test>::SealNotReady)?;
				let seal: Vec<_> = draws.into_iter().map(|d| sealed.answer(bytes, d).expect("a draw of this replica")).collect();
				let last = proof::prove(bytes, proof::chunk_count(bytes.len() as u64) - 1).expect("the last chunk");
				Storage::confirm(RuntimeOrigin::signed(miner), order, last, seal.try_into().expect("SEAL_DRAWS draws"))
			})();
			System::set_block_number(now);
			result.map(|()| sealed).map_err(|e| e.into())
		}

		/// Every account 1..=20 starts with this much.
		pub const ENDOWMENT: u64 = 10_000_000;

		/// Accounts 1..=20 endowed, no miners, at block 1.
		pub fn new_test_ext() -> sp_io::TestExternalities {
			let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
			pallet_balances::GenesisConfig::<Test> {
				balances: (1..=20).map(|n| (n, ENDOWMENT)).collect(),
				..Default::default()
			}
			.assimilate_storage(&mut storage)
			.unwrap();
			let mut ext = sp_io::TestExternalities::new(storage);
			ext.execute_with(|| System::set_block_number(1));
			ext
		}
	};
}
