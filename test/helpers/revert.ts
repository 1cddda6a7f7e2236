import assert from 'node:assert/strict'
import {
  type Client,
  ContractFunctionRevertedError,
  decodeErrorResult,
  type Hex,
  BaseError as ViemBaseError,
} from 'viem'
import { simulateContract } from 'viem/actions'
import { type Session, type SessionConfigStruct, sessionKeyValidatorAbi } from '../../src/index.js'

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

/**
 * Asserts that the module refuses to create `config` for the session's account with exactly
 * the error `name(...args)` (simulated: the SDK's checks are bypassed).
 */
export async function assertCreateRefused(
  client: Client,
  session: Session,
  config: SessionConfigStruct,
  name: string,
  args: readonly unknown[],
): Promise<void> {
  await assert.rejects(
    simulateContract(client, {
      address: session.module,
      abi: sessionKeyValidatorAbi,
      functionName: 'createSession',
      args: [config],
      account: session.account,
    }),
    (e: unknown) => {
      const revert = moduleRevert(e)
      assert.equal(revert.name, name)
      assert.deepEqual(revert.args, args)
      return true
    },
    name,
  )
}
