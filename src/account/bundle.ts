import { type Address, decodeFunctionData, getAddress, type Hex } from 'viem'
import { entryPoint07Abi } from 'viem/account-abstraction'

/** One user operation of a `handleOps` transaction, as packed in its input. */
export type PackedOperation = { sender: Address; nonce: bigint; callData: Hex; signature: Hex }

/** The user operations of `account` in a transaction's input: none unless it is a v0.7 `handleOps`. */
export function accountOperationsIn(input: Hex, account: Address): PackedOperation[] {
  try {
    const call = decodeFunctionData({ abi: entryPoint07Abi, data: input })
    if (call.functionName !== 'handleOps') return []
    return call.args[0].filter((op) => getAddress(op.sender) === account)
  } catch {
    return [] // not a bundle
  }
}
