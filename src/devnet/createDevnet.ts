import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  type Address,
  type Chain,
  type Client,
  createPublicClient,
  createTestClient,
  custom,
  type EIP1193Provider,
  type Hex,
  http,
  type JsonRpcAccount,
  type PublicActions,
  publicActions,
  type TestActions,
  type Transport,
  type WalletActions,
  walletActions,
} from 'viem'
import { createBundlerClient } from 'viem/account-abstraction'
import { hardhat } from 'viem/chains'
import { create2DeployerAddress, entryPointAddress } from '../constants/addresses.js'
import { type Deployments, deployContracts } from '../deploy/deployContracts.js'
import { BaseError } from '../errors/base.js'
import { InvalidParameterError } from '../errors/parameter.js'
import { EndpointUnreachableError } from '../errors/session.js'
import { createBundlerSubmitter } from '../submitter/bundlerSubmitter.js'
import type { UserOperationSubmitter } from '../submitter/types.js'
import { createEntryPointSubmitter } from './entryPointSubmitter.js'

const require = createRequire(import.meta.url)

/**
 * Runtime code of the deterministic CREATE2 deployer (Arachnid's, at
 * 0x4e59b44847b379578588920ca78fbf26c0b4956c on most chains): calldata = salt ‖ initcode.
 */
export const create2DeployerCode =
  '0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3' as Hex

/** A client with public, wallet and test actions, on the devnet. */
export type DevnetClient = Client<
  Transport,
  Chain,
  JsonRpcAccount,
  undefined,
  PublicActions<Transport, Chain, JsonRpcAccount> & WalletActions<Chain, JsonRpcAccount> & TestActions
>

/** The embedded local chain with everything deployed. */
export type Devnet = {
  chain: Chain
  /** Sends from a funded, unlocked devnet account. */
  client: DevnetClient
  deployments: Deployments
  /** Submits user operations through `EntryPoint.handleOps` (no bundler needed). */
  submitter: UserOperationSubmitter
  /**
   * The same without the SDK's pre-flight check: operations go to the chain even when the
   * SDK predicts a rejection. For tests and demos that show the chain enforcing the rules.
   */
  submitterWithoutPreflight: UserOperationSubmitter
  /** Moves the chain's clock forward and mines a block. */
  increaseTime(seconds: number): Promise<void>
  /** The timestamp of the latest block. */
  now(): Promise<number>
  /** Gives `address` some ETH. */
  fund(address: Address, wei: bigint): Promise<void>
  /** Saves the chain state; `revert` goes back to it. */
  snapshot(): Promise<Hex>
  revert(id: Hex): Promise<void>
}

/**
 * Starts the embedded chain (Hardhat's EDR, in this process) with the EntryPoint v0.7 at
 * its canonical address, the session-key module and the account factory at their
 * deterministic addresses. One devnet per process.
 *
 * @example
 * import { createDevnet } from 'session-keys/devnet'
 * const devnet = await createDevnet()
 */
export async function createDevnet(): Promise<Devnet> {
  process.env.HARDHAT_CONFIG ??= join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'hardhat.config.cjs')
  const hre = require('hardhat') as { network: { provider: EIP1193Provider } }
  const provider = hre.network.provider
  const [sender] = (await provider.request({ method: 'eth_accounts' })) as Address[]
  // In-process: a failed request is an answer (a revert), never a network blip to retry;
  // the chain mines on every transaction, so poll fast.
  const client = devnetClient({ ...hardhat }, custom(provider, { retryCount: 0 }), sender, 10)

  return prepareDevnet(client, {
    submitter: createEntryPointSubmitter({ client }),
    submitterWithoutPreflight: createEntryPointSubmitter({ client, preflight: false }),
  })
}

/** Parameters of {@link connectDevnet}. */
export type ConnectDevnetParameters = {
  /** JSON-RPC URL of a development node (Hardhat or compatible: it needs hardhat_* methods). */
  rpcUrl: string
  /** URL of an ERC-4337 bundler serving EntryPoint v0.7 on that node. */
  bundlerUrl: string
}

