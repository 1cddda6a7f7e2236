import { type Address, type Client, encodeFunctionData, getAddress, type Hex, keccak256 } from 'viem'
import { entryPoint07Abi, toPackedUserOperation, type UserOperation } from 'viem/account-abstraction'
import { entryPointAddress } from '../constants/addresses.js'

/** Opcodes ERC-7562 forbids in validation (OP-011, OP-012, OP-013 and the block-context ones). */
export const bannedOpcodes = new Set([
  'GASPRICE',
  'GASLIMIT',
  'DIFFICULTY',
  'PREVRANDAO',
  'TIMESTAMP',
  'BASEFEE',
  'BLOCKHASH',
  'NUMBER',
  'SELFBALANCE',
  'BALANCE',
  'ORIGIN',
  'CREATE',
  'CREATE2',
  'COINBASE',
  'SELFDESTRUCT',
  'BLOBHASH',
  'BLOBBASEFEE',
  'INVALID',
])
const callOpcodes = new Set(['CALL', 'STATICCALL', 'DELEGATECALL', 'CALLCODE'])
const extcodeOpcodes = new Set(['EXTCODESIZE', 'EXTCODEHASH', 'EXTCODECOPY'])
/** OP-062: the stateless precompiles 1–9, and RIP-7212's P-256 verifier (0x100) where a chain has it. */
const allowedPrecompiles = new Set([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 0x100n])
/** `depositTo(address)`: the one EntryPoint function validation may call (OP-052). */
const depositToSelector = 'b760faf9'

/** One rule broken during validation. */
export type Erc7562Violation = {
  /** The kind of breach; `code` names the ERC-7562 rule. */
  rule: 'opcode' | 'storage' | 'access'
  /** The ERC-7562 rule broken, e.g. `OP-011`, `STO-021`, `OP-041`. */
  code: string
  /** The contract whose code ran (opcode) or whose storage was touched (storage). */
  contract: Address
  opcode: string
  slot?: Hex | undefined
  /** The address accessed, for access rules (OP-041, OP-054, OP-061, OP-062). */
  target?: Address | undefined
  pc: number
}

/** What {@link checkErc7562} found. */
export type Erc7562Report = { steps: number; violations: Erc7562Violation[] }

type StructLog = { op: string; depth: number; pc: number; stack?: string[]; memory?: string[] }

/**
 * Replays `handleOps([userOperation])` with the node's struct-log tracer (`debug_traceCall`,
 * which EDR supports) and checks the validation phase — the account's `validateUserOp` and
 * everything it calls — against ERC-7562 for an unstaked sender and module:
 * - OP-011/012/080: no banned opcode (BALANCE and SELFBALANCE included: unstaked), GAS only
 *   right before a call;
 * - STO-021/032 and OP-070: no storage or transient-storage slot outside the sender's
 *   associated storage (its own storage, the slot equal to its address, or
 *   `keccak256(sender ‖ x) + n` with n ≤ 128, from the hashes computed during validation);
 * - OP-041/042: no EXTCODE* or call to an address without code (the sender excepted, and
 *   EXTCODESIZE followed by ISZERO, OP-051);
 * - OP-054: no access to the EntryPoint but `depositTo` and the sender's plain payment
 *   (OP-052/053);
 * - OP-061: no call with value, except to the EntryPoint;
 * - OP-062: no precompile but 1–9 (and P-256 at 0x100).
 *
 * @example
 * import { checkErc7562 } from 'session-keys/devnet'
 * const { violations } = await checkErc7562(client, { userOperation })
 */
export async function checkErc7562(
  client: Client,
  parameters: { userOperation: UserOperation<'0.7'>; from: Address },
): Promise<Erc7562Report> {
  const { userOperation, from } = parameters
  const sender = getAddress(userOperation.sender)
  const data = encodeFunctionData({
    abi: entryPoint07Abi,
    functionName: 'handleOps',
    args: [[toPackedUserOperation(userOperation)], from],
  })
  const trace = (await client.request({
    method: 'debug_traceCall',
    params: [{ from, to: entryPointAddress, data, gas: '0x1c9c380' }, 'latest', { enableMemory: true }],
  } as never)) as { structLogs: StructLog[] }
  const { steps, violations, accessed } = analyse(trace.structLogs, sender)
  // OP-041: every address reached must have code (the sender may be under deployment, OP-042).
  for (const access of accessed) {
    if (access.target === sender) continue
    const code = await client.request({ method: 'eth_getCode', params: [access.target, 'latest'] } as never)
    if (!code || code === '0x') violations.push({ ...access, rule: 'access', code: 'OP-041' })
  }
  return { steps, violations }
}

type Access = Omit<Erc7562Violation, 'rule' | 'code'> & { target: Address }

