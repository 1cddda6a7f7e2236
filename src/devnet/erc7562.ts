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

/** One rule broken during validation. */
export type Erc7562Violation = {
  rule: 'opcode' | 'storage'
  /** The contract whose code ran (opcode) or whose storage was touched (storage). */
  contract: Address
  opcode: string
  slot?: Hex | undefined
  pc: number
}

/** What {@link checkErc7562} found. */
export type Erc7562Report = { steps: number; violations: Erc7562Violation[] }

type StructLog = { op: string; depth: number; pc: number; stack?: string[]; memory?: string[] }

/**
 * Replays `handleOps([userOperation])` with the node's struct-log tracer (`debug_traceCall`,
 * which EDR supports) and checks the validation phase — the account's `validateUserOp` and
 * everything it calls — against ERC-7562: no banned opcode (GAS only right before a call),
 * and no storage slot outside the sender's associated storage (the sender's own storage, the
 * slot equal to its address, or `keccak256(sender ‖ x) + n` with n ≤ 128, from the hashes
 * computed during validation).
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
  return analyse(trace.structLogs, sender)
}

function analyse(logs: StructLog[], sender: Address): Erc7562Report {
  const violations: Erc7562Violation[] = []
  const senderWord = BigInt(sender)
  const bases: bigint[] = []
  // Storage context per depth: CALL/STATICCALL switch it, DELEGATECALL/CALLCODE keep it.
  const contexts: Address[] = [entryPointAddress, entryPointAddress]
  let inValidation = false
  let validationDone = false
  let steps = 0

  for (let i = 0; i < logs.length; i++) {
    const log = logs[i]
    const next = logs[i + 1]
    const stack = log.stack ?? []
    const top = (n: number) => BigInt(`0x${stack[stack.length - 1 - n].replace(/^0x/, '')}`)

    if (callOpcodes.has(log.op) && next && next.depth === log.depth + 1) {
      const target = getAddress(`0x${top(1).toString(16).padStart(40, '0')}`)
      const context = log.op === 'CALL' || log.op === 'STATICCALL' ? target : contexts[log.depth]
      contexts[log.depth + 1] = context
      if (log.depth === 1 && target === sender && !validationDone && !inValidation) inValidation = true
    }
    if (inValidation && log.depth >= 2) {
      steps++
      const contract = contexts[log.depth]
      if (bannedOpcodes.has(log.op)) {
        violations.push({ rule: 'opcode', contract, opcode: log.op, pc: log.pc })
      } else if (log.op === 'GAS' && !(next && callOpcodes.has(next.op))) {
        violations.push({ rule: 'opcode', contract, opcode: 'GAS (not followed by a call)', pc: log.pc })
      } else if (log.op === 'KECCAK256' && log.memory) {
        const offset = Number(top(0))
        const size = Number(top(1))
        const memory = log.memory.join('')
        const input = memory.slice(offset * 2, (offset + size) * 2)
        if (size >= 32 && BigInt(`0x${input.slice(0, 64)}`) === senderWord) {
          bases.push(BigInt(keccak256(`0x${input}`)))
        }
      } else if (log.op === 'SLOAD' || log.op === 'SSTORE') {
        const slot = top(0)
        const associated =
          contract === sender || slot === senderWord || bases.some((base) => slot >= base && slot - base <= 128n)
        if (!associated) {
          violations.push({
            rule: 'storage',
            contract,
            opcode: log.op,
            slot: `0x${slot.toString(16).padStart(64, '0')}`,
            pc: log.pc,
          })
        }
      }
    }
    if (inValidation && next && next.depth === 1) {
      inValidation = false
      validationDone = true
    }
  }
  return { steps, violations }
}
