// The devnet of the peer-account suite: the project's chain (hardhat.config.cjs), with one
// difference. @rhinestone/modulekit builds Kernel v3 without the via-IR pipeline its
// releases use, so its runtime code is over EIP-170's 24,576 bytes; this chain deploys it.
// The project's own contracts are held to EIP-170 by scripts/compile.ts.
const base = require('../../hardhat.config.cjs')

module.exports = {
  ...base,
  networks: { hardhat: { ...base.networks.hardhat, allowUnlimitedContractSize: true } },
}
