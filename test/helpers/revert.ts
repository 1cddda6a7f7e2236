import { ContractFunctionRevertedError, decodeErrorResult, type Hex, BaseError as ViemBaseError } from 'viem'
import { sessionKeyValidatorAbi } from '../../src/index.js'

/** The module's custom error and its arguments in a failed call (decoded, or read from the node's message). */
export function moduleRevert(error: unknown): { name?: string; args?: readonly unknown[] } {
  const reverted =
    error instanceof ViemBaseError
      ? (error.walk((c) => c instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null)
      : null
  if (reverted?.data?.errorName) return { name: reverted.data.errorName, args: reverted.data.args }
  const data = /return data: (0x[0-9a-fA-F]+)/.exec(String((error as Error)?.message))?.[1]
  if (!data) return {}
  const decoded = decodeErrorResult({ abi: sessionKeyValidatorAbi, data: data as Hex })
  return { name: decoded.errorName, args: decoded.args }
}
