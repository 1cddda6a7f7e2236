import { type Account, type Address, type Chain, type Client, type Hex, parseEventLogs, type Transport } from 'viem'
import {
  entryPoint07Abi,
  getUserOperationHash,
  type SmartAccount,
  toPackedUserOperation,
  type UserOperation,
} from 'viem/account-abstraction'
import { getBlock, simulateContract, waitForTransactionReceipt, writeContract } from 'viem/actions'
import { preflight } from '../actions/preflight.js'
import { entryPointAddress } from '../constants/addresses.js'
import { InvalidParameterError } from '../errors/parameter.js'
import { UserOperationFailedError, UserOperationRejectedError } from '../errors/session.js'
import type { Session } from '../policy/dataTypes.js'
import { findEntryPointRejection, fromEntryPointRejection } from '../submitter/fromEntryPoint.js'
import { assertCalls, inTokenUnits, sessionOf } from '../submitter/sessionOperation.js'
import type { SendCallsParameters, UserOperationOutcome, UserOperationSubmitter } from '../submitter/types.js'
import { parseAddress } from '../utils/parse.js'

/** Gas limits the submitter signs into each operation (no bundler estimates them here). */
export type SubmitterGasLimits = {
  verificationGasLimit: bigint
  callGasLimit: bigint
  preVerificationGas: bigint
}

/** Parameters of {@link createEntryPointSubmitter}. */
export type CreateEntryPointSubmitterParameters = {
  /** A wallet client whose account pays for the `handleOps` transactions. */
  client: Client<Transport, Chain, Account>
  /** Receives the operations' fees; the client's account by default. */
  beneficiary?: Address | undefined
  /** Limits signed into each operation; generous defaults (unused gas is refunded). */
  gas?: Partial<SubmitterGasLimits> | undefined
  /** Check session operations against the session's rules before sending (default true). */
  preflight?: boolean | undefined
  /** Called with each signed operation before it is simulated and sent (for tracing tools). */
  onBeforeSend?: ((userOperation: UserOperation<'0.7'>) => Promise<void>) | undefined
}

const defaultGas: SubmitterGasLimits = {
  verificationGasLimit: 600_000n,
  callGasLimit: 1_000_000n,
  preVerificationGas: 60_000n,
}

/**
 * A {@link UserOperationSubmitter} that bundles by itself: it signs each operation with the
 * account, checks it with a simulated `EntryPoint.handleOps`, then sends the transaction
 * from the client's account. Used by the embedded devnet; in production use a bundler.
 *
 * @example
 * import { createEntryPointSubmitter } from 'session-keys'
 * const submitter = createEntryPointSubmitter({ client: walletClient })
 * const outcome = await submitter.sendUserOperation({ account, calls: [{ to, data }] })
 */
export function createEntryPointSubmitter(parameters: CreateEntryPointSubmitterParameters): UserOperationSubmitter {
  const { client } = parameters
  if (!client?.account) {
    throw new InvalidParameterError({
      field: 'client.account',
      reason: 'the client has no account to send handleOps from',
      fix: 'create the wallet client with an account',
    })
  }
  const beneficiary = parseAddress(parameters.beneficiary ?? client.account.address, 'beneficiary')
  const gas = parameters.gas

  return {
    async sendUserOperation({ account, calls }: SendCallsParameters): Promise<UserOperationOutcome> {
      assertCalls(calls)
      const { session, grant } = sessionOf(account)
      const callData = await account.encodeCalls(calls)
      const userOperation = await prepareUserOperation07(client, { account, callData, gas })
      if (session && parameters.preflight !== false) {
        await preflight(client, { session, userOperation, grant })
      }
      userOperation.signature = await account.signUserOperation(userOperation)
      await parameters.onBeforeSend?.(userOperation)
      return handleUserOperation(client, {
        userOperation,
        beneficiary,
        session,
        enableBefore: grant?.enableBefore,
      })
    },
  }
}

/**
 * Fills an unsigned v0.7 user operation for `account`: nonce, factory (if the account is
 * not deployed yet), the given gas limits and fees from the pending block.
 */
