/**
 * Holes 5 and 7 of issue 9, and the one validation path: no chain needed.
 */

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { type Address, type Hex, numberToHex } from 'viem'
import {
  assertSession,
  defineSession,
  type Erc7715Request,
  fromErc7715Request,
  generateSessionKey,
  InvalidParameterError,
  parseSelector,
  type Session,
  toErc7715Request,
  toSessionConfig,
} from '../../src/index.js'

const now = 1_800_000_000
const account = '0x1111111111111111111111111111111111111111' as Address
const token = '0x2222222222222222222222222222222222222222' as Address
const router = '0x3333333333333333333333333333333333333333' as Address
const paymaster = '0x4444444444444444444444444444444444444444' as Address
const key = generateSessionKey()

const refused = (field: string, message?: RegExp) => (e: unknown) =>
  e instanceof InvalidParameterError && e.field === field && (message === undefined || message.test(e.message))

describe('hole 5: ERC-7715 never grants more than was asked', () => {
  const base = {
    chainId: numberToHex(31337),
    address: account,
    expiry: now + 600,
    signer: { type: 'account' as const, data: { id: key.address } },
  }

  it('hole 5: a token-allowance on a contract-call permission is enforced as the token limit', () => {
    const { session, ignored } = fromErc7715Request(
      {
        ...base,
        permissions: [
          {
            type: 'contract-call',
            data: { address: token, calls: ['transfer(address,uint256)', 'approve(address,uint256)'] },
            policies: [{ type: 'token-allowance', data: { allowance: '0x3e8' } }],
            required: true,
          },
        ],
      },
      { now },
    )
    assert.deepEqual(ignored, [])
    assert.equal(session.permissions[0].tokenLimit, 1000n)
  })

  it('hole 5: an allowance beside a method it cannot count, and an interval that is not a number of seconds, are refused', () => {
    const permission = {
      type: 'contract-call' as const,
      data: { address: token, calls: ['transfer(address,uint256)', 'transferAndCall(address,uint256,bytes)'] },
      policies: [{ type: 'token-allowance' as const, data: { allowance: 1000n } }],
    }
    assert.throws(
      () => fromErc7715Request({ ...base, permissions: [permission] }, { now }),
      refused('permissions[0].tokenAmount'),
    )
    const rate = { ...permission, data: { address: token, calls: ['transfer(address,uint256)'] } }
    assert.throws(
      () =>
        fromErc7715Request(
          { ...base, permissions: [{ ...rate, policies: [{ type: 'rate-limit', data: { count: 5, interval: 0 } }] }] },
          { now },
        ),
      refused('request.permissions[0].policies[0].data.interval'),
    )
    // An interval shorter than the session is a rate limit that renews, enforced as such.
    const { session } = fromErc7715Request(
      { ...base, permissions: [{ ...rate, policies: [{ type: 'rate-limit', data: { count: 5, interval: 60 } }] }] },
      { now },
    )
    assert.deepEqual(session.permissions[0].recurring, { period: 60, start: now, maxUses: 5n })
    assert.equal(session.permissions[0].maxUses, undefined)
  })

  it('hole 5: malformed requests give InvalidParameterError, never SyntaxError or TypeError', () => {
    const malformed: unknown[] = [
      null,
      {},
      { ...base, permissions: 'all' },
      { ...base, permissions: [null] },
      { ...base, permissions: [{ type: 'contract-call', data: null, policies: [] }] },
      { ...base, permissions: [{ type: 'contract-call', data: { address: token, calls: 'x' }, policies: [] }] },
      {
        ...base,
        permissions: [
          {
            type: 'erc20-token-transfer',
            data: { address: token },
            policies: [{ type: 'token-allowance', data: { allowance: 'lots' } }],
          },
        ],
      },
      { ...base, permissions: [{ type: 'erc20-token-transfer', data: { address: token }, policies: {} }] },
      { ...base, chainId: 'mainnet', permissions: [] },
      { ...base, signer: null, permissions: [] },
    ]
    for (const request of malformed) {
      assert.throws(
        () => fromErc7715Request(request as Erc7715Request, { now }),
        (e: unknown) => e instanceof InvalidParameterError,
        JSON.stringify(request, (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
      )
    }
  })

  it('hole 5: toErc7715Request carries the gas budget, paymasters, per-call value, rules and call types', () => {
    const session = defineSession({
      account,
      chainId: 31337,
      sessionKey: key.address,
      permissions: [
        {
          whitelistDestination: router,
          whitelistMethods: ['ping(uint256)'],
          valueLimit: { perCall: 5n, total: 50n },
          rules: [{ method: 'ping(uint256 n)', arg: 'n', condition: 'lte', value: 9n }],
          allowTryMode: true,
          maxUses: 3n,
        },
      ],
      validity: { startTimestamp: now + 10, endTimestamp: now + 600, enable: false },
      paymasters: [paymaster],
      gasBudget: 123_456n,
      now,
    })
    const back = fromErc7715Request(toErc7715Request(session), { now, salt: session.salt }).session
    assert.deepEqual(toSessionConfig(back), toSessionConfig(session))
  })

  it('hole 5 (property): converting there and back never widens a session', () => {
    const amount = fc.option(fc.bigInt({ min: 0n, max: 10n ** 24n }), { nil: undefined })
    const permission = fc.record({
      target: fc.constantFrom(token, router),
      kind: fc.constantFrom('transfer', 'tokens', 'calls'),
      tokenLimit: amount,
      perCall: amount,
      total: amount,
      value: fc.boolean(),
      maxUses: fc.option(fc.bigInt({ min: 0n, max: 100n }), { nil: undefined }),
      rule: fc.option(fc.bigInt({ min: 0n, max: 10n ** 9n }), { nil: undefined }),
      tryMode: fc.boolean(),
      delegatecall: fc.boolean(),
      empty: fc.boolean(),
    })
    const session = fc.record({
      permissions: fc.uniqueArray(permission, { minLength: 1, maxLength: 2, selector: (p) => p.target }),
      start: fc.option(fc.integer({ min: 1, max: 500 }), { nil: undefined }),
      end: fc.integer({ min: 600, max: 100_000 }),
      enabled: fc.boolean(),
      paymasters: fc.subarray([paymaster, router]),
      gasBudget: fc.oneof(fc.constant('unlimited' as const), fc.bigInt({ min: 0n, max: 10n ** 20n })),
    })
    fc.assert(
      fc.property(session, (s) => {
        const original: Session = defineSession({
          account,
          chainId: 31337,
          sessionKey: key.address,
          permissions: s.permissions.map((p) => ({
            whitelistDestination: p.target,
            whitelistMethods:
              p.kind === 'transfer'
                ? ['transfer(address,uint256)']
                : p.kind === 'tokens'
                  ? ['transfer(address,uint256)', 'approve(address,uint256)']
                  : ['ping(uint256)', 'poke()'],
            ...(p.kind !== 'calls' && p.tokenLimit !== undefined ? { tokenAmount: p.tokenLimit % 2n ** 120n } : {}),
            ...(p.value ? { valueLimit: { perCall: p.perCall, total: p.total } } : {}),
            ...(p.maxUses !== undefined ? { maxUses: p.maxUses } : {}),
            ...(p.rule !== undefined && p.kind === 'calls'
              ? { rules: [{ method: 'ping(uint256 n)', arg: 'n', condition: 'lte' as const, value: p.rule }] }
              : {}),
            allowTryMode: p.tryMode,
            allowDelegatecall: p.delegatecall,
            allowEmptyCalldata: p.empty,
          })),
          validity: {
            ...(s.start === undefined ? {} : { startTimestamp: now + s.start }),
            endTimestamp: now + s.end,
            enable: s.enabled,
          },
          paymasters: s.paymasters,
          gasBudget: s.gasBudget,
          now,
        })
        const back = fromErc7715Request(toErc7715Request(original), { now, salt: original.salt }).session
        // Everything the module enforces comes back identical: never wider.
        assert.deepEqual(toSessionConfig(back), toSessionConfig(original))
        assert.equal(back.account, original.account)
        assert.equal(back.chainId, original.chainId)
        assert.equal(back.module, original.module)
      }),
      { numRuns: 300 },
    )
  })
})

describe('hole 7: method signatures are validated, in canonical form', () => {
  it('hole 7: a misspelt type, a misspelt well-known name and a non-canonical alias are refused with a hint', () => {
    assert.throws(
      () => parseSelector('transfer(adress,uint256)', 'm'),
      refused('m', /'adress' is not a Solidity type[\s\S]*did you mean address\?/),
    )
    assert.throws(
      () => parseSelector('trnsfer(address,uint256)', 'm'),
      refused('m', /misspelling of transfer\(address,uint256\)[\s\S]*did you mean transfer\(address,uint256\)\?/),
    )
    assert.throws(() => parseSelector('transfer(address,uint)', 'm'), refused('m', /did you mean uint256\?/))
    assert.throws(() => parseSelector('f(uint7)', 'm'), refused('m', /'uint7' is not a Solidity type/))
    assert.equal(parseSelector('transfer(address to, uint256 amount)', 'm'), '0xa9059cbb')
    assert.equal(parseSelector('function transferFrom(address,address,uint256)', 'm'), '0x23b872dd')
    // A real function near a well-known name can still be granted by its selector.
    assert.equal(parseSelector('0xde0cae4a', 'm'), '0xde0cae4a')
    assert.throws(
      () =>
        defineSession({
          account,
          chainId: 1,
          sessionKey: key.address,
          permissions: [{ whitelistDestination: token, whitelistMethods: ['transfer(address,uint)'] }],
          validity: { endTimestamp: now + 60 },
          now,
        }),
      refused('permissions[0].whitelistMethods[0]'),
    )
  })
})

describe('one validation path for defined, hand-built and received sessions', () => {
  const session = defineSession({
    account,
    chainId: 1,
    sessionKey: key.address,
    permissions: [{ whitelistDestination: token, whitelistMethods: ['transfer(address,uint256)'] }],
    validity: { endTimestamp: now + 60 },
    now,
  })
  const [p] = session.permissions
  const cases: [string, Record<string, unknown>, string][] = [
    ['the zero key', { sessionKey: '0x0000000000000000000000000000000000000000' }, 'session.sessionKey'],
    ['the account as target', { permissions: [{ ...p, target: account }] }, 'session.permissions[0].target'],
    ['the module as target', { permissions: [{ ...p, target: session.module }] }, 'session.permissions[0].target'],
    ['a duplicate target', { permissions: [p, p] }, 'session.permissions[1].target'],
    ['17 destinations', { permissions: Array.from({ length: 17 }, () => p) }, 'session.permissions'],
    ['no gas budget', { gasBudget: undefined }, 'session.gasBudget'],
    ['a gas budget the module cannot store', { gasBudget: 2n ** 104n }, 'session.gasBudget'],
    [
      '9 paymasters',
      { paymasters: Array.from({ length: 9 }, (_, i) => numberToHex(i + 1, { size: 20 })) },
      'session.paymasters',
    ],
  ]
  // Recurring limits from a hostile dapp: each malformed field is named, nothing is guessed.
  const r = { period: 86_400, start: now, tokenLimit: 10n }
  const recurring = (over: Record<string, unknown>) => ({ permissions: [{ ...p, recurring: { ...r, ...over } }] })
  const at = 'session.permissions[0].recurring'
  cases.push(
    ['a recurrence that is not an object', { permissions: [{ ...p, recurring: 'daily' }] }, at],
    ['a period of 0 s', recurring({ period: 0 }), `${at}.period`],
    ['a period of 1.5 s', recurring({ period: 1.5 }), `${at}.period`],
    ['a period the module cannot store', recurring({ period: 2 ** 32 }), `${at}.period`],
    ['an unknown period name', recurring({ period: 'month' }), `${at}.period`],
    ['a recurrence without a start', recurring({ start: undefined }), `${at}.start`],
    ['a recurrence starting at 0', recurring({ start: 0 }), `${at}.start`],
    ['no recurring limit', recurring({ tokenLimit: undefined }), at],
    ['a per-period amount the module cannot store', recurring({ tokenLimit: 2n ** 120n }), `${at}.tokenLimit`],
    ['a negative per-period amount', recurring({ tokenLimit: -1n }), `${at}.tokenLimit`],
    ['a per-period call count the module cannot store', recurring({ maxUses: 2n ** 56n }), `${at}.maxUses`],
    ['both tokenAmount and tokenLimit', recurring({ tokenAmount: 5n }), `${at}.tokenLimit`],
  )
  for (const [what, change, field] of cases) {
    it(`refuses ${what}`, () => {
      const hostile = { ...session, ...change } as Session
      if ('sessionKey' in change) (hostile as { id: Hex }).id = session.id
      assert.throws(() => assertSession(hostile), refused(field))
    })
  }
})
