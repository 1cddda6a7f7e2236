import type { Address, Hex } from 'viem'
import { formatAmount, formatTime, short } from '../utils/format.js'
import { BaseError, errorDocs } from './base.js'

export { formatAmount } from '../utils/format.js'

/** The session's window is over: the EntryPoint refuses operations after `validUntil`. */
export class SessionExpiredError extends BaseError {
  override name = 'SessionExpiredError'
  readonly sessionId: Hex
  readonly validUntil: number

  constructor({ sessionId, validUntil, cause }: { sessionId: Hex; validUntil: number; cause?: unknown }) {
    super(`Session ${short(sessionId)} expired at ${formatTime(validUntil)}.`, {
      docsPath: errorDocs.refusals,
      metaMessages: ['Ask the owner to grant a new session.'],
      cause,
    })
    this.sessionId = sessionId
    this.validUntil = validUntil
  }
}

/** The session's window has not started yet. */
export class SessionNotYetValidError extends BaseError {
  override name = 'SessionNotYetValidError'
  readonly sessionId: Hex
  readonly validAfter: number

  constructor({ sessionId, validAfter, cause }: { sessionId: Hex; validAfter: number; cause?: unknown }) {
    super(`Session ${short(sessionId)} is not valid before ${formatTime(validAfter)}.`, {
      docsPath: errorDocs.refusals,
      metaMessages: ['Wait until the session starts.'],
      cause,
    })
    this.sessionId = sessionId
    this.validAfter = validAfter
  }
}

/** The session was revoked (by id, by revoke-all, or by uninstalling the module). */
export class SessionRevokedError extends BaseError {
  override name = 'SessionRevokedError'
  readonly sessionId: Hex

  constructor({ sessionId, cause }: { sessionId: Hex; cause?: unknown }) {
    super(`Session ${short(sessionId)} was revoked.`, {
      docsPath: errorDocs.refusals,
      metaMessages: [
        'The account owner revoked it (or all sessions), or its own key renounced it.',
        'A revoked session can never be used again; ask the owner for a new one.',
      ],
      cause,
    })
    this.sessionId = sessionId
  }
}

/** The session exists but the owner has not enabled it (or disabled it). */
export class SessionDisabledError extends BaseError {
  override name = 'SessionDisabledError'
  readonly sessionId: Hex

  constructor({ sessionId, cause }: { sessionId: Hex; cause?: unknown }) {
    super(`Session ${short(sessionId)} is disabled.`, {
      docsPath: errorDocs.refusals,
      metaMessages: ['The owner can enable it with setSessionEnabled({ enabled: true }).'],
      cause,
    })
    this.sessionId = sessionId
  }
}

/** No session with this id exists on this account (never granted, or wrong account/chain). */
export class SessionNotFoundError extends BaseError {
  override name = 'SessionNotFoundError'
  readonly sessionId: Hex
  readonly account: Address

  constructor({ sessionId, account, cause }: { sessionId: Hex; account: Address; cause?: unknown }) {
    super(`Session ${short(sessionId)} does not exist on account ${account}.`, {
      docsPath: errorDocs.refusals,
      metaMessages: ['Grant the session first (grantSession), on this account and chain.'],
      cause,
    })
    this.sessionId = sessionId
    this.account = account
  }
}

/** The rule a call broke. */
export type CallRule =
  | 'destination'
  | 'method'
  | 'argument'
  | 'value'
  | 'uses'
  | 'calldata'
  | 'call-type'
  | 'execution-mode'
  | 'paymaster'
  | 'gas-budget'
  | 'period'

/**
 * A call of the operation is outside the session's permissions (`index` names it), or the
 * operation as a whole is (`index` undefined: its paymaster, gas budget, execution mode or
 * calldata encoding).
 */
export class CallNotPermittedError extends BaseError {
  override name = 'CallNotPermittedError'
  readonly index: number | undefined
  readonly target: Address | undefined
  readonly selector: Hex | undefined
  readonly rule: CallRule

