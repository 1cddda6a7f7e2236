/**
 * The creation bytecode of other ERC-7579 accounts, from the npm package that ships it:
 * `@rhinestone/modulekit` (its `src/deployment/precompiles/*.sol` hold Kernel v3, Nexus,
 * Safe7579 and the ERC-7579 reference account as `bytes constant … = hex"…"`). The package
 * cannot be a dependency (its own dependencies are GitHub URLs), so the tarball is fetched
 * from the npm registry once (`npm pack`), checked against the integrity pinned here, and
 * kept in node_modules/.cache. Nothing of it is copied into this repository.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  type Address,
  concat,
  encodeAbiParameters,
  encodeFunctionData,
  getAddress,
  type Hex,
  pad,
  parseAbi,
  parseAbiParameters,
  zeroAddress,
} from 'viem'
import { kernelInstallData } from '../../src/actions/getGrantSessionCalls.js'
import type { DevnetClient } from '../../src/devnet/index.js'
import { entryPointAddress, type NonceKeyConvention } from '../../src/index.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const modulekit = {
  name: '@rhinestone/modulekit',
  version: '0.5.9',
  integrity: 'sha512-Zc5Qo3dkyVhBo7OQRKOltYd+jlGCtV18TWSmpSvIdXKwUgo5xj8zL73wAwFKTww00zt/wXMbW6Z6ysIQWH3Ezw==',
} as const

/** The package's directory, fetched and unpacked on first use. */
function packageDir(): string {
  const dir = join(root, 'node_modules', '.cache', 'session-keys-peer-accounts', modulekit.version)
  if (existsSync(join(dir, 'package', 'package.json'))) return dir
  const partial = `${dir}.partial`
  rmSync(partial, { recursive: true, force: true })
  mkdirSync(partial, { recursive: true })
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const packed = JSON.parse(
    execFileSync(npm, ['pack', `${modulekit.name}@${modulekit.version}`, '--json', '--pack-destination', partial], {
      cwd: partial,
      encoding: 'utf8',
    }),
  ) as { filename: string; integrity: string }[]
  if (packed[0]?.integrity !== modulekit.integrity) {
    throw new Error(
      `${modulekit.name}@${modulekit.version}: integrity ${packed[0]?.integrity}, expected ${modulekit.integrity}`,
    )
  }
  const tarball = readdirSync(partial).find((f) => f.endsWith('.tgz'))
  if (!tarball) throw new Error('npm pack wrote no tarball')
  execFileSync('tar', ['-xzf', tarball], { cwd: partial })
  rmSync(dir, { recursive: true, force: true })
  renameSync(partial, dir)
  return dir
}

/** The `bytes constant NAME = hex"…"` of one precompiles file, by name. */
export function precompiles(
  file: 'KernelPrecompiles' | 'NexusPrecompiles' | 'Safe7579Precompiles' | 'ERC7579Precompiles',
): Record<string, Hex> {
  const source = readFileSync(join(packageDir(), 'package', 'src', 'deployment', 'precompiles', `${file}.sol`), 'utf8')
  const found = [...source.matchAll(/bytes public constant (\w+) =\s*hex"([0-9a-fA-F]+)"/g)]
  if (found.length === 0) throw new Error(`${file}.sol holds no bytecode constant`)
  return Object.fromEntries(found.map(([, name, hex]) => [name, `0x${hex}` as Hex]))
}

/** A client that can send transactions on the devnet. */
type Client = DevnetClient

async function deployCode(client: Client, data: Hex): Promise<Address> {
  const hash = await client.sendTransaction({ account: client.account, chain: client.chain, data })
  const { contractAddress } = await client.waitForTransactionReceipt({ hash })
  if (!contractAddress) throw new Error('deployment created no contract')
  return contractAddress
}

const withArgs = (bytecode: Hex, types: readonly { type: string }[], values: readonly unknown[]) =>
  concat([bytecode, encodeAbiParameters(types, values)])

