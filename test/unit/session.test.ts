import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type Address, erc20Abi, type Hex, maxUint256 } from 'viem'
import {
  assertSession,
  decodeExecute,
  defineSession,
  encodeExecute,
  generateSessionKey,
  getRevokeAllSessionsCalls,
  getSessionId,
  getSetSessionEnabledCalls,
  InvalidParameterError,
  modeBatch,
  parseSelector,
  permissionFromAbi,
  type Session,
  sessionKeyValidatorAddress,
  toPermission,
  toSessionConfig,
} from '../../src/index.js'

const account = '0x1111111111111111111111111111111111111111' as Address
const token = '0x2222222222222222222222222222222222222222' as Address
const now = 1_800_000_000
const key = generateSessionKey()

const valid = () => ({
  account,
  chainId: 31337,
  sessionKey: key.address,
  permissions: [
    { whitelistDestination: token, whitelistMethods: ['transfer(address,uint256)'], tokenAmount: 1000n } as const,
  ],
  validity: { startTimestamp: now, endTimestamp: now + 3600, enable: true },
  now,
})

/** Asserts that `fn` throws an InvalidParameterError naming `field`. */
function throwsField(fn: () => unknown, field: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InvalidParameterError, `expected InvalidParameterError, got ${e}`)
    assert.equal(e.field, field)
    assert.match(e.message, /Invalid /)
    return true
  })
}

describe('defineSession', () => {
  it('builds the seed session: transfer on a token, a cumulative amount, a window', () => {
    const session = defineSession(valid())
    assert.equal(session.account, account)
    assert.equal(session.sessionKey, key.address)
    assert.deepEqual(session.permissions, [
      { target: token, selectors: ['0xa9059cbb'], methods: ['transfer(address,uint256)'], tokenLimit: 1000n },
    ])
    assert.equal(session.validAfter, now)
    assert.equal(session.validUntil, now + 3600)
    assert.equal(session.enabled, true)
    assert.equal(session.id, getSessionId(session.sessionKey, session.salt))
    assert.equal(session.module, sessionKeyValidatorAddress)
  })

  it('gives each session a fresh random salt, hence a fresh id', () => {
    assert.notEqual(defineSession(valid()).id, defineSession(valid()).id)
  })

  it('draws the default salt as a 32-bit number (28 zero bytes: cheap calldata in every operation)', () => {
    const salts = Array.from({ length: 64 }, () => defineSession(valid()).salt)
    for (const salt of salts) assert.match(salt, /^0x0{56}[0-9a-f]{8}$/)
    assert.ok(new Set(salts).size > 60, 'random: 64 draws of 2^32 values almost never repeat')
  })

  it('defaults the start to "as soon as granted" (0) and enable to true; accepts Dates', () => {
    const session = defineSession({
      ...valid(),
      validity: { endTimestamp: new Date((now + 60) * 1000) },
    })
    assert.equal(session.validAfter, 0)
    assert.equal(session.validUntil, now + 60)
    assert.equal(session.enabled, true)
  })

  it('attack 24: refuses an end before (or at) the start', () => {
    throwsField(
      () => defineSession({ ...valid(), validity: { startTimestamp: now + 10, endTimestamp: now + 10 } }),
      'validity.endTimestamp',
    )
  })

  it('attack 24: refuses an end in the past', () => {
    throwsField(
      () => defineSession({ ...valid(), validity: { startTimestamp: now - 100, endTimestamp: now - 1 } }),
      'validity.endTimestamp',
    )
  })

  it('refuses a missing end, and a timestamp in milliseconds', () => {
    throwsField(
      () => defineSession({ ...valid(), validity: { endTimestamp: undefined as unknown as number } }),
      'validity.endTimestamp',
    )
    throwsField(
      () => defineSession({ ...valid(), validity: { endTimestamp: Date.now() + 60_000 } }),
      'validity.endTimestamp',
    )
    throwsField(() => defineSession({ ...valid(), validity: { endTimestamp: -5 } }), 'validity.endTimestamp')
    throwsField(() => defineSession({ ...valid(), validity: { endTimestamp: 1.5 } }), 'validity.endTimestamp')
  })

  it('refuses a non-boolean enable', () => {
    throwsField(
      () => defineSession({ ...valid(), validity: { endTimestamp: now + 1, enable: 'yes' as unknown as boolean } }),
      'validity.enable',
    )
  })

  it('attack 24: refuses malformed addresses, with the field named', () => {
    throwsField(() => defineSession({ ...valid(), account: '0x1234' as Address }), 'account')
    throwsField(() => defineSession({ ...valid(), sessionKey: 'not an address' as Address }), 'sessionKey')
    // A mixed-case address with a wrong checksum is refused, not silently accepted.
    throwsField(
      () =>
        defineSession({
          ...valid(),
          account: '0xcf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9',
        }),
      'account',
    )
  })

  it('refuses a zero session key, or the account as its own key', () => {
    throwsField(() => defineSession({ ...valid(), sessionKey: `0x${'00'.repeat(20)}` }), 'sessionKey')
    throwsField(() => defineSession({ ...valid(), sessionKey: account }), 'sessionKey')
  })

  it('refuses a bad chain id and a bad salt', () => {
    throwsField(() => defineSession({ ...valid(), chainId: 0 }), 'chainId')
    throwsField(() => defineSession({ ...valid(), chainId: 1.5 }), 'chainId')
    throwsField(() => defineSession({ ...valid(), salt: '0x1234' }), 'salt')
  })

  it('refuses no permission, too many, and the same destination twice', () => {
    throwsField(() => defineSession({ ...valid(), permissions: [] }), 'permissions')
    const many = Array.from({ length: 17 }, (_, i) => ({
      whitelistDestination: `0x${(i + 1).toString(16).padStart(40, '0')}` as Address,
      whitelistMethods: ['0x12345678'],
    }))
    throwsField(() => defineSession({ ...valid(), permissions: many }), 'permissions')
    throwsField(
      () =>
        defineSession({
          ...valid(),
          permissions: [
            { whitelistDestination: token, whitelistMethods: ['0x12345678'] },
            { whitelistDestination: token.toLowerCase() as Address, whitelistMethods: ['0x87654321'] },
          ],
        }),
      'permissions[1].target',
    )
  })

  it('refuses the account itself, the module or the zero address as a destination', () => {
    for (const bad of [account, sessionKeyValidatorAddress, `0x${'00'.repeat(20)}` as Address]) {
      throwsField(
        () =>
          defineSession({ ...valid(), permissions: [{ whitelistDestination: bad, whitelistMethods: ['0x12345678'] }] }),
        'permissions[0].target',
      )
    }
  })
})