function analyse(logs: StructLog[], sender: Address) {
  const violations: Erc7562Violation[] = []
  const accessed: Access[] = []
  const senderWord = BigInt(sender)
  const entryPoint = getAddress(entryPointAddress)
  const bases: bigint[] = []
  // Storage context per depth: CALL/STATICCALL switch it, DELEGATECALL/CALLCODE keep it.
  const contexts: Address[] = [entryPoint, entryPoint]
  let inValidation = false
  let validationDone = false
  let steps = 0
  const associated = (contract: Address, slot: bigint) =>
    contract === sender || slot === senderWord || bases.some((base) => slot >= base && slot - base <= 128n)

  for (let i = 0; i < logs.length; i++) {
    const log = logs[i]
    const next = logs[i + 1]
    const stack = log.stack ?? []
    const top = (n: number) => BigInt(`0x${stack[stack.length - 1 - n].replace(/^0x/, '')}`)
    const address = (word: bigint) => getAddress(`0x${(word & (2n ** 160n - 1n)).toString(16).padStart(40, '0')}`)

    if (inValidation && log.depth >= 2) {
      steps++
      const contract = contexts[log.depth]
      const at = { contract, opcode: log.op, pc: log.pc }
      if (bannedOpcodes.has(log.op)) {
        const code = log.op === 'BALANCE' || log.op === 'SELFBALANCE' ? 'OP-080' : 'OP-011'
        violations.push({ rule: 'opcode', code, ...at })
      } else if (log.op === 'GAS' && !(next && callOpcodes.has(next.op))) {
        violations.push({ rule: 'opcode', code: 'OP-012', ...at, opcode: 'GAS (not followed by a call)' })
      } else if (log.op === 'KECCAK256' && log.memory) {
        const offset = Number(top(0))
        const size = Number(top(1))
        const memory = log.memory.join('')
        const input = memory.slice(offset * 2, (offset + size) * 2)
        if (size >= 32 && BigInt(`0x${input.slice(0, 64)}`) === senderWord) {
          bases.push(BigInt(keccak256(`0x${input}`)))
        }
      } else if (log.op === 'SLOAD' || log.op === 'SSTORE' || log.op === 'TLOAD' || log.op === 'TSTORE') {
        const slot = top(0)
        if (!associated(contract, slot)) {
          const code = log.op.startsWith('T') ? 'OP-070' : 'STO-021'
          violations.push({ rule: 'storage', code, ...at, slot: `0x${slot.toString(16).padStart(64, '0')}` })
        }
      } else if (extcodeOpcodes.has(log.op)) {
        const target = address(top(0))
        const existenceCheck = log.op === 'EXTCODESIZE' && next?.op === 'ISZERO'
        if (target === entryPoint) violations.push({ rule: 'access', code: 'OP-054', ...at, target })
        else if (!existenceCheck) accessed.push({ ...at, target })
      } else if (callOpcodes.has(log.op)) {
        const target = address(top(1))
        const hasValue = (log.op === 'CALL' || log.op === 'CALLCODE') && top(2) !== 0n
        const word = BigInt(target)
        if (word > 0n && word <= 0x100n && !allowedPrecompiles.has(word)) {
          violations.push({ rule: 'access', code: 'OP-062', ...at, target })
        } else if (target === entryPoint) {
          // OP-052/053: depositTo(sender), or the sender paying its prefund (no calldata).
          const argsOffset = Number(top(log.op === 'CALL' || log.op === 'CALLCODE' ? 3 : 2))
          const argsSize = Number(top(log.op === 'CALL' || log.op === 'CALLCODE' ? 4 : 3))
          const memory = log.memory?.join('') ?? ''
          const selector = argsSize >= 4 ? memory.slice(argsOffset * 2, argsOffset * 2 + 8) : ''
          const payment = argsSize === 0 && contract === sender
          if (!payment && selector !== depositToSelector)
            violations.push({ rule: 'access', code: 'OP-054', ...at, target })
        } else {
          if (hasValue) violations.push({ rule: 'access', code: 'OP-061', ...at, target })
          if (!allowedPrecompiles.has(word)) accessed.push({ ...at, target })
        }
      }
    }
    if (callOpcodes.has(log.op) && next && next.depth === log.depth + 1) {
      const target = address(top(1))
      const context = log.op === 'CALL' || log.op === 'STATICCALL' ? target : contexts[log.depth]
      contexts[log.depth + 1] = context
      if (log.depth === 1 && target === sender && !validationDone && !inValidation) inValidation = true
    }
    if (inValidation && next && next.depth === 1) {
      inValidation = false
      validationDone = true
    }
  }
  return { steps, violations, accessed }
}