/**
 * Connects to a running development node and bundler (e.g. `npm run devnet`) and returns the
 * same {@link Devnet} as {@link createDevnet}, submitting through the bundler. Deploys any
 * missing contract first.
 *
 * @throws {DevnetServerError} when the node does not answer or is not a development node.
 * @example
 * import { connectDevnet } from 'session-keys/devnet'
 * const devnet = await connectDevnet({ rpcUrl: 'http://127.0.0.1:8545', bundlerUrl: 'http://127.0.0.1:4337' })
 */
export async function connectDevnet(parameters: ConnectDevnetParameters): Promise<Devnet> {
  const rpcUrl = parseUrl(parameters?.rpcUrl, 'rpcUrl')
  const bundlerUrl = parseUrl(parameters?.bundlerUrl, 'bundlerUrl')
  const probe = createPublicClient({ transport: http(rpcUrl, { timeout: 10_000, retryCount: 1 }) })
  let chainId: number
  let sender: Address
  try {
    chainId = await probe.getChainId()
    ;[sender] = (await probe.request({ method: 'eth_accounts' } as never)) as Address[]
  } catch (cause) {
    throw new EndpointUnreachableError({ what: 'node', url: rpcUrl, cause })
  }
  // The bundler too, before anything is deployed or funded: a flow that cannot be submitted
  // must not leave test contracts behind.
  const bundlerProbe = createPublicClient({ transport: http(bundlerUrl, { timeout: 10_000, retryCount: 1 }) })
  let entryPoints: readonly string[]
  try {
    entryPoints = (await bundlerProbe.request({ method: 'eth_supportedEntryPoints' } as never)) as string[]
  } catch (cause) {
    throw new EndpointUnreachableError({ what: 'bundler', url: bundlerUrl, cause })
  }
  if (!entryPoints.some((address) => address.toLowerCase() === entryPointAddress.toLowerCase())) {
    throw new BaseError(`The bundler at ${bundlerUrl} does not serve the EntryPoint v0.7 (${entryPointAddress}).`, {
      metaMessages: [`It serves: ${entryPoints.join(', ') || 'none'}.`, 'Start it with --entrypoints set to it.'],
    })
  }
  if (!sender) {
    throw new BaseError(`The node at ${rpcUrl} has no unlocked account to fund the demo with.`, {
      metaMessages: ['Use a development node such as the one npm run devnet starts.'],
    })
  }
  const client = devnetClient({ ...hardhat, id: chainId }, http(rpcUrl, { timeout: 30_000 }), sender, 100)
  const bundlerClient = createBundlerClient({
    client,
    transport: http(bundlerUrl, { timeout: 30_000 }),
    pollingInterval: 100,
  })
  return prepareDevnet(client, {
    submitter: createBundlerSubmitter({ bundlerClient }),
    submitterWithoutPreflight: createBundlerSubmitter({ bundlerClient, preflight: false }),
  })
}

function devnetClient(chain: Chain, transport: Transport, sender: Address, pollingInterval: number): DevnetClient {
  return createTestClient({ chain, mode: 'hardhat', transport, account: sender, pollingInterval })
    .extend(publicActions)
    .extend(walletActions) as unknown as DevnetClient
}

async function prepareDevnet(
  client: DevnetClient,
  submitters: Pick<Devnet, 'submitter' | 'submitterWithoutPreflight'>,
): Promise<Devnet> {
  if (!(await client.getCode({ address: create2DeployerAddress }))) {
    await client.setCode({ address: create2DeployerAddress, bytecode: create2DeployerCode })
  }
  const { deployed: _deployed, ...deployments } = await deployContracts(client)

  return {
    chain: client.chain,
    client,
    deployments,
    ...submitters,
    async increaseTime(seconds) {
      await client.increaseTime({ seconds })
      await client.mine({ blocks: 1 })
    },
    async now() {
      return Number((await client.getBlock({ blockTag: 'latest' })).timestamp)
    },
    async fund(address, wei) {
      await client.setBalance({ address, value: wei })
    },
    snapshot: () => client.snapshot(),
    async revert(id) {
      await client.revert({ id })
    },
  }
}

function parseUrl(value: unknown, field: string): string {
  try {
    const url = new URL(String(value))
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.toString()
  } catch {
    // fall through
  }
  throw new InvalidParameterError({ field, value, reason: 'not an http(s) URL', fix: 'e.g. http://127.0.0.1:8545' })
}