describe('toPermission and parseSelector', () => {
  it('accepts selectors and signatures, with or without "function" and names', () => {
    assert.equal(parseSelector('0xA9059CBB', 'm'), '0xa9059cbb')
    assert.equal(parseSelector('transfer(address,uint256)', 'm'), '0xa9059cbb')
    assert.equal(parseSelector('function transfer(address to, uint256 amount)', 'm'), '0xa9059cbb')
  })

  it('attack 24: refuses a selector of the wrong length, a bare name, and a signature that does not parse', () => {
    throwsField(() => parseSelector('0x123', 'm'), 'm')
    throwsField(() => parseSelector('transfer', 'm'), 'm')
    throwsField(() => parseSelector('transfer(addres,uint256', 'm'), 'm')
    throwsField(() => parseSelector(42, 'm'), 'm')
  })

  it('names the method index that is wrong', () => {
    throwsField(
      () => toPermission({ whitelistDestination: token, whitelistMethods: ['0xa9059cbb', 'nope'] }),
      'permission.whitelistMethods[1]',
    )
  })

  it('attack 24: takes tokenAmount as bigint, safe integer or digit string, and refuses anything else', () => {
    for (const amount of [5n, 5, '5', ' 5 ']) {
      assert.equal(
        toPermission({ whitelistDestination: token, whitelistMethods: ['0xa9059cbb'], tokenAmount: amount }).tokenLimit,
        5n,
      )
    }
    for (const bad of [-1n, -1, '-1', 'abc', '1e18', 1.5, Number.NaN, 2n ** 120n]) {
      throwsField(
        () => toPermission({ whitelistDestination: token, whitelistMethods: ['0xa9059cbb'], tokenAmount: bad }),
        'permission.tokenAmount',
      )
    }
  })

  it('refuses a permission with no method, and deduplicates repeated ones', () => {
    throwsField(
      () => toPermission({ whitelistDestination: token, whitelistMethods: [] }),
      'permission.whitelistMethods',
    )
    const p = toPermission({ target: token, selectors: ['0xa9059cbb', 'transfer(address,uint256)' as Hex] })
    assert.deepEqual(p.selectors, ['0xa9059cbb'])
  })
})

