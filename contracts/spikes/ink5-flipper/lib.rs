//! The ink! 5 spike's contract: one boolean, flipped by anyone, read by anyone.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

#[ink::contract]
mod flipper {
    #[ink(storage)]
    pub struct Flipper {
        value: bool,
    }

    impl Flipper {
        /// Starts with `init_value`.
        #[ink(constructor)]
        pub fn new(init_value: bool) -> Self {
            Self { value: init_value }
        }

        /// Negates the value.
        #[ink(message)]
        pub fn flip(&mut self) {
            self.value = !self.value;
        }

        /// The value.
        #[ink(message)]
        pub fn get(&self) -> bool {
            self.value
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[ink::test]
        fn flip_negates_the_value() {
            let mut flipper = Flipper::new(false);
            flipper.flip();
            assert!(flipper.get());
            flipper.flip();
            assert!(!flipper.get());
        }
    }
}