  constructor({
    index,
    target,
    selector,
    rule,
    detail,
    cause,
  }: {
    index: number | undefined
    target?: Address | undefined
    selector?: Hex | undefined
    rule: CallRule
    detail: string
    cause?: unknown
  }) {
    super(`${index === undefined ? 'The operation' : `Call ${index}`} is not permitted by the session: ${detail}.`, {
      docsPath: errorDocs.refusals,
      metaMessages: [
        `Rule broken: ${rule}.`,
        'Send only calls the session grants, or ask the owner for a wider session.',
      ],
      cause,
    })
    this.index = index
    this.target = target
    this.selector = selector
    this.rule = rule
  }
}

/** A call would bring the session's cumulative token amount over its limit. */
export class SpendingLimitExceededError extends BaseError {
  override name = 'SpendingLimitExceededError'
  readonly index: number
  readonly target: Address
  readonly spent: bigint
  readonly amount: bigint
  readonly limit: bigint

  constructor({
    index,
    target,
    spent,
    amount,
    limit,
    token,
    cause,
  }: {
    index: number
    target: Address
    spent: bigint
    amount: bigint
    limit: bigint
    /** The token's symbol and decimals, to show amounts in its units. */
    token?: { symbol: string; decimals: number } | undefined
    cause?: unknown
  }) {
    const show = (n: bigint) => (token ? `${formatAmount(n, token.decimals)} ${token.symbol}` : `${n}`)
    const on = token ? `${token.symbol} (${target})` : target
    super(
      `Call ${index}: amount ${show(amount)} would bring the total spent on ${on} to ${show(spent + amount)}, over the limit of ${show(limit)}.`,
      {
        metaMessages: [`Already spent: ${show(spent)}. Left: ${show(limit - spent)}.`],
        cause,
        docsPath: errorDocs.refusals,
      },
    )
    this.index = index
    this.target = target
    this.spent = spent
    this.amount = amount
    this.limit = limit
  }
}

/** What a recurring limit counts: token amount, native value (wei), or calls. */
export type PeriodLimitKind = 'token' | 'value' | 'uses'

/**
 * A call would exceed a recurring limit of its destination in the period its operation
 * claims ("10 TUSD a day"). `period` is the period's index; `resetsAt`, when known, is when
 * the next period starts.
 */
export class PeriodLimitExceededError extends BaseError {
  override name = 'PeriodLimitExceededError'
  readonly index: number
  readonly target: Address
  readonly kind: PeriodLimitKind
  readonly period: bigint
  readonly spent: bigint
  readonly amount: bigint
  readonly limit: bigint
  readonly resetsAt: number | undefined

  constructor({
    index,
    target,
    kind,
    period,
    spent,
    amount,
    limit,
    resetsAt,
    token,
    cause,
  }: {
    index: number
    target: Address
    kind: PeriodLimitKind
    period: bigint
    spent: bigint
    amount: bigint
    limit: bigint
    resetsAt?: number | undefined
    /** The token's symbol and decimals, to show amounts in its units. */
    token?: { symbol: string; decimals: number } | undefined
    cause?: unknown
  }) {
    const show = (n: bigint) =>
      kind === 'uses'
        ? `${n} call${n === 1n ? '' : 's'}`
        : kind === 'value'
          ? `${n} wei`
          : token
            ? `${formatAmount(n, token.decimals)} ${token.symbol}`
            : `${n}`
    const what =
      kind === 'uses'
        ? `one more call would make ${show(spent + 1n)} to ${target} in period ${period}`
        : `${kind === 'value' ? 'value' : 'amount'} ${show(amount)} would bring period ${period}'s total on ${token && kind === 'token' ? `${token.symbol} (${target})` : target} to ${show(spent + amount)}`
    super(`Call ${index}: ${what}, over the recurring limit of ${show(limit)} per period.`, {
      metaMessages: [
        `Counted in this period: ${show(spent)}.`,
        resetsAt === undefined
          ? 'The limit renews when the next period starts.'
          : `The limit renews at ${formatTime(resetsAt)}: send it again then.`,
      ],
      cause,
      docsPath: errorDocs.refusals,
    })
    this.index = index
    this.target = target
    this.kind = kind
    this.period = period
    this.spent = spent
    this.amount = amount
    this.limit = limit
    this.resetsAt = resetsAt
  }
}

