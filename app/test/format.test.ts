import {
  CallNotPermittedError,
  SessionRevokedError,
  SpendingLimitExceededError,
  UserOperationRejectedError,
} from 'session-keys'
import { describe, expect, it } from 'vitest'
import { formatDuration, formatEth, formatLocalTime, formatTokens, shortAddress } from '../lib/format'
import { explainRefusal } from '../lib/refusal'
import { loadApproved, saveApproved } from '../lib/sessions'

describe('format', () => {
  it('shows amounts in token units, ETH short, addresses shortened', () => {
    expect(formatTokens(30n * 10n ** 18n, { decimals: 18, symbol: 'TUSD' })).toBe('30 TUSD')
    expect(formatTokens(1_234_500_000n, { decimals: 6, symbol: 'USDC' })).toBe('1,234.5 USDC')
    expect(formatEth(50_000_000_000_000_000n)).toBe('0.05 ETH')
    expect(formatEth(1n)).toBe('0.0 ETH')
    expect(shortAddress('0x1234567890abcdef1234567890abcdef12345678')).toBe('0x1234…5678')
  })
  it("shows times in the user's time zone, and spans in words", () => {
    expect(formatLocalTime(1_800_000_000, 'en-GB', 'Europe/Berlin')).toBe('15 Jan 2027, 09:00:00 CET')
    expect(formatLocalTime(1_800_000_000, 'en-GB', 'UTC')).toBe('15 Jan 2027, 08:00:00 UTC')
    expect(formatDuration(3599)).toBe('59 min')
    expect(formatDuration(3600)).toBe('1 h')
    expect(formatDuration(7500)).toBe('2 h 5 min')
    expect(formatDuration(42)).toBe('42 s')
    expect(formatDuration(0)).toBe('over')
  })
})

describe('explainRefusal', () => {
  const account = '0x1111111111111111111111111111111111111111' as const
  it('says in plain words why, and whether to ask the wallet again', () => {
    const spent = new SpendingLimitExceededError({ index: 0, target: account, spent: 30n, amount: 10n, limit: 30n })
    expect(explainRefusal(spent)).toMatchObject({
      title: 'Your allowance for this session is used up.',
      askAgain: true,
    })
    expect(explainRefusal(new SessionRevokedError({ sessionId: `0x${'ab'.repeat(32)}` }))).toMatchObject({
      title: 'The wallet revoked this session.',
      askAgain: true,
    })
    const call = new CallNotPermittedError({ index: 0, rule: 'argument', detail: 'it breaks argument rule 0' })
    expect(explainRefusal(call)).toMatchObject({ title: 'The session does not allow this.', askAgain: false })
    // Found in the causes too (the chain's refusal wraps the SDK's error).
    const wrapped = new UserOperationRejectedError({ reason: 'AA24', cause: call })
    expect(explainRefusal(wrapped).title).toBe('The session does not allow this.')
    expect(explainRefusal(new Error('boom'))).toEqual({
      title: 'The operation failed.',
      detail: 'boom',
      askAgain: false,
    })
  })
})

describe('the wallet’s list of approved sessions', () => {
  it('drops records that do not load, and keeps the rest', () => {
    expect(loadApproved(null)).toEqual({ sessions: [], dropped: 0 })
    expect(loadApproved('not json')).toEqual({ sessions: [], dropped: 1 })
    expect(loadApproved(JSON.stringify([{ origin: 'x', approvedAt: 1, stored: '{}' }]))).toEqual({
      sessions: [],
      dropped: 1,
    })
    expect(saveApproved([])).toBe('[]')
  })
})
