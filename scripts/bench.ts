/**
 * Benchmarks: exact gas per operation on the embedded chain, and SDK throughput and size.
 * Writes bench/results.json and bench/README.md, and prints the table.
 *
 * Gas is the gas used by the `handleOps` transaction of a one-operation bundle, the
 * account paying its own prefund (no paymaster), beneficiary = the bundler EOA.
 */

import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { type Address, type Call, encodeFunctionData, keccak256, parseEther, parseUnits, stringToHex } from 'viem'
import type { SmartAccount } from 'viem/account-abstraction'
import { privateKeyToAccount } from 'viem/accounts'
import { sessionAccountAbi } from '../src/abis.js'
import { createDevnet, deployTestTarget, deployTestToken, mintTestToken, testTokenAbi } from '../src/devnet/index.js'
import {
  checkSessionOperation,
  defineSession,
  getGrantSessionCalls,
  getRevokeSessionCalls,
  getSessionUsage,
  handleUserOperation,
  maxCostOf,
  type PermissionInput,
  prepareUserOperation07,
  sessionKeyValidatorAddress,
  signSessionGrant,
  toOwnerAccount,
  toSessionKeyAccount,
} from '../src/index.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const devnet = await createDevnet()
const { client } = devnet
const submit = (account: SmartAccount, calls: readonly Call[]) => devnet.submitter.sendUserOperation({ account, calls })

// Fixed keys and salts: calldata (zero and non-zero bytes) and addresses are the same on
// every run, so the gas figures are too. Bench-only throwaway keys, never printed.
let counter = 0
const fixedKey = (label: string) => keccak256(stringToHex(`session-keys bench ${label} ${counter++}`))
const fixedSessionKey = () => {
  const privateKey = fixedKey('session key')
  return { privateKey, address: privateKeyToAccount(privateKey).address }
}
const tokens = (n: number) => parseUnits(String(n), 18)

async function newAccount() {
  const ownerAccount = await toOwnerAccount({ client, owner: privateKeyToAccount(fixedKey('owner')) })
  await devnet.fund(ownerAccount.address, parseEther('10'))
  return ownerAccount
}

const token = await deployTestToken(client, { name: 'Bench USD', symbol: 'BUSD' })
const targets = [await deployTestTarget(client), await deployTestTarget(client)]
const recipient = privateKeyToAccount(fixedKey('recipient')).address
await mintTestToken(client, { token, to: recipient, amount: 1n }) // the recipient already holds the token
const transfer = (amount: bigint): Call => ({
  to: token,
  data: encodeFunctionData({ abi: testTokenAbi, functionName: 'transfer', args: [recipient, amount] }),
})
const transferPermission: PermissionInput = {
  whitelistDestination: token,
  whitelistMethods: ['transfer(address,uint256)'],
  tokenAmount: tokens(1_000_000),
}

// A fixed window too (usable once granted, until 2096): windows taken from the chain's clock
// changed the calldata, and the gas, by a few units from run to run.
const benchSessionEnd = 4_000_000_000

async function sessionFor(account: Address, permissions: readonly PermissionInput[], gasBudget?: bigint | 'unlimited') {
  const key = fixedSessionKey()
  const session = defineSession({
    account,
    chainId: devnet.chain.id,
    sessionKey: key.address,
    permissions,
    validity: { endTimestamp: benchSessionEnd },
    salt: fixedKey('salt'),
    gasBudget,
  })
  return { session, key }
}

// deployAccount: an operation with initCode and no call.
const freshOwner = privateKeyToAccount(fixedKey('owner'))
const fresh = await toOwnerAccount({ client, owner: freshOwner })
await devnet.fund(fresh.address, parseEther('10'))
const deployOp = await prepareUserOperation07(client, { account: fresh, callData: '0x' })
deployOp.signature = await fresh.signUserOperation(deployOp)
const deployAccount = await handleUserOperation(client, {
  userOperation: deployOp,
  beneficiary: client.account.address,
})

// grantSession: install the module and create a one-permission session, one owner operation.
const { session, key } = await sessionFor(fresh.address, [transferPermission])
const grantSession = await submit(fresh, await getGrantSessionCalls(client, { session }))
await mintTestToken(client, { token, to: fresh.address, amount: tokens(1_000_000) })

// ownerErc20Transfer: owner-signed transfer, second one (nonce and balances already non-zero).
await submit(fresh, [transfer(1n)])
const ownerErc20Transfer = await submit(fresh, [transfer(1n)])

