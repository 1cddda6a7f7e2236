/**
 * Where the gas of a session operation goes: traces the published scenario's owner and session
 * transfers (the same transfer, the same chain state but for the session) and attributes every
 * instruction's gas to the contract, function and source line it comes from (solc source maps),
 * with storage reads and writes counted apart. Prints, for the session operation, the gas it
 * spends beyond the owner's, function by function.
 *
 *   npm run bench:profile [-- --pair <owner op> <session op>] [-- --lines]
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Address, getAddress, type Hex, keccak256, stringToHex } from 'viem'
import { createDevnet, deployTestToken } from '../../src/devnet/index.js'
import { entryPointAddress } from '../../src/index.js'
import { type Measured, measurePublishedScenario, type PublishedScenario } from './published.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const args = process.argv.slice(2)
const pairAt = args.indexOf('--pair')
const [ownerOp, sessionOp] = (
  pairAt >= 0
    ? args.slice(pairAt + 1, pairAt + 3)
    : ['ownerErc20TransferSecondToHolder', 'sessionErc20TransferSecondUseToHolder']
) as (keyof PublishedScenario)[]
const byLine = args.includes('--lines')

type StructLog = { pc: number; op: string; gas: number; gasCost: number; depth: number; stack?: Hex[] }
type Maps = {
  sourceFiles: string[]
  contracts: Record<string, { deployedBytecode: Hex; sourceMap: string }>
}
const maps = JSON.parse(readFileSync(join(root, 'src/generated/sourceMaps.json'), 'utf8')) as Maps
/** Each source file once, as bytes: source-map offsets count bytes (UTF-8), not characters. */
const sources = new Map<string, Buffer>()
const sourceOf = (file: string): Buffer => {
  let bytes = sources.get(file)
  if (!bytes) {
    const path = [join(root, file), join(root, 'node_modules', file)].find((p) => existsSync(p))
    bytes = path ? readFileSync(path) : Buffer.alloc(0)
    sources.set(file, bytes)
  }
  return bytes
}

/** pc → "Contract.function (file:line)" for one contract's deployed code. */
function locator(name: string): (pc: number) => { fn: string; line: string } {
  const { deployedBytecode, sourceMap } = maps.contracts[name]
  const code = Buffer.from(deployedBytecode.slice(2), 'hex')
  const instructionAt = new Map<number, number>()
  for (let pc = 0, i = 0; pc < code.length; i++) {
    instructionAt.set(pc, i)
    const op = code[pc]
    pc += op >= 0x60 && op <= 0x7f ? op - 0x5e : 1
  }
  let s = 0
  let f = -1
  const entries = sourceMap.split(';').map((entry) => {
    const [es, , ef] = entry.split(':')
    if (es !== undefined && es !== '') s = Number(es)
    if (ef !== undefined && ef !== '') f = Number(ef)
    return { s, f }
  })
  // A traced transaction runs the same instructions many times: each pc is located once.
  const located = new Map<number, { fn: string; line: string }>()
  return (pc) => {
    const known = located.get(pc)
    if (known) return known
    const entry = entries[instructionAt.get(pc) ?? -1]
    const file = entry && entry.f >= 0 ? maps.sourceFiles[entry.f] : undefined
    let where = { fn: `${name} (compiler-generated)`, line: `${name}` }
    if (file) {
      const before = sourceOf(file).subarray(0, entry.s).toString('utf8')
      const line = before.split('\n').length
      const fn = [...before.matchAll(/function\s+(\w+)/g)].pop()?.[1] ?? '(contract)'
      where = { fn: `${file.split('/').pop()?.replace('.sol', '')}.${fn}`, line: `${file}:${line}` }
    }
    located.set(pc, where)
    return where
  }
}

const devnet = await createDevnet()
const { client } = devnet
/** The compiled contract whose code this is (immutables differ: same length, nearly the same bytes). */
function nameOfCode(code: Hex): string | undefined {
  for (const [name, { deployedBytecode }] of Object.entries(maps.contracts)) {
    if (deployedBytecode.length !== code.length || code.length < 4) continue
    let same = 0
    for (let i = 2; i < code.length; i += 2) if (code.slice(i, i + 2) === deployedBytecode.slice(i, i + 2)) same++
    if (same / ((code.length - 2) / 2) > 0.97) return name
  }
  return undefined
}
const locators = new Map<string, ReturnType<typeof locator>>()
/** Each address's code is read and recognised once per run. */
const names = new Map<string, string>()
async function codeName(address: Address): Promise<string> {
  const cached = names.get(address.toLowerCase())
  if (cached) return cached
  const name = await recognise(address)
  names.set(address.toLowerCase(), name)
  return name
}
async function recognise(address: Address): Promise<string> {
  const code = (await client.getCode({ address })) ?? '0x'
  if (address.toLowerCase() === entryPointAddress.toLowerCase()) return 'EntryPoint'
  if (Number(address) < 0x100) return `precompile ${Number(address)}`
  return nameOfCode(code) ?? (code.length <= 2 + 2 * 45 ? 'account (ERC-1167 proxy)' : address)
}

