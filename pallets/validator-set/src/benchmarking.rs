//! Benchmarks for `pallet_validator_set`.

use super::*;
use frame_support::traits::{EnsureOrigin, Get};
use polkadot_sdk::{frame_benchmarking::v2::*, frame_support::BoundedVec};

fn fill_set<T: Config>(n: u32) {
	let set: Vec<T::AccountId> = (0..n).map(|i| account("validator", i, 0)).collect();
	let bounded: BoundedVec<_, T::MaxValidators> =
		set.try_into().expect("n is within MaxValidators; qed");
	Validators::<T>::put(bounded);
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Worst case: the set holds `MaxValidators - 1` accounts, so the duplicate scan reads
	/// them all and the push still fits.
	#[benchmark]
	fn add_validator(v: Linear<1, { T::MaxValidators::get() - 1 }>) -> Result<(), BenchmarkError> {
		fill_set::<T>(v);
		let who: T::AccountId = account("new", 0, 0);
		let origin =
			T::ManagerOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert!(Validators::<T>::get().contains(&who));
		Ok(())
	}

	/// Worst case: the removed account is the last of `v`, so the scan reads them all.
	#[benchmark]
	fn remove_validator(
		v: Linear<{ T::MinValidators::get() + 1 }, { T::MaxValidators::get() }>,
	) -> Result<(), BenchmarkError> {
		fill_set::<T>(v);
		let who: T::AccountId = account("validator", v - 1, 0);
		let origin =
			T::ManagerOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert!(!Validators::<T>::get().contains(&who));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(vec![1, 2]), crate::mock::Test);
}