const kernelAbi = parseAbi([
  'function initialize(bytes21 rootValidator, address hook, bytes validatorData, bytes hookData, bytes[] initConfig)',
  'function installModule(uint256 moduleType, address module, bytes initData)',
  'function accountId() view returns (string)',
])
const kernelFactoryAbi = parseAbi(['function createAccount(bytes data, bytes32 salt) payable returns (address)'])
const bootstrapAbi = parseAbi([
  'struct BootstrapConfig { address module; bytes data; }',
  'function getInitNexusWithSingleValidatorCalldata(BootstrapConfig validator, address registry, address[] attesters, uint8 threshold) view returns (bytes)',
  'function initMSA(BootstrapConfig[] validators, BootstrapConfig[] executors, BootstrapConfig hook, BootstrapConfig[] fallbacks)',
])
const initializeAccountAbi = parseAbi([
  'function initializeAccount(bytes initData)',
  'function accountId() view returns (string)',
])

/**
 * A deployed account of another implementation, how it picks a validator, and whether it
 * passes a validator's revert on to the EntryPoint (so that the module's reason reaches the dapp).
 */
export type PeerAccount = {
  address: Address
  accountId: string
  nonceKey: NonceKeyConvention
  passesRevertsOn: boolean
}

/**
 * ZeroDev Kernel v3.1: root validator `root` (installed with `rootData`); `module` (if given) installed as a further validator in
 * Kernel's own format (`hook ‖ abi.encode(validatorData, hookData, selectorData)`, no hook,
 * allowed to validate `execute`), which is how a Kernel wallet installs a validator.
 */
export async function deployKernel(
  client: Client,
  { root, rootData = '0x', module }: { root: Address; rootData?: Hex | undefined; module?: Address | undefined },
) {
  const k = precompiles('KernelPrecompiles')
  const implementation = await deployCode(
    client,
    withArgs(k.KERNEL_BYTECODE, [{ type: 'address' }], [entryPointAddress]),
  )
  const factory = await deployCode(client, withArgs(k.KERNEL_FACTORY_BYTECODE, [{ type: 'address' }], [implementation]))
  // Kernel's own install data (no hook, `execute` allowed), as getGrantSessionCalls writes it.
  const install = (module: Address) =>
    encodeFunctionData({ abi: kernelAbi, functionName: 'installModule', args: [1n, module, kernelInstallData('0x')] })
  const data = encodeFunctionData({
    abi: kernelAbi,
    functionName: 'initialize',
    args: [concat(['0x01', root]), zeroAddress, rootData, '0x', module === undefined ? [] : [install(module)]],
  })
  const salt = pad('0x01')
  const { result: address } = await client.simulateContract({
    address: factory,
    abi: kernelFactoryAbi,
    functionName: 'createAccount',
    args: [data, salt],
    account: client.account,
  })
  const hash = await client.writeContract({
    address: factory,
    abi: kernelFactoryAbi,
    functionName: 'createAccount',
    args: [data, salt],
    account: client.account,
    chain: client.chain,
  })
  await client.waitForTransactionReceipt({ hash })
  return account(client, address, 'kernel-v3')
}

/** Biconomy Nexus 1.0: `validator` (installed with `data`) as its one validator, through Nexus's bootstrap. */
export async function deployNexus(client: Client, { validator, data }: { validator: Address; data: Hex }) {
  const n = precompiles('NexusPrecompiles')
  const implementation = await deployCode(
    client,
    withArgs(n.NEXUS_BYTECODE, [{ type: 'address' }], [entryPointAddress]),
  )
  const bootstrap = await deployCode(client, n.NEXUS_BOOTSTRAP_BYTECODE)
  const init = await client.readContract({
    address: bootstrap,
    abi: bootstrapAbi,
    functionName: 'getInitNexusWithSingleValidatorCalldata',
    args: [{ module: validator, data }, zeroAddress, [], 0],
  })
  return proxy(client, n.NEXUS_PROXY_BYTECODE, implementation, init, 'nexus')
}

/** The ERC-7579 reference implementation (MSA): `validator` (installed with `data`), through its bootstrap. */
export async function deployMsa(client: Client, { validator, data }: { validator: Address; data: Hex }) {
  const e = precompiles('ERC7579Precompiles')
  const implementation = await deployCode(client, e.ERC7579_BYTECODE)
  const bootstrap = await deployCode(client, e.ERC7579_BOOTSTRAP_BYTECODE)
  const none = { module: zeroAddress, data: '0x' as Hex }
  const call = encodeFunctionData({
    abi: bootstrapAbi,
    functionName: 'initMSA',
    args: [[{ module: validator, data }], [], none, []],
  })
  const init = encodeAbiParameters(parseAbiParameters('address, bytes'), [bootstrap, call])
  return proxy(client, e.MSAPROXY_BYTECODE, implementation, init, 'erc7579')
}

