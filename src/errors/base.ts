/** Parameters shared by every error of the SDK. */
export type BaseErrorParameters = {
  /** Lines that tell the user what to do about it. */
  metaMessages?: readonly string[] | undefined
  /** The error this one explains, when there is one. */
  cause?: unknown
  /** Path of the README section that explains this, e.g. `#errors`. */
  docsPath?: string | undefined
}

/**
 * The base class of every error the SDK throws. `shortMessage` is one line; `metaMessages`
 * say what to do; `cause` keeps the original error (a revert, an RPC failure).
 *
 * @example
 * import { BaseError } from 'session-keys'
 * try { ... } catch (e) { if (e instanceof BaseError) console.error(e.shortMessage) }
 */
export class BaseError extends Error {
  override name = 'SessionKeysError'
  readonly shortMessage: string
  readonly metaMessages: readonly string[]
  readonly docsPath: string | undefined

  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    const { metaMessages = [], cause, docsPath } = parameters
    const causeMessage =
      cause instanceof BaseError
        ? cause.shortMessage
        : cause instanceof Error
          ? cause.message.split('\n')[0]
          : undefined
    const lines = [
      shortMessage,
      ...(metaMessages.length > 0 ? ['', ...metaMessages] : []),
      ...(docsPath ? ['', `Docs: README.md${docsPath}`] : []),
      ...(causeMessage ? ['', `Details: ${causeMessage}`] : []),
    ]
    super(lines.join('\n'), cause === undefined ? undefined : { cause })
    this.shortMessage = shortMessage
    this.metaMessages = metaMessages
    this.docsPath = docsPath
  }
}
