import { type Address, getAddress, type Hex } from 'viem'
import {
  testNftAbi,
  testNftBytecode,
  testTargetAbi,
  testTargetBytecode,
  testTokenAbi,
  testTokenBytecode,
} from '../generated/testContracts.js'
import type { DevnetClient } from './createDevnet.js'

export { testNftAbi, testTargetAbi, testTokenAbi }

/**
 * Deploys an open-mint ERC-20 for tests and the demo.
 *
 * @example
 * import { deployTestToken } from 'session-keys/devnet'
 * const token = await deployTestToken(devnet.client, { name: 'Test USD', symbol: 'TUSD' })
 */
export async function deployTestToken(
  client: DevnetClient,
  parameters: { name: string; symbol: string },
): Promise<Address> {
  return deploy(client, testTokenAbi, testTokenBytecode, [parameters.name, parameters.symbol])
}

/**
 * Mints `amount` of a test token to `to`.
 *
 * @example
 * import { mintTestToken } from 'session-keys/devnet'
 * await mintTestToken(devnet.client, { token, to: account, amount: 10n ** 21n })
 */
export async function mintTestToken(
  client: DevnetClient,
  parameters: { token: Address; to: Address; amount: bigint },
): Promise<void> {
  const hash = await client.writeContract({
    address: parameters.token,
    abi: testTokenAbi,
    functionName: 'mint',
    args: [parameters.to, parameters.amount],
    account: client.account,
    chain: client.chain,
  })
  await client.waitForTransactionReceipt({ hash })
}

/**
 * Deploys an open-mint ERC-721 collection ("Test NFT", TNFT) for tests and examples, and mints
 * `ids` to `to`.
 *
 * @example
 * import { deployTestNft } from 'session-keys/devnet'
 * const nft = await deployTestNft(devnet.client, { to: account, ids: [1n, 2n, 3n] })
 */
export async function deployTestNft(
  client: DevnetClient,
  parameters: { to: Address; ids: readonly bigint[] },
): Promise<Address> {
  const nft = await deploy(client, testNftAbi, testNftBytecode, [])
  for (const id of parameters.ids) {
    const hash = await client.writeContract({
      address: nft,
      abi: testNftAbi,
      functionName: 'mint',
      args: [parameters.to, id],
      account: client.account,
      chain: client.chain,
    })
    await client.waitForTransactionReceipt({ hash })
  }
  return nft
}

/**
 * Deploys a contract with a few recording functions (`ping`, `poke`, `fail`), for tests.
 *
 * @example
 * import { deployTestTarget } from 'session-keys/devnet'
 * const target = await deployTestTarget(devnet.client)
 */
export async function deployTestTarget(client: DevnetClient): Promise<Address> {
  return deploy(client, testTargetAbi, testTargetBytecode, [])
}

async function deploy(
  client: DevnetClient,
  abi: readonly unknown[],
  bytecode: Hex,
  args: readonly unknown[],
): Promise<Address> {
  const hash = await client.deployContract({ abi, bytecode, args, account: client.account, chain: client.chain })
  const receipt = await client.waitForTransactionReceipt({ hash })
  if (!receipt.contractAddress) throw new Error(`deployment failed: ${hash}`)
  return getAddress(receipt.contractAddress)
}
