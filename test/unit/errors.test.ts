/** Errors are shaped like viem's, and every docs link points at a real section of the README. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { BaseError as ViemBaseError } from 'viem'
import { errorDocs } from '../../src/errors/base.js'
import {
  BaseError,
  InvalidParameterError,
  SessionRevokedError,
  SpendingLimitExceededError,
  UserOperationRejectedError,
} from '../../src/index.js'

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
const slug = (heading: string) =>
  `#${heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-')}`

describe('errors', () => {
  it('every docs path is a heading of the README', () => {
    const anchors = new Set(
      readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
        .split('\n')
        .filter((line) => /^#{2,4} /.test(line))
        .map((line) => slug(line.replace(/^#+ /, ''))),
    )
    for (const [key, path] of Object.entries(errorDocs)) assert.ok(anchors.has(path), `${key}: ${path} is no heading`)
  })

  it('carries shortMessage, details, metaMessages and docsPath, and walks the chain of causes', () => {
    const rpc = new ViemBaseError('execution reverted', { details: 'the node said no' })
    const limit = new SpendingLimitExceededError({
      index: 0,
      target: '0x000000000000000000000000000000000000bEEF',
      spent: 900n,
      amount: 200n,
      limit: 1000n,
      cause: rpc,
    })
    const outer = new UserOperationRejectedError({ reason: 'the session refused it', cause: limit })
    assert.equal(limit.docsPath, '#refusals-of-a-session-operation')
    assert.equal(limit.details, 'execution reverted')
    assert.match(limit.message, /Docs: README\.md#refusals-of-a-session-operation/)
    assert.equal(outer.details, limit.details, 'details come from the innermost message')
    assert.equal(
      outer.walk((e) => e instanceof SpendingLimitExceededError),
      limit,
    )
    assert.equal(outer.walk(), rpc, 'without a test, the deepest cause')
    assert.equal(
      outer.walk((e) => e instanceof SessionRevokedError),
      null,
    )
    const bad = new InvalidParameterError({ field: 'session', reason: 'not an object', fix: 'give a session' })
    assert.ok(bad instanceof BaseError)
    assert.equal(bad.docsPath, '#invalid-parameters')
    assert.equal(bad.details, '')
    assert.equal(bad.walk(), bad)
  })
})
