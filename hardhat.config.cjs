// Hardhat 2 (EDR) is used only as the local chain: contracts are compiled by
// scripts/compile.ts with the npm `solc` package, never by Hardhat's compiler download.
/** @type {import('hardhat/config').HardhatUserConfig} */
module.exports = {
  networks: {
    hardhat: {
      chainId: 31337,
      hardfork: 'cancun',
      initialBaseFeePerGas: 1_000_000_000,
      mining: { auto: true },
      accounts: { count: 5 },
    },
  },
}
