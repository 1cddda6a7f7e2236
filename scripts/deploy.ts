/**
 * npm run deploy -- --rpc <url>
 * Deploys the EntryPoint v0.7 (if absent), the session-key module and the account factory
 * at their deterministic CREATE2 addresses. Running it again deploys nothing and says so.
 * The deployer key comes from the DEPLOYER_PRIVATE_KEY environment variable (never a flag,
 * which would show in `ps`).
 */
import { parseArgs } from 'node:util'
import { createWalletClient, defineChain, type Hex, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { getChainId } from 'viem/actions'
import { deployContracts } from '../src/deploy/deployContracts.js'
import { BaseError } from '../src/errors/base.js'
import { EndpointUnreachableError } from '../src/errors/session.js'

const { values } = parseArgs({ options: { rpc: { type: 'string' } } })
try {
  if (!values.rpc) throw new Error('Missing --rpc <url>: the JSON-RPC endpoint of the chain to deploy to.')
  const key = process.env.DEPLOYER_PRIVATE_KEY
  if (!key || !/^0x[0-9a-fA-F]{64}$/.test(key)) {
    throw new Error('Set DEPLOYER_PRIVATE_KEY to the 0x-prefixed private key of a funded account.')
  }
  let account: ReturnType<typeof privateKeyToAccount>
  try {
    account = privateKeyToAccount(key as Hex)
  } catch {
    // Zero, or not below the secp256k1 order: say so, without the key and without a stack.
    throw new Error('DEPLOYER_PRIVATE_KEY is not a valid secp256k1 private key (it is zero or too large).')
  }
  const transport = http(values.rpc, { timeout: 30_000, retryCount: 1 })
  let chainId: number
  try {
    chainId = await getChainId(createWalletClient({ transport }))
  } catch (cause) {
    throw new EndpointUnreachableError({ what: 'node', url: values.rpc, cause })
  }
  const chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [values.rpc] } },
  })
  const client = createWalletClient({ chain, transport, account })
  const result = await deployContracts(client)
  console.log(
    result.deployed.length === 0
      ? `Nothing to deploy: every contract is already on chain ${chainId}.`
      : `Deployed on chain ${chainId}: ${result.deployed.join(', ')}.`,
  )
  console.log(`  EntryPoint v0.7:       ${result.entryPoint}
  SessionKeyValidator:   ${result.sessionKeyValidator}
  SessionAccountFactory: ${result.sessionAccountFactory}`)
} catch (error) {
  // The SDK's errors say what to do in their message; anything else, its first line.
  console.error(
    error instanceof BaseError ? error.message : error instanceof Error ? error.message.split('\n')[0] : error,
  )
  process.exit(1)
}
