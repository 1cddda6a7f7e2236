import type { Hex } from 'viem'
import type { BaseError } from '../errors/base.js'
import {
  InvalidSessionSignatureError,
  SessionExpiredError,
  SessionNotYetValidError,
  UserOperationRejectedError,
} from '../errors/session.js'
import type { Session } from '../policy/dataTypes.js'
import { type EntryPointRejection, findEntryPointRejection, fromEntryPointRejection } from './fromEntryPoint.js'

/**
 * Turns what a node or a bundler answered about a refused user operation into the SDK's
 * typed error, in the session's terms (limit exceeded with spent/limit, call N not
 * permitted and which rule, expired, revoked, wrong key…). The raw error stays as `cause`.
 * Errors it does not recognise are returned unchanged.
 *
 * @example
 * import { toSessionError } from 'session-keys'
 * try {
 *   await bundlerClient.sendUserOperation({ account: dapp, calls })
 * } catch (error) {
 *   throw toSessionError(error, { session })
 * }
 */
export function toSessionError(
  error: unknown,
  context: { session?: Session | undefined; now?: number | undefined; enableBefore?: number | undefined } = {},
): BaseError | unknown {
  const { session, now, enableBefore } = context
  const rejection = findEntryPointRejection(error) ?? findBundlerRejection(error)
  if (rejection) return fromEntryPointRejection(rejection, { session, now, enableBefore, cause: error })
  const text = allText(error)
  if (session && /not valid yet/i.test(text)) {
    return new SessionNotYetValidError({ sessionId: session.id, validAfter: session.validAfter, cause: error })
  }
  if (session && /(expired|out of time-range)/i.test(text)) {
    return new SessionExpiredError({ sessionId: session.id, validUntil: session.validUntil, cause: error })
  }
  if (session && /(invalid (user operation )?signature|signature error)/i.test(text)) {
    return new InvalidSessionSignatureError({ cause: error })
  }
  if (/\bAA\d\d\b/.test(text)) {
    const reason = text.match(/\bAA\d\d[^.\n]*/)?.[0] ?? 'unknown reason'
    return new UserOperationRejectedError({ reason, cause: error })
  }
  return error
}

/**
 * Bundlers report validation reverts as text, e.g. Alto's
 * "UserOperation reverted during simulation with reason: AA23 reverted 0x…".
 */
function findBundlerRejection(error: unknown): EntryPointRejection | undefined {
  const match = allText(error).match(/\b(AA\d\d [A-Za-z' ]+?)\s*(0x[0-9a-fA-F]*)?(?:\n|$|["'])/)
  if (!match) return undefined
  return { reason: match[1].trim(), inner: match[2] && match[2].length > 2 ? (match[2] as Hex) : undefined }
}

function allText(error: unknown): string {
  const parts: string[] = []
  for (let e: unknown = error, depth = 0; e && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    for (const key of ['details', 'shortMessage', 'message'] as const) {
      const value = (e as Record<string, unknown>)[key]
      if (typeof value === 'string') parts.push(value)
    }
  }
  return parts.join('\n')
}