export async function prepareUserOperation07(
  client: Client<Transport, Chain, Account>,
  parameters: { account: SmartAccount; callData: Hex; gas?: Partial<SubmitterGasLimits> | undefined },
): Promise<UserOperation<'0.7'>> {
  const { account, callData } = parameters
  const gas = { ...defaultGas, ...parameters.gas }
  const [nonce, factoryArgs, block] = await Promise.all([
    account.getNonce(),
    account.getFactoryArgs(),
    getBlock(client, { blockTag: 'pending' }),
  ])
  const maxPriorityFeePerGas = 1_000_000_000n
  return {
    sender: account.address,
    nonce,
    callData,
    ...(factoryArgs.factory ? { factory: factoryArgs.factory, factoryData: factoryArgs.factoryData } : {}),
    callGasLimit: gas.callGasLimit,
    verificationGasLimit: factoryArgs.factory ? gas.verificationGasLimit + 500_000n : gas.verificationGasLimit,
    preVerificationGas: gas.preVerificationGas,
    maxFeePerGas: (block.baseFeePerGas ?? 0n) * 2n + maxPriorityFeePerGas,
    maxPriorityFeePerGas,
    signature: '0x',
  }
}

/**
 * Puts one signed user operation on chain with `EntryPoint.handleOps`, after simulating it
 * so that a validation failure becomes the SDK's typed error (in the session's terms when
 * `session` is given) and no transaction is sent.
 */
export async function handleUserOperation(
  client: Client<Transport, Chain, Account>,
  parameters: {
    userOperation: UserOperation<'0.7'>
    beneficiary: Address
    session?: Session | undefined
    /** The deadline of the grant the operation carries, to name an expired grant. */
    enableBefore?: number | undefined
  },
): Promise<UserOperationOutcome> {
  const { userOperation, beneficiary, session, enableBefore } = parameters
  const userOpHash = getUserOperationHash({
    userOperation,
    entryPointAddress,
    entryPointVersion: '0.7',
    chainId: client.chain.id,
  })
  const request = {
    address: entryPointAddress,
    abi: entryPoint07Abi,
    functionName: 'handleOps',
    args: [[toPackedUserOperation(userOperation)], beneficiary],
    account: client.account,
    chain: client.chain,
  } as const

  let transactionHash: Hex
  try {
    await simulateContract(client, { ...request, blockTag: 'pending' })
    transactionHash = await writeContract(client, request)
  } catch (error) {
    const rejection = findEntryPointRejection(error)
    if (!rejection) throw error
    const block = await getBlock(client, { blockTag: 'pending' })
    throw await inTokenUnits(
      client,
      fromEntryPointRejection(rejection, { session, now: Number(block.timestamp), enableBefore, cause: error }),
    )
  }
  const receipt = await waitForTransactionReceipt(client, { hash: transactionHash })
  if (receipt.status !== 'success') {
    throw new UserOperationRejectedError({ reason: `handleOps transaction ${transactionHash} reverted` })
  }
  const events = parseEventLogs({ abi: entryPoint07Abi, logs: receipt.logs })
  const event = events.find((e) => e.eventName === 'UserOperationEvent' && e.args.userOpHash === userOpHash)
  if (event?.eventName !== 'UserOperationEvent') {
    throw new UserOperationRejectedError({ reason: `no UserOperationEvent for ${userOpHash} in ${transactionHash}` })
  }
  if (!event.args.success) {
    const revert = events.find((e) => e.eventName === 'UserOperationRevertReason')
    throw new UserOperationFailedError({
      userOpHash,
      transactionHash,
      revertData: revert?.eventName === 'UserOperationRevertReason' ? revert.args.revertReason : undefined,
    })
  }
  return {
    userOpHash,
    transactionHash,
    blockNumber: receipt.blockNumber,
    success: true,
    actualGasUsed: event.args.actualGasUsed,
    actualGasCost: event.args.actualGasCost,
    transactionGasUsed: receipt.gasUsed,
  }
}
