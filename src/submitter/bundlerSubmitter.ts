import { HttpRequestError, TimeoutError, BaseError as ViemBaseError } from 'viem'
import type { BundlerClient, UserOperation } from 'viem/account-abstraction'
import { preflight } from '../actions/preflight.js'
import { BaseError } from '../errors/base.js'
import { InvalidParameterError } from '../errors/parameter.js'
import { EndpointUnreachableError, UserOperationFailedError } from '../errors/session.js'
import { assertCalls, inTokenUnits, sessionOf } from './sessionOperation.js'
import { toSessionError } from './toSessionError.js'
import type { SendCallsParameters, UserOperationOutcome, UserOperationSubmitter } from './types.js'

/** Parameters of {@link createBundlerSubmitter}. */
export type CreateBundlerSubmitterParameters = {
  /** viem's bundler client, connected to an ERC-4337 bundler (gas comes from its estimate). */
  bundlerClient: BundlerClient
  /** How long to wait for inclusion, in ms; 60 s by default. */
  timeoutMs?: number | undefined
  /** Check session operations against the session's rules before sending (default true). */
  preflight?: boolean | undefined
}

/**
 * A {@link UserOperationSubmitter} that goes through an ERC-4337 bundler with viem's own
 * `sendUserOperation` and `waitForUserOperationReceipt`, turning the bundler's and the
 * EntryPoint's refusals into the SDK's typed errors.
 *
 * @example
 * import { createBundlerClient } from 'viem/account-abstraction'
 * import { createBundlerSubmitter } from 'session-keys'
 * const submitter = createBundlerSubmitter({ bundlerClient: createBundlerClient({ client, transport: http(bundlerUrl) }) })
 */
export function createBundlerSubmitter(parameters: CreateBundlerSubmitterParameters): UserOperationSubmitter {
  const { bundlerClient, timeoutMs = 60_000 } = parameters
  /** An HTTP failure in the causes: which endpoint did not answer (viem's error, with the whole request, stays as cause). */
  const unreachable = (error: unknown) => {
    const http =
      error instanceof ViemBaseError
        ? (error.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError) as
            | HttpRequestError
            | TimeoutError
            | null)
        : null
    if (!http) return undefined
    const url = 'url' in http ? http.url : undefined
    const bundlerUrl = (bundlerClient.transport as { url?: string }).url
    const same = (a: string, b: string) => URL.canParse(a) && URL.canParse(b) && new URL(a).href === new URL(b).href
    return new EndpointUnreachableError({
      what: url === undefined || bundlerUrl === undefined || same(url, bundlerUrl) ? 'bundler' : 'node',
      url: url ?? bundlerUrl,
      cause: error,
    })
  }
  if (!bundlerClient || typeof bundlerClient.sendUserOperation !== 'function') {
    throw new InvalidParameterError({
      field: 'bundlerClient',
      reason: 'not a viem bundler client',
      fix: 'pass createBundlerClient({ client, transport: http(bundlerUrl) })',
    })
  }
  return {
    async sendUserOperation({ account, calls }: SendCallsParameters): Promise<UserOperationOutcome> {
      assertCalls(calls)
      const { session, grant } = sessionOf(account)
      let userOpHash: `0x${string}`
      try {
        // Prepared (estimated by the bundler), checked, then signed: the session-key account
        // refuses to sign gas fields beyond its limits or the session's remaining budget.
        const prepared = (await bundlerClient.prepareUserOperation({ account, calls })) as UserOperation<'0.7'>
        if (session && parameters.preflight !== false) {
          await preflight(account.client, {
            session,
            userOperation: prepared,
            grant,
          })
        }
        const signature = await account.signUserOperation(prepared)
        userOpHash = await bundlerClient.sendUserOperation({
          ...(prepared as object),
          account: undefined,
          entryPointAddress: account.entryPoint.address,
          signature,
        } as never)
      } catch (error) {
        if (error instanceof BaseError) throw error
        throw (
          unreachable(error) ??
          (await inTokenUnits(account.client, toSessionError(error, { session, enableBefore: grant?.enableBefore })))
        )
      }
      let receipt: Awaited<ReturnType<typeof bundlerClient.waitForUserOperationReceipt>>
      try {
        receipt = await bundlerClient.waitForUserOperationReceipt({ hash: userOpHash, timeout: timeoutMs })
      } catch (error) {
        throw unreachable(error) ?? error
      }
      if (!receipt.success) {
        throw new UserOperationFailedError({
          userOpHash,
          transactionHash: receipt.receipt.transactionHash,
          revertData: receipt.reason as `0x${string}` | undefined,
        })
      }
      return {
        userOpHash,
        transactionHash: receipt.receipt.transactionHash,
        blockNumber: receipt.receipt.blockNumber,
        success: true,
        actualGasUsed: receipt.actualGasUsed,
        actualGasCost: receipt.actualGasCost,
        transactionGasUsed: receipt.receipt.gasUsed,
      }
    },
  }
}