/** A proxy to `implementation` that calls `initializeAccount(init)` in its constructor. */
async function proxy(
  client: Client,
  bytecode: Hex,
  implementation: Address,
  init: Hex,
  nonceKey: NonceKeyConvention,
): Promise<PeerAccount> {
  const initialize = encodeFunctionData({ abi: initializeAccountAbi, functionName: 'initializeAccount', args: [init] })
  const address = await deployCode(
    client,
    withArgs(bytecode, parseAbiParameters('address, bytes'), [implementation, initialize]),
  )
  return account(client, address, nonceKey)
}

async function account(
  client: Client,
  address: Address,
  nonceKey: NonceKeyConvention,
  passesRevertsOn = true,
): Promise<PeerAccount> {
  const accountId = await client.readContract({ address, abi: initializeAccountAbi, functionName: 'accountId' })
  return { address: getAddress(address), accountId, nonceKey, passesRevertsOn }
}

const safeAbi = parseAbi([
  'function setup(address[] owners, uint256 threshold, address to, bytes data, address fallbackHandler, address paymentToken, uint256 payment, address paymentReceiver)',
  'function enableModule(address module)',
  'function createProxyWithNonce(address singleton, bytes initializer, uint256 saltNonce) returns (address)',
  'struct ModuleInit { address module; bytes initData; }',
  'struct RegistryInit { address registry; address[] attesters; uint8 threshold; }',
  'function initializeAccount(ModuleInit[] validators, ModuleInit[] executors, ModuleInit[] fallbacks, ModuleInit[] hooks, RegistryInit registryInit)',
])

/**
 * A Safe (1.4.1, one owner) that adopts Rhinestone's Safe7579 adapter the way an existing Safe
 * does: the adapter as its fallback handler (at setup) and as a Safe module, then
 * `initializeAccount` with `validator` (installed with `data`), both called by the Safe itself.
 */
export async function deploySafe7579(client: Client, { validator, data }: { validator: Address; data: Hex }) {
  const s = precompiles('Safe7579Precompiles')
  const singleton = await deployCode(client, s.SAFE_SINGLETON_BYTECODE)
  const factory = await deployCode(client, s.SAFE_PROXY_FACTORY_BYTECODE)
  const adapter = await deployCode(client, s.SAFE7579_BYTECODE)
  const owner = '0x00000000000000000000000000000000000000A1'
  const setup = encodeFunctionData({
    abi: safeAbi,
    functionName: 'setup',
    args: [[owner], 1n, zeroAddress, '0x', adapter, zeroAddress, 0n, zeroAddress],
  })
  const { result: safe, request } = await client.simulateContract({
    address: factory,
    abi: safeAbi,
    functionName: 'createProxyWithNonce',
    args: [singleton, setup, 1n],
    account: client.account,
  })
  await client.waitForTransactionReceipt({ hash: await client.writeContract(request) })
  await client.setBalance({ address: safe, value: 10n ** 18n }) // for the gas of its own calls below
  await asAccount(client, safe, [
    encodeFunctionData({ abi: safeAbi, functionName: 'enableModule', args: [adapter] }),
    encodeFunctionData({
      abi: safeAbi,
      functionName: 'initializeAccount',
      args: [
        [{ module: validator, initData: data }],
        [],
        [],
        [],
        { registry: zeroAddress, attesters: [], threshold: 0 },
      ],
    }),
  ])
  // Safe7579 calls validators through the Safe's module call, which keeps no revert data.
  return account(client, safe, 'erc7579', false)
}

/**
 * Calls the account itself (each `data` to its own address) as the account: what its owner's
 * operation or transaction executes. A failed call throws.
 */
export async function asAccount(
  client: Client,
  address: Address,
  calls: readonly (Hex | { to: Address; data?: Hex | undefined })[],
): Promise<void> {
  await client.impersonateAccount({ address })
  try {
    for (const call of calls) {
      const { to, data } = typeof call === 'string' ? { to: address, data: call } : call
      const hash = await client.sendTransaction({ account: address, chain: client.chain, to, data })
      const { status } = await client.waitForTransactionReceipt({ hash })
      if (status !== 'success') throw new Error(`the account's call to ${to} reverted`)
    }
  } finally {
    await client.stopImpersonatingAccount({ address })
  }
}