// sessionErc20Transfer: session-key transfer, second one (spent counter already non-zero).
const dapp = await toSessionKeyAccount({ client, session, sessionKey: key.privateKey })
const firstSessionTransfer = await submit(dapp, [transfer(1n)])
const sessionErc20Transfer = await submit(dapp, [transfer(1n)])

// sessionBatch5Transfers: five transfers in one batch.
const sessionBatch5Transfers = await submit(
  dapp,
  Array.from({ length: 5 }, () => transfer(1n)),
)

// sessionRules3Permissions: a session with three permissions and argument rules, one transfer call.
const three = await sessionFor(fresh.address, [
  {
    ...transferPermission,
    rules: [
      { method: 'transfer(address to, uint256 amount)', arg: 'to', condition: 'eq', value: recipient },
      { method: 'transfer(address to, uint256 amount)', arg: 'amount', condition: 'lte', value: tokens(100) },
    ],
  },
  {
    whitelistDestination: targets[0],
    whitelistMethods: ['ping(uint256)', 'poke()'],
    rules: [{ method: 'ping(uint256 n)', arg: 'n', condition: 'oneOf', value: [1n, 2n, 3n] }],
  },
  { whitelistDestination: targets[1], whitelistMethods: ['ping(uint256)'], maxUses: 10 },
])
await submit(fresh, await getGrantSessionCalls(client, { session: three.session }))
const threeDapp = await toSessionKeyAccount({ client, session: three.session, sessionKey: three.key.privateKey })
await submit(threeDapp, [transfer(1n)])
const sessionRules3Permissions = await submit(threeDapp, [transfer(1n)])

// offchainGrantFirstUse: a session granted off-chain, its first use (creates the session)
// against the first use of a session granted on chain (same permission, same call).
const offchain = await sessionFor(fresh.address, [transferPermission])
// A fixed deadline as well: the default (an hour after the chain's time) varies run to run.
const grant = await signSessionGrant(client, {
  session: offchain.session,
  owner: freshOwner,
  enableBefore: benchSessionEnd,
})
const grantDapp = await toSessionKeyAccount({
  client,
  session: offchain.session,
  sessionKey: offchain.key.privateKey,
  grant,
})
const grantFirstUse = await submit(grantDapp, [transfer(1n)])
const onchain = await sessionFor(fresh.address, [transferPermission])
await submit(fresh, await getGrantSessionCalls(client, { session: onchain.session }))
const onchainDapp = await toSessionKeyAccount({ client, session: onchain.session, sessionKey: onchain.key.privateKey })
const onchainFirstUse = await submit(onchainDapp, [transfer(1n)])

// revokeSession: owner operation revoking one session.
const revokeSession = await submit(fresh, getRevokeSessionCalls({ session: three.session }))

// gasBudgetCharge: two sessions alike but for the gas budget (the default one, and the
// 'unlimited' opt-out), each used once; then, from the same chain state (a snapshot, so the
// nonce and the EntryPoint deposit are the same), the second transfer of each.
const budgeted = await sessionFor(fresh.address, [transferPermission])
const unlimited = await sessionFor(fresh.address, [transferPermission], 'unlimited')
await submit(fresh, [
  ...(await getGrantSessionCalls(client, { session: budgeted.session })),
  ...(await getGrantSessionCalls(client, { session: unlimited.session })),
])
const budgetedDapp = await toSessionKeyAccount({
  client,
  session: budgeted.session,
  sessionKey: budgeted.key.privateKey,
})
const unlimitedDapp = await toSessionKeyAccount({
  client,
  session: unlimited.session,
  sessionKey: unlimited.key.privateKey,
})
await submit(budgetedDapp, [transfer(1n)])
await submit(unlimitedDapp, [transfer(1n)])
const beforePair = await devnet.snapshot()
const withBudget = await submit(budgetedDapp, [transfer(1n)])
await devnet.revert(beforePair)
const sessionErc20TransferUnlimitedGas = await submit(unlimitedDapp, [transfer(1n)])

// Module install alone (for the breakdown): on another deployed account.
const other = await newAccount()
await submit(other, [{ to: recipient, value: 0n, data: '0x' }])
const installOnly = await submit(other, [
  {
    to: other.address,
    data: encodeFunctionData({
      abi: sessionAccountAbi,
      functionName: 'installModule',
      args: [1n, sessionKeyValidatorAddress, '0x'],
    }),
  },
])

// SDK throughput: session-key user operations signed per second.
const signOp = await prepareUserOperation07(client, { account: dapp, callData: await dapp.encodeCalls([transfer(1n)]) })
const signPerSecond = await perSecond(() => dapp.signUserOperation(signOp))

