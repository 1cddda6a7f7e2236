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

const { values } = parseArgs({ options: { rpc: { type: 'string' } } })
try {
  if (!values.rpc) throw new Error('Missing --rpc <url>: the JSON-RPC endpoint of the chain to deploy to.')
  const key = process.env.DEPLOYER_PRIVATE_KEY
  if (!key || !/^0x[0-9a-fA-F]{64}$/.test(key)) {
    throw new Error('Set DEPLOYER_PRIVATE_KEY to the 0x-prefixed private key of a funded account.')
  }
  const transport = http(values.rpc, { timeout: 30_000 })
  const chainId = await getChainId(createWalletClient({ transport }))
  const chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [values.rpc] } },
  })
  const client = createWalletClient({ chain, transport, account: privateKeyToAccount(key as Hex) })
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
  const details = (error as { details?: string }).details
  console.error(error instanceof Error ? error.message.split('\n')[0] : error)
  if (details) console.error(`Details: ${details}`)
  process.exit(1)
}
