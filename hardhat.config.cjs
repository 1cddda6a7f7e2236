// Hardhat 2 (EDR) is used only as the local chain: contracts are compiled by
// scripts/compile.ts with the npm `solc` package, never by Hardhat's compiler download.
/** @type {import('hardhat/config').HardhatUserConfig} */
module.exports = {
  networks: {
    hardhat: {
      chainId: 31337,
      hardfork: 'cancun',
      // A zero base fee keeps the operations' gas price constant, so every operation pays its
      // prefund the same way and gas figures do not drift with the EntryPoint deposit.
      initialBaseFeePerGas: 0,
      mining: { auto: true },
      accounts: { count: 5 },
    },
  },
}
