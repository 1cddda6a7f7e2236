// Mirrors contracts/session/lib/ExecutionLib.sol: reads the calls of `execute(mode, data)`
// exactly as the account will, and refuses every non-canonical encoding. Each function
// returns undefined where the Solidity one returns ok = false.
import { type Address, getAddress, type Hex, hexToBigInt } from 'viem'

const EXECUTE_SELECTOR = '0xe9ae5c53'

/** ERC-7579 call types (mode byte 0) and exec types (mode byte 1), as in ExecutionLib.sol. */
export const CALLTYPE_SINGLE = 0x00
export const CALLTYPE_BATCH = 0x01
export const CALLTYPE_DELEGATECALL = 0xff
export const EXECTYPE_DEFAULT = 0x00
export const EXECTYPE_TRY = 0x01

/** A byte view of calldata (offsets in bytes, like calldata slices in Solidity). */
export type Bytes = Uint8Array

export function toBytes(hex: Hex): Bytes {
  const clean = hex.slice(2)
  const out = new Uint8Array(clean.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(2 * i, 2 * i + 2), 16)
  return out
}

export function toHex(bytes: Bytes): Hex {
  let s = '0x'
  for (const b of bytes) s += b.toString(16).padStart(2, '0')
  return s as Hex
}

/** The 32-byte big-endian word at `position` (callers have checked the bounds). */
export function word(bytes: Bytes, position: number): bigint {
  return hexToBigInt(toHex(bytes.subarray(position, position + 32)))
}

const ceil32 = (n: number) => Math.ceil(n / 32) * 32

export function decodeExecute(callData: Bytes): { mode: bigint; executionCalldata: Bytes } | undefined {
  if (callData.length < 100 || toHex(callData.subarray(0, 4)) !== EXECUTE_SELECTOR) return undefined
  const mode = word(callData, 4)
  const offset = word(callData, 36)
  const length = word(callData, 68)
  if (offset !== 0x40n || length > BigInt(callData.length)) return undefined
  if (callData.length !== 100 + ceil32(Number(length))) return undefined
  return { mode, executionCalldata: callData.subarray(100, 100 + Number(length)) }
}

export function decodeMode(mode: bigint): { ok: boolean; callType: number; execType: number } {
  const callType = Number(mode >> 248n)
  const execType = Number((mode >> 240n) & 0xffn)
  const ok = (mode & ((1n << 240n) - 1n)) === 0n
  return { ok, callType, execType }
}

export type DecodedCall = { target: Address; value: bigint; data: Bytes }

export function decodeSingle(exec: Bytes): DecodedCall | undefined {
  if (exec.length < 52) return undefined
  return { target: address(exec.subarray(0, 20)), value: word(exec, 20), data: exec.subarray(52) }
}

export function decodeDelegate(exec: Bytes): DecodedCall | undefined {
  if (exec.length < 20) return undefined
  return { target: address(exec.subarray(0, 20)), value: 0n, data: exec.subarray(20) }
}

export function batchLength(exec: Bytes): number | undefined {
  if (exec.length < 0x40) return undefined
  if (word(exec, 0) !== 0x20n) return undefined
  const count = word(exec, 0x20)
  if (count === 0n || count > BigInt(Math.floor((exec.length - 0x40) / 0x20))) return undefined
  return Number(count)
}

export function batchAt(
  exec: Bytes,
  index: number,
  expectedOffset: number,
): { call: DecodedCall; nextOffset: number } | undefined {
  if (word(exec, 0x40 + index * 0x20) !== BigInt(expectedOffset)) return undefined
  const base = 0x40 + expectedOffset
  const total = exec.length
  if (base > total || total - base < 0x80) return undefined
  const targetWord = word(exec, base)
  if (targetWord >> 160n !== 0n || word(exec, base + 0x40) !== 0x60n) return undefined
  const length = word(exec, base + 0x60)
  if (length > BigInt(total) || BigInt(total - base - 0x80) < BigInt(ceil32(Number(length)))) return undefined
  const start = base + 0x80
  return {
    call: {
      target: getAddress(`0x${targetWord.toString(16).padStart(40, '0')}`),
      value: word(exec, base + 0x20),
      data: exec.subarray(start, start + Number(length)),
    },
    nextOffset: expectedOffset + 0x80 + ceil32(Number(length)),
  }
}

export function batchEndsAt(exec: Bytes, endOffset: number): boolean {
  return exec.length === 0x40 + endOffset
}

function address(bytes: Bytes): Address {
  return getAddress(toHex(bytes))
}