describe('permissionFromAbi', () => {
  it('builds a permission from function names checked against the ABI', () => {
    const p = permissionFromAbi({ target: token, abi: erc20Abi, functions: ['transfer', 'approve'], tokenAmount: 10n })
    assert.deepEqual(p, { target: token, selectors: ['0xa9059cbb', '0x095ea7b3'], tokenLimit: 10n })
  })

  it('attack 24: refuses a function name that is not in the ABI, naming it and listing the known ones', () => {
    assert.throws(
      () => permissionFromAbi({ target: token, abi: erc20Abi, functions: ['transfer', 'mint' as 'transfer'] }),
      (e: unknown) => e instanceof InvalidParameterError && e.field === 'functions[1]' && /approve/.test(e.message),
    )
  })
})

describe('assertSession (a stored session that was edited is refused)', () => {
  const session = defineSession(valid())
  it('accepts the session as defined', () => {
    assert.deepEqual(
      assertSession(JSON.parse(JSON.stringify(session, (_k, v) => (typeof v === 'bigint' ? String(v) : v)))).id,
      session.id,
    )
  })

  it('attack 25: refuses a changed key, salt or id', () => {
    const other = generateSessionKey()
    throwsField(() => assertSession({ ...session, sessionKey: other.address }), 'session.id')
    throwsField(() => assertSession({ ...session, salt: `0x${'11'.repeat(32)}` as Hex }), 'session.id')
    throwsField(() => assertSession({ ...session, id: `0x${'22'.repeat(32)}` as Hex }), 'session.id')
  })

  it('refuses missing or wrongly typed fields', () => {
    throwsField(() => assertSession({ ...session, permissions: [] }), 'session.permissions')
    throwsField(() => assertSession({ ...session, validUntil: session.validAfter }), 'session.validUntil')
    throwsField(() => assertSession({ ...session, enabled: 'true' }), 'session.enabled')
    throwsField(() => assertSession({ ...session, chainId: '1' }), 'session.chainId')
    const { account: _a, ...withoutAccount } = session
    throwsField(() => assertSession(withoutAccount), 'session.account')
    throwsField(() => assertSession(null), 'session')
  })

  it('maps no token limit to type(uint256).max in the contract struct', () => {
    const s: Session = { ...session, permissions: [{ target: token, selectors: ['0x12345678'] }] }
    assert.equal(toSessionConfig(s).permissions[0].tokenLimit, maxUint256)
  })
})

describe('management calls', () => {
  const session = defineSession(valid())
  it('refuses a non-boolean enabled flag and a bad module address', () => {
    throwsField(() => getSetSessionEnabledCalls({ session, enabled: 1 as unknown as boolean }), 'enabled')
    throwsField(() => getRevokeAllSessionsCalls({ module: '0xnope' as Address }), 'module')
  })
})

describe('encodeExecute / decodeExecute', () => {
  it('round-trips single and batch executions', () => {
    const single = [{ to: token, value: 0n, data: '0xa9059cbb' as Hex }]
    assert.deepEqual(decodeExecute(account, encodeExecute(account, single)), single)
    const batch = [
      { to: token, value: 1n, data: '0x01' as Hex },
      { to: account, value: 0n, data: '0x' as Hex },
    ]
    const encoded = encodeExecute(account, batch)
    assert.ok(encoded.includes(modeBatch.slice(2)))
    assert.deepEqual(decodeExecute(account, encoded), batch)
  })
})