// SDK throughput: pre-flight checks per second (the rules on a 3-call batch, counters given).
const usage = await getSessionUsage(client, { session })
const batchCallData = await dapp.encodeCalls([transfer(1n), transfer(2n), transfer(3n)])
const preflightPerSecond = await perSecond(async () =>
  checkSessionOperation(
    session,
    usage,
    { callData: batchCallData, maxCost: maxCostOf(signOp) },
    { now: session.validAfter + 1 },
  ),
)

// SDK size: minified and gzipped, viem external — the whole entry, and what a dapp that
// runs the seed flow through a bundler imports (tree-shaken).
const bundleSize = async (contents: string) => {
  const out = await build({
    stdin: { contents, resolveDir: join(root, 'src'), loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    external: ['viem', 'viem/*'],
    write: false,
  })
  const bytes = out.outputFiles[0].contents
  return { minified: bytes.length, gzip: gzipSync(bytes).length }
}
const whole = await bundleSize("export * from './index.ts'")
const dappFlow = await bundleSize(
  "export { defineSession, generateSessionKey, getGrantSessionCalls, toSessionKeyAccount, createBundlerSubmitter } from './index.ts'",
)
const bundleBytes = { length: whole.minified }
const bundleBytesGzip = whole.gzip

const gas = {
  deployAccount: deployAccount.transactionGasUsed,
  grantSession: grantSession.transactionGasUsed,
  offchainGrantFirstUse: grantFirstUse.transactionGasUsed - onchainFirstUse.transactionGasUsed,
  ownerErc20Transfer: ownerErc20Transfer.transactionGasUsed,
  sessionErc20Transfer: sessionErc20Transfer.transactionGasUsed,
  sessionBatch5Transfers: sessionBatch5Transfers.transactionGasUsed,
  sessionRules3Permissions: sessionRules3Permissions.transactionGasUsed,
  revokeSession: revokeSession.transactionGasUsed,
  sessionErc20TransferFirst: firstSessionTransfer.transactionGasUsed,
  sessionErc20TransferUnlimitedGas: sessionErc20TransferUnlimitedGas.transactionGasUsed,
  gasBudgetCharge: withBudget.transactionGasUsed - sessionErc20TransferUnlimitedGas.transactionGasUsed,
  installModuleOnly: installOnly.transactionGasUsed,
}
const scenarios: Record<string, string> = {
  deployAccount:
    'A user operation with initCode (factory createAccount: ERC-1167 clone + initialize) and empty callData, owner-signed; the account pays its prefund.',
  grantSession:
    'One owner-signed operation on a deployed account without the module: installModule(validator) whose init data creates a session with one permission (transfer on one token, cumulative limit).',
  offchainGrantFirstUse:
    'Extra gas of the first session-key operation of a session granted off-chain (EIP-712 grant checked by the account through ERC-1271, session created during validation) over the first operation of the same session granted on chain; both one ERC-20 transfer.',
  ownerErc20Transfer:
    'Owner-signed ERC-20 transfer, the account’s second operation (nonce non-zero), sender and recipient balances already non-zero.',
  sessionErc20Transfer:
    'Session-key ERC-20 transfer, the session’s second transfer (spent counter non-zero), sender and recipient balances already non-zero.',
  sessionBatch5Transfers:
    'Session-key batch (ERC-7579 batch mode) of five ERC-20 transfers to an existing recipient, counter non-zero.',
  sessionRules3Permissions:
    'Session with three permissions (token transfer with a limit and two argument rules: recipient EQ, amount LTE; a contract with two methods and a ONE_OF rule; a contract with a use limit), one transfer call, second use.',
  revokeSession: 'Owner-signed operation calling revokeSession(sessionId) on the module.',
  sessionErc20TransferFirst:
    'Session-key ERC-20 transfer, the session’s first use: its spent counter goes from zero to non-zero (+~17k for the fresh slot).',
  installModuleOnly: 'Owner-signed installModule(validator, empty init data) on a deployed account.',
  sessionErc20TransferUnlimitedGas:
    "Session-key ERC-20 transfer, second use, in a session whose owner opted out of the gas budget (gasBudget: 'unlimited', shown as a warning); measured from the same chain state as its budgeted twin.",
  gasBudgetCharge:
    'What charging the gas budget costs a session operation: the second transfer of a session with the default budget minus that of its unlimited twin, both from the same snapshot (same nonce, same EntryPoint deposit).',
}
const peers = {
  sessionErc20Transfer: { 'Biconomy v2': 147_023, 'Kernel v2.1': 153_240, 'Alchemy MA v2': 197_295 },
  grantSession: { 'Biconomy v2': 212_577, 'Kernel v2.1': 292_655, 'Alchemy MA v2': 495_041 },
  source: 'alchemyplatform/aa-benchmarks (published figures, not re-measured here)',
}
const results = {
  gas: Object.fromEntries(Object.entries(gas).map(([k, v]) => [k, v === null ? null : Number(v)])),
  sdk: {
    preflightPerSecond,
    signPerSecond,
    bundleBytesGzip,
    bundleBytesMinified: bundleBytes.length,
    dappFlowBundleBytesGzip: dappFlow.gzip,
  },
  scenarios,
  peers,
  environment: {
    chain: 'Hardhat 2.29 EDR (in-process), hardfork cancun, EntryPoint v0.7 canonical',
    solc: '0.8.30, optimizer 10,000 runs, evm cancun',
    node: process.version,
  },
}
writeFileSync(join(root, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`)

const fmt = (n: bigint | number | null) => (n === null ? '—' : Number(n).toLocaleString('en-US'))
const rows = [
  ['Scenario', 'Gas (exact)', 'Peers (published)'],
  ['Deploy the account', fmt(gas.deployAccount), ''],
  [
    'Install module + create a one-permission session (one owner op)',
    fmt(gas.grantSession),
    'Biconomy v2 212,577 · Kernel v2.1 292,655 · Alchemy MA v2 495,041 (create session)',
  ],
  ['Off-chain grant, first use (extra gas over an on-chain grant)', fmt(gas.offchainGrantFirstUse), ''],
  ['ERC-20 transfer, owner-signed', fmt(gas.ownerErc20Transfer), ''],
  [
    'ERC-20 transfer, session key',
    fmt(gas.sessionErc20Transfer),
    'Biconomy v2 147,023 · Kernel v2.1 153,240 · Alchemy MA v2 197,295',
  ],
  ['Session overhead (session − owner)', fmt(gas.sessionErc20Transfer - gas.ownerErc20Transfer), ''],
  ['ERC-20 transfer, session key, first use of the session', fmt(gas.sessionErc20TransferFirst), ''],
  ["ERC-20 transfer, session key, gas budget opted out ('unlimited')", fmt(gas.sessionErc20TransferUnlimitedGas), ''],
  ['Gas budget charge per operation (budgeted − unlimited)', fmt(gas.gasBudgetCharge), ''],
  ['Batch of 5 transfers, session key', fmt(gas.sessionBatch5Transfers), ''],
  ['Session with 3 permissions and argument rules, one call', fmt(gas.sessionRules3Permissions), ''],
  ['Revoke a session', fmt(gas.revokeSession), ''],
  ['Install module only (empty init)', fmt(gas.installModuleOnly), ''],
]
const table = rows.map((r, i) => `| ${r.join(' | ')} |${i === 0 ? `\n|${' --- |'.repeat(r.length)}` : ''}`).join('\n')
const sdkTable = [
  '| SDK figure | Value |',
  '| --- | --- |',
  `| Session-key user operations signed per second | ${fmt(signPerSecond)} |`,
  `| Pre-flight checks per second (3-call batch) | ${fmt(preflightPerSecond)} |`,
  `| Bundle size, whole entry, min+gzip, viem external | ${fmt(bundleBytesGzip)} bytes (${fmt(bundleBytes.length)} minified) |`,
  `| Bundle size, seed flow through a bundler (tree-shaken), min+gzip | ${fmt(dappFlow.gzip)} bytes |`,
].join('\n')
const markdown = `# Benchmarks

Produced by \`npm run bench\` (scripts/bench.ts); the numbers below are from its last run and
\`results.json\` holds them with each scenario in one sentence. Gas is exact and deterministic:
the gas used by the \`handleOps\` transaction of a one-operation bundle, the account paying its
own prefund, on ${results.environment.chain}, contracts compiled with solc ${results.environment.solc}.
Throughput figures depend on the machine (here ${process.version}, one run).

${table}

${sdkTable}

Peer figures: ${peers.source}.
`
writeFileSync(join(root, 'bench/README.md'), markdown)
console.log(markdown)
process.exit(0)

async function perSecond(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 50; i++) await fn() // warm up
  const start = performance.now()
  let count = 0
  while (performance.now() - start < 2000) {
    await fn()
    count++
  }
  return Math.round((count * 1000) / (performance.now() - start))
}