type Profile = { total: bigint; rows: Map<string, { gas: number; sload: number; sstore: number; calls: number }> }

async function profile(hash: Hex, entry: Address): Promise<Profile> {
  const trace = (await client.request({
    method: 'debug_traceTransaction',
    params: [hash, { disableMemory: true, disableStorage: true }],
  } as never)) as { gas: number; structLogs: StructLog[] }
  const logs = trace.structLogs
  const rows: Profile['rows'] = new Map()
  // The code running at each depth: the entry contract, then each call's callee (a
  // delegatecall runs the callee's code on the caller's storage).
  const frames: string[] = [await codeName(entry)]
  for (let i = 0; i < logs.length; i++) {
    const l = logs[i]
    frames.length = l.depth
    const running = frames[l.depth - 1]
    let cost = l.gasCost
    const isCall = ['CALL', 'STATICCALL', 'DELEGATECALL', 'CALLCODE'].includes(l.op)
    if (isCall) {
      let end = i + 1
      while (end < logs.length && logs[end].depth > l.depth) end++
      const inner = end > i + 1 ? logs[i + 1].gas - (logs[end - 1].gas - logs[end - 1].gasCost) : 0
      cost = end < logs.length ? l.gas - logs[end].gas - inner : l.gasCost
      const callee = getAddress(`0x${(l.stack?.[l.stack.length - 2] ?? '0x0').slice(2).padStart(64, '0').slice(24)}`)
      frames[l.depth] = await codeName(callee)
    }
    let where: string
    const known = maps.contracts[running]
    if (known) {
      if (!locators.has(running)) locators.set(running, locator(running))
      const located = (locators.get(running) as ReturnType<typeof locator>)(l.pc)
      where = byLine ? located.line : located.fn
    } else where = running
    const row = rows.get(where) ?? { gas: 0, sload: 0, sstore: 0, calls: 0 }
    row.gas += cost
    if (l.op === 'SLOAD') row.sload += cost
    if (l.op === 'SSTORE') row.sstore += cost
    if (isCall) row.calls += cost
    rows.set(where, row)
  }
  return { total: BigInt(trace.gas), rows }
}

const token = await deployTestToken(client, { name: 'Bench USD', symbol: 'BUSD' })
const measured = new Map<string, Measured>()
const profiles = new Map<string, Profile>()
await measurePublishedScenario({
  devnet,
  token,
  fixedKey: (label) => keccak256(stringToHex(`session-keys profile ${label}`)),
  sessionEnd: 4_000_000_000,
  async inspect(name, m) {
    if ((name === ownerOp || name === sessionOp) && !measured.has(name)) {
      measured.set(name, m)
      profiles.set(name, await profile(m.transactionHash, entryPointAddress))
    }
  },
})
const a = profiles.get(ownerOp)
const b = profiles.get(sessionOp)
if (!a || !b) throw new Error(`unknown operation: ${ownerOp} or ${sessionOp}`)
const owner = measured.get(ownerOp) as Measured
const session = measured.get(sessionOp) as Measured
console.log(
  `${sessionOp} ${session.gasUsed} − ${ownerOp} ${owner.gasUsed} = ${session.gasUsed - owner.gasUsed} gas (transaction gasUsed)`,
)
console.log(
  `calldata: ${session.calldataBytes} − ${owner.calldataBytes} bytes; execution (trace): ${b.total} − ${a.total} = ${b.total - a.total}`,
)
const keys = [...new Set([...a.rows.keys(), ...b.rows.keys()])]
const diff = keys
  .map((k) => {
    const x = a.rows.get(k) ?? { gas: 0, sload: 0, sstore: 0, calls: 0 }
    const y = b.rows.get(k) ?? { gas: 0, sload: 0, sstore: 0, calls: 0 }
    return {
      where: k,
      extra: y.gas - x.gas,
      sload: y.sload - x.sload,
      sstore: y.sstore - x.sstore,
      calls: y.calls - x.calls,
    }
  })
  .filter((r) => r.extra !== 0)
  .sort((p, q) => q.extra - p.extra)
console.log('\n| Where (contract.function) | Extra gas | of which SLOAD | SSTORE | CALL/STATICCALL |')
console.log('| --- | --- | --- | --- | --- |')
for (const r of diff) console.log(`| ${r.where} | ${r.extra} | ${r.sload} | ${r.sstore} | ${r.calls} |`)
const traced = diff.reduce((t, r) => t + r.extra, 0)
console.log(`| transaction calldata (intrinsic gas) | ${Number(session.gasUsed - owner.gasUsed) - traced} | | | |`)
console.log(`| total | ${session.gasUsed - owner.gasUsed} | | | |`)
process.exit(0)
