//! A runtime with just System and the worker, whose accounts are sr25519 keys, so the
//! worker signs with a key from a real (in-memory) keystore. Tasks travel as
//! `system.remark`s of their encoding, so the tests see exactly which task was sent.

use crate as pallet_miner_worker;
use codec::Encode;
use landmesh_primitives::miner::MinerTask;
use polkadot_sdk::{
	frame_support::{derive_impl, traits::ConstU64},
	frame_system::{self, offchain::AppCrypto},
	sp_core::{
		offchain::{testing, OffchainDbExt, OffchainWorkerExt, TransactionPoolExt},
		sr25519,
	},
	sp_io,
	sp_keystore::{testing::MemoryKeystore, Keystore, KeystoreExt},
	sp_runtime::{generic::UncheckedExtrinsic, BuildStorage},
};
use std::sync::Arc;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = sr25519::Public;
/// What the worker submits: a call signed by an account, with its nonce.
pub type Extrinsic = UncheckedExtrinsic<AccountId, RuntimeCall, sr25519::Signature, frame_system::CheckNonce<Test>>;

polkadot_sdk::frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		MinerWorker: pallet_miner_worker,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = polkadot_sdk::sp_runtime::traits::IdentityLookup<AccountId>;
}

impl frame_system::offchain::SigningTypes for Test {
	type Public = sr25519::Public;
	type Signature = sr25519::Signature;
}

impl<LocalCall> frame_system::offchain::CreateTransactionBase<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	type RuntimeCall = RuntimeCall;
	type Extrinsic = Extrinsic;
}

impl<LocalCall> frame_system::offchain::CreateSignedTransaction<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	fn create_signed_transaction<C: AppCrypto<Self::Public, Self::Signature>>(
		call: RuntimeCall,
		public: sr25519::Public,
		account: AccountId,
		nonce: u32,
	) -> Option<Extrinsic> {
		// Signs the call alone: enough to show which key signed what.
		let signature = C::sign(&call.encode(), public)?;
		Some(UncheckedExtrinsic::new_signed(call, account, signature, frame_system::CheckNonce::from(nonce)))
	}
}

/// Tasks become remarks of their encoding; answers with more than four proofs cannot be
/// carried (as the runtime's `ChunksPerChallenge` bound refuses them).
pub struct RemarkTasks;

impl crate::TaskCalls<RuntimeCall> for RemarkTasks {
	fn call(task: MinerTask) -> Option<RuntimeCall> {
		if let MinerTask::Answer { proofs, .. } = &task {
			if proofs.len() > 4 {
				return None;
			}
		}
		Some(frame_system::Call::remark { remark: task.encode() }.into())
	}
}

/// Eras of 100 blocks; served bytes reported in the last 10.
pub const ERA: u64 = 100;
pub const WINDOW: u64 = 10;

impl pallet_miner_worker::Config for Test {
	type MinerKey = crate::crypto::MinerKey;
	type Tasks = RemarkTasks;
	type EraLength = ConstU64<ERA>;
	type ReportInterval = ConstU64<WINDOW>;
}

/// Off-chain externalities: a database, a transaction pool and a keystore, which holds a
/// miner key when `miner_seed` is given. Returns the pool's state to read what was sent.
pub fn offchain_ext(
	miner_seed: Option<&str>,
) -> (sp_io::TestExternalities, Arc<parking_lot::RwLock<testing::PoolState>>, Option<sr25519::Public>) {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().expect("genesis");
	let mut ext = sp_io::TestExternalities::new(storage);
	let (offchain, _) = testing::TestOffchainExt::new();
	let (pool, pool_state) = testing::TestTransactionPoolExt::new();
	let keystore = MemoryKeystore::new();
	let key = miner_seed.map(|seed| {
		keystore.sr25519_generate_new(crate::KEY_TYPE, Some(seed)).expect("a key from the seed")
	});
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	ext.register_extension(KeystoreExt::new(keystore));
	(ext, pool_state, key)
}