/** A node or bundler did not answer over HTTP (down, wrong URL, timeout). */
export class EndpointUnreachableError extends BaseError {
  override name = 'EndpointUnreachableError'
  readonly url: string | undefined

  constructor({ what, url, cause }: { what: 'bundler' | 'node'; url?: string | undefined; cause?: unknown }) {
    super(`The ${what}${url ? ` at ${url}` : ''} does not answer.`, {
      docsPath: errorDocs.devnet,
      metaMessages: [
        what === 'bundler'
          ? 'Start it (npm run devnet starts one on 127.0.0.1:4337), or check the URL its bundler client was created with.'
          : 'Start the node, or check the URL of the client.',
        'Nothing was sent.',
      ],
      cause,
    })
    this.url = url
  }
}

/** Every refusal of a session operation, as the pre-flight check and the chain give them. */
export type SessionRefusalErrorType =
  | CallNotPermittedError
  | SpendingLimitExceededError
  | PeriodLimitExceededError
  | SessionExpiredError
  | SessionNotYetValidError
  | SessionRevokedError
  | SessionDisabledError
  | SessionNotFoundError
  | SessionGrantInvalidError
  | SessionGrantEpochInvalidError
  | SessionGrantExpiredError

/** The operation's signature is not the session key's for this operation (and grant). */
export class InvalidSessionSignatureError extends BaseError {
  override name = 'InvalidSessionSignatureError'

  /** The key that signs for the session on chain, when the owner rotated it away from the one used. */
  readonly signingKey: Address | undefined

  constructor({ cause, signingKey }: { cause?: unknown; signingKey?: Address | undefined } = {}) {
    super("The EntryPoint rejected the signature: it is not the session key's signature of this operation.", {
      docsPath: errorDocs.refusals,
      metaMessages: signingKey
        ? [
            `The owner rotated this session's key: only ${signingKey} signs for it now.`,
            'Use the session and private key the owner gave with the rotation (getRotateSessionKeyCalls).',
          ]
        : ['Sign with the private key of the session that was granted, on the same account, chain and EntryPoint.'],
      cause,
    })
    this.signingKey = signingKey
  }
}

/** The off-chain grant carried by the operation is not the owner's for this session and account. */
export class SessionGrantInvalidError extends BaseError {
  override name = 'SessionGrantInvalidError'
  readonly sessionId: Hex

  constructor({ sessionId, cause }: { sessionId: Hex; cause?: unknown }) {
    super(`The grant of session ${short(sessionId)} is not valid for this account.`, {
      docsPath: errorDocs.grants,
      metaMessages: [
        'The owner must sign the grant for exactly this session, account, chain and module (signSessionGrant).',
      ],
      cause,
    })
    this.sessionId = sessionId
  }
}

/** The EntryPoint refused the operation for a reason the SDK has no specific error for. */
export class UserOperationRejectedError extends BaseError {
  override name = 'UserOperationRejectedError'
  readonly reason: string

  constructor({ reason, cause }: { reason: string; cause?: unknown }) {
    super(`The EntryPoint rejected the user operation: ${reason}.`, { cause, docsPath: errorDocs.refusals })
    this.reason = reason
  }
}

/** The operation was included but its execution reverted (its validation passed). */
export class UserOperationFailedError extends BaseError {
  override name = 'UserOperationFailedError'
  readonly userOpHash: Hex
  readonly transactionHash: Hex
  readonly revertData: Hex | undefined

  constructor({
    userOpHash,
    transactionHash,
    revertData,
  }: { userOpHash: Hex; transactionHash: Hex; revertData?: Hex | undefined }) {
    super(`User operation ${short(userOpHash)} was included but its calls reverted.`, {
      docsPath: errorDocs.refusals,
      metaMessages: [`Transaction: ${transactionHash}`, ...(revertData ? [`Revert data: ${revertData}`] : [])],
    })
    this.userOpHash = userOpHash
    this.transactionHash = transactionHash
    this.revertData = revertData
  }
}

