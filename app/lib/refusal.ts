// What the dapp tells its user when an operation is refused, and whether to offer to ask again.
import {
  BaseError,
  CallNotPermittedError,
  EndpointUnreachableError,
  SessionDisabledError,
  SessionExpiredError,
  SessionGrantEpochInvalidError,
  SessionGrantExpiredError,
  SessionNotYetValidError,
  SessionRevokedError,
  SpendingLimitExceededError,
  UnsafeUserOperationGasError,
} from 'session-keys'

export type Refusal = {
  /** One line in plain words. */
  title: string
  /** The SDK's message (what was wrong, and how to fix it). */
  detail: string
  /** The session cannot go on: offer to ask the wallet again. */
  askAgain: boolean
}

/** Plain words for an error of the SDK (or any error). */
export function explainRefusal(error: unknown): Refusal {
  const detail =
    error instanceof BaseError ? error.shortMessage : error instanceof Error ? error.message : String(error)
  const is = <T extends abstract new (...args: never[]) => unknown>(type: T) =>
    error instanceof BaseError && error.walk((e) => e instanceof type) !== null
  if (is(SpendingLimitExceededError))
    return { title: 'Your allowance for this session is used up.', detail, askAgain: true }
  if (is(SessionRevokedError) || is(SessionGrantEpochInvalidError)) {
    return { title: 'The wallet revoked this session.', detail, askAgain: true }
  }
  if (is(SessionExpiredError) || is(SessionGrantExpiredError))
    return { title: 'This session has ended.', detail, askAgain: true }
  if (is(SessionDisabledError)) return { title: 'The wallet paused this session.', detail, askAgain: false }
  if (is(SessionNotYetValidError)) return { title: 'This session has not started yet.', detail, askAgain: false }
  if (is(CallNotPermittedError)) return { title: 'The session does not allow this.', detail, askAgain: false }
  if (is(UnsafeUserOperationGasError))
    return { title: 'Refused to sign: the gas asked for is unsafe.', detail, askAgain: false }
  if (is(EndpointUnreachableError)) return { title: 'The network does not answer.', detail, askAgain: false }
  return { title: 'The operation failed.', detail, askAgain: false }
}
