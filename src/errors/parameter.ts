import { BaseError, errorDocs } from './base.js'

/** Parameters of {@link InvalidParameterError}. */
export type InvalidParameterErrorParameters = {
  /** Path of the bad field, e.g. `permissions[0].whitelistMethods[1]`. */
  field: string
  /** What is wrong with it. */
  reason: string
  /** How to fix it. */
  fix?: string | undefined
  /** The value that was given (shown shortened). */
  value?: unknown
  cause?: unknown
}

/**
 * An SDK function was given input it cannot use. `field` names the bad field.
 *
 * @example
 * import { InvalidParameterError, defineSession } from 'session-keys'
 * try { defineSession({ ... }) } catch (e) { if (e instanceof InvalidParameterError) console.log(e.field) }
 */
export class InvalidParameterError extends BaseError {
  override name = 'InvalidParameterError'
  readonly field: string
  readonly reason: string

  constructor({ field, reason, fix, value, cause }: InvalidParameterErrorParameters) {
    super(`Invalid ${field}: ${reason}.`, {
      docsPath: errorDocs.parameters,
      metaMessages: [
        ...(value === undefined ? [] : [`Given: ${describeValue(value)}`]),
        ...(fix ? [`Fix: ${fix}`] : []),
      ],
      cause,
    })
    this.field = field
    this.reason = reason
  }
}

function describeValue(value: unknown): string {
  let text: string
  try {
    text =
      typeof value === 'bigint'
        ? `${value}n`
        : (JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value))
  } catch {
    text = String(value)
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text
}
