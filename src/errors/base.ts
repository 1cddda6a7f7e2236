/** Parameters shared by every error of the SDK. */
export type BaseErrorParameters = {
  /** Lines that tell the user what to do about it. */
  metaMessages?: readonly string[] | undefined
  /** The error this one explains, when there is one. */
  cause?: unknown
  /** What the cause said, when there is no cause to take it from. */
  details?: string | undefined
  /** The README section that explains this error, e.g. `#refusals-of-a-session-operation`. */
  docsPath?: string | undefined
}

/** The README sections errors point at (each is a heading of README.md; a test checks it). */
export const errorDocs = {
  parameters: '#invalid-parameters',
  refusals: '#refusals-of-a-session-operation',
  grants: '#grants',
  beforeSigning: '#refused-before-signing',
  deployment: '#deployment',
  guarantee: '#the-guarantee-and-its-limits',
  devnet: '#through-a-real-bundler',
} as const

/**
 * The base class of every error the SDK throws, shaped like viem's `BaseError`:
 * `shortMessage` is one line; `details` what the cause said; `metaMessages` what to do;
 * `docsPath` the README section that explains it; `cause` the original error (a revert, an RPC
 * failure); `walk` finds an error in the chain of causes.
 *
 * @example
 * import { BaseError, SpendingLimitExceededError } from 'session-keys'
 * try { ... } catch (e) {
 *   const limit = e instanceof BaseError ? e.walk((c) => c instanceof SpendingLimitExceededError) : undefined
 * }
 */
export class BaseError extends Error {
  override name = 'SessionKeysError'
  readonly shortMessage: string
  readonly details: string
  readonly metaMessages: readonly string[]
  readonly docsPath: string | undefined

  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    const { metaMessages = [], cause, docsPath } = parameters
    const details =
      cause instanceof BaseError
        ? cause.details || cause.shortMessage
        : cause instanceof Error
          ? ((cause as { shortMessage?: string }).shortMessage ?? cause.message.split('\n')[0])
          : (parameters.details ?? '')
    const lines = [
      shortMessage,
      ...(metaMessages.length > 0 ? ['', ...metaMessages] : []),
      ...(docsPath ? ['', `Docs: README.md${docsPath}`] : []),
      ...(details ? ['', `Details: ${details}`] : []),
    ]
    super(lines.join('\n'), cause === undefined ? undefined : { cause })
    this.shortMessage = shortMessage
    this.details = details
    this.metaMessages = metaMessages
    this.docsPath = docsPath
  }

  /**
   * Walks this error and its causes: returns the first for which `fn` is true (or `null`), or,
   * without `fn`, the deepest cause.
   */
  walk(): Error
  walk(fn: (error: unknown) => boolean): Error | null
  walk(fn?: (error: unknown) => boolean): Error | null {
    let current: unknown = this
    let last: Error = this
    while (current instanceof Error) {
      if (fn?.(current)) return current
      last = current
      current = current.cause
    }
    return fn ? null : last
  }
}
