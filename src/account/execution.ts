import {
  type Address,
  type Call,
  decodeAbiParameters,
  decodeFunctionData,
  encodeAbiParameters,
  encodeFunctionData,
  encodePacked,
  type Hex,
  size,
  sliceHex,
} from 'viem'
import { accountCallsAbi } from '../generated/accountCallsAbi.js'

/** ERC-7579 mode: single call, revert on failure. */
export const modeSingle = `0x${'00'.repeat(32)}` as Hex
/** ERC-7579 mode: batch call, revert on failure. */
export const modeBatch = `0x01${'00'.repeat(31)}` as Hex

const executionsParameter = [
  {
    type: 'tuple[]',
    components: [
      { name: 'target', type: 'address' },
      { name: 'value', type: 'uint256' },
      { name: 'callData', type: 'bytes' },
    ],
  },
] as const

/**
 * Encodes calls as the account's ERC-7579 `execute(mode, executionCalldata)`: one call in
 * single mode, several in batch mode, always in the canonical ABI form the module accepts.
 * With `direct`, a lone call from the account to itself (install a module, for instance)
 * is sent as the account's own function, which the EntryPoint may call directly (owner only:
 * the session module accepts nothing but `execute`).
 *
 * @example
 * import { encodeExecute } from 'session-keys'
 * const callData = encodeExecute(account, [{ to: token, data }])
 */
export function encodeExecute(account: Address, calls: readonly Call[], options: { direct?: boolean } = {}): Hex {
  if (calls.length === 1) {
    const [call] = calls
    const toSelf = call.to.toLowerCase() === account.toLowerCase()
    if (options.direct && toSelf && !call.value && call.data && call.data !== '0x') {
      return call.data
    }
    const single = encodePacked(['address', 'uint256', 'bytes'], [call.to, call.value ?? 0n, call.data ?? '0x'])
    return encodeFunctionData({ abi: accountCallsAbi, functionName: 'execute', args: [modeSingle, single] })
  }
  const batch = encodeAbiParameters(executionsParameter, [
    calls.map((c) => ({ target: c.to, value: c.value ?? 0n, callData: c.data ?? '0x' })),
  ])
  return encodeFunctionData({ abi: accountCallsAbi, functionName: 'execute', args: [modeBatch, batch] })
}

/**
 * Decodes the calls of an `execute(mode, executionCalldata)`.
 *
 * @example
 * import { decodeExecute } from 'session-keys'
 * const calls = decodeExecute(account, userOperation.callData)
 */
export function decodeExecute(account: Address, callData: Hex): Call[] {
  const decoded = decodeFunctionData({ abi: accountCallsAbi, data: callData })
  if (decoded.functionName !== 'execute') return [{ to: account, data: callData }]
  const [mode, executionCalldata] = decoded.args as readonly [Hex, Hex]
  if (mode === modeSingle) {
    return [
      {
        to: sliceHex(executionCalldata, 0, 20),
        value: BigInt(sliceHex(executionCalldata, 20, 52)),
        data: size(executionCalldata) > 52 ? sliceHex(executionCalldata, 52) : '0x',
      },
    ]
  }
  const [executions] = decodeAbiParameters(executionsParameter, executionCalldata)
  return executions.map((e) => ({ to: e.target, value: e.value, data: e.callData }))
}
