import type { Call, Hex } from 'viem'
import type { SmartAccount } from 'viem/account-abstraction'

/** Parameters of {@link UserOperationSubmitter.sendUserOperation}. */
export type SendCallsParameters = {
  /** The smart account that sends (owner or session key). */
  account: SmartAccount
  /** The calls to execute, in order. */
  calls: readonly Call[]
}

/** What happened to a user operation once it was included. */
export type UserOperationOutcome = {
  userOpHash: Hex
  transactionHash: Hex
  blockNumber: bigint
  /** Whether the calls executed without reverting. */
  success: boolean
  /** Gas the EntryPoint charged the operation for (validation, execution, overhead). */
  actualGasUsed: bigint
  /** Wei the account paid. */
  actualGasCost: bigint
  /** Gas used by the whole `handleOps` transaction (for a one-operation bundle). */
  transactionGasUsed: bigint
}

/**
 * The one small interface between the SDK and whatever puts user operations on chain:
 * the embedded devnet calls `EntryPoint.handleOps` itself; a bundler does the same over
 * JSON-RPC. It sends, waits for inclusion, and throws the SDK's typed errors.
 */
export type UserOperationSubmitter = {
  sendUserOperation(parameters: SendCallsParameters): Promise<UserOperationOutcome>
}