/** A contract the SDK needs has no code at its address on this chain. */
export class ContractNotDeployedError extends BaseError {
  override name = 'ContractNotDeployedError'
  readonly contract: string
  readonly address: Address
  readonly chainId: number

  constructor({
    contract,
    address,
    chainId,
    hint,
  }: {
    contract: string
    address: Address
    chainId: number
    /** What to do, when it is not "deploy the contracts". */
    hint?: readonly string[] | undefined
  }) {
    super(`${contract} is not deployed at ${address} on chain ${chainId}.`, {
      docsPath: errorDocs.deployment,
      metaMessages: hint ?? ['Deploy the contracts to this chain first, or connect to the chain where they are.'],
    })
    this.contract = contract
    this.address = address
    this.chainId = chainId
  }
}

/**
 * A wallet-side function was given a session whose module is not the session-keys validator
 * at its known address: a dapp could name a validator of its own that accepts anything.
 */
export class UntrustedModuleError extends BaseError {
  override name = 'UntrustedModuleError'
  readonly module: Address
  readonly expected: Address

  constructor({ module, expected }: { module: Address; expected: Address }) {
    super(`The session names the module ${module}, not the session-keys validator ${expected}.`, {
      docsPath: errorDocs.beforeSigning,
      metaMessages: [
        'A session request comes from the dapp: a module of its choosing could accept any operation.',
        'Refuse the request. Only a wallet that audited that module may pass allowUnknownModule: true.',
      ],
    })
    this.module = module
    this.expected = expected
  }
}

/**
 * The SDK refused to sign a user operation whose gas fields are beyond the session's budget
 * or a sane limit: an untrusted bundler (or dapp) may inflate them to drain the account.
 */
export class UnsafeUserOperationGasError extends BaseError {
  override name = 'UnsafeUserOperationGasError'
  readonly field: string
  readonly value: bigint
  readonly limit: bigint

  constructor({ field, value, limit, reason }: { field: string; value: bigint; limit: bigint; reason: string }) {
    super(`Refused to sign: ${field} is ${value}, over ${limit} (${reason}).`, {
      docsPath: errorDocs.beforeSigning,
      metaMessages: [
        'Gas fields come from the bundler or the dapp, and the account pays for them: the SDK signs only bounded ones.',
        'Use another bundler, or raise the limit with toSessionKeyAccount({ gasLimits }) if the value is expected.',
      ],
    })
    this.field = field
    this.value = value
    this.limit = limit
  }
}

/** The off-chain grant was signed for another revocation epoch than the account's current one. */
export class SessionGrantEpochInvalidError extends BaseError {
  override name = 'SessionGrantEpochInvalidError'
  readonly sessionId: Hex
  readonly grantEpoch: bigint
  readonly currentEpoch: bigint

  constructor({
    sessionId,
    grantEpoch,
    currentEpoch,
    cause,
  }: { sessionId: Hex; grantEpoch: bigint; currentEpoch: bigint; cause?: unknown }) {
    super(`The grant of session ${short(sessionId)} is for epoch ${grantEpoch}; the account is at ${currentEpoch}.`, {
      docsPath: errorDocs.grants,
      metaMessages: ['The owner revoked all sessions since the grant was signed: ask for a new grant.'],
      cause,
    })
    this.sessionId = sessionId
    this.grantEpoch = grantEpoch
    this.currentEpoch = currentEpoch
  }
}

/** The grant's deadline for creating the session has passed. */
export class SessionGrantExpiredError extends BaseError {
  override name = 'SessionGrantExpiredError'
  readonly sessionId: Hex
  readonly enableBefore: number

  constructor({ sessionId, enableBefore, cause }: { sessionId: Hex; enableBefore: number; cause?: unknown }) {
    super(`The grant of session ${short(sessionId)} could create it only until ${formatTime(enableBefore)}.`, {
      docsPath: errorDocs.grants,
      metaMessages: ['Ask the owner for a new grant.'],
      cause,
    })
    this.sessionId = sessionId
    this.enableBefore = enableBefore
  }
}
