import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type Address, keccak256, numberToHex, parseEther, stringToHex } from 'viem'
import {
  defineSession,
  describeSession,
  deserializeSession,
  fromErc7715Request,
  fromExecutionPermissionRequests,
  generateSessionKey,
  InvalidParameterError,
  serializeSession,
  toErc7715Request,
} from '../../src/index.js'

const account = '0x1111111111111111111111111111111111111111' as Address
const token = '0x2222222222222222222222222222222222222222' as Address
const shop = '0x3333333333333333333333333333333333333333' as Address
const now = 1_795_500_000
const key = generateSessionKey()
const session = defineSession({
  account,
  chainId: 31337,
  sessionKey: key.address,
  permissions: [
    {
      whitelistDestination: token,
      whitelistMethods: ['transfer(address,uint256)', 'approve(address,uint256)'],
      tokenAmount: 1000n * 10n ** 6n,
      maxUses: 5,
      rules: [{ method: 'transfer(address to, uint256 amount)', arg: 'to', condition: 'eq', value: shop }],
    },
    {
      whitelistDestination: shop,
      whitelistMethods: [],
      allowEmptyCalldata: true,
      valueLimit: { total: parseEther('1') },
    },
  ],
  validity: { startTimestamp: now, endTimestamp: now + 3600 },
  gasBudget: 10n ** 16n,
  now,
})

const fails = (fn: () => unknown, field: string) =>
  assert.throws(fn, (e: unknown) => e instanceof InvalidParameterError && e.field === field)

describe('serializeSession / deserializeSession', () => {
  it('round-trips the session, its key and its grant', () => {
    const grant = { epoch: 2n, enableBefore: 1_900_000_000, signature: `0x${'ab'.repeat(65)}` as const }
    const json = serializeSession({ session, privateKey: key.privateKey, grant })
    const loaded = deserializeSession(json)
    assert.deepEqual(loaded.session, session)
    assert.equal(loaded.privateKey, key.privateKey)
    assert.deepEqual(loaded.grant, grant)
  })

  it('round-trips recurring limits', () => {
    const recurring = defineSession({
      account,
      chainId: 31337,
      sessionKey: key.address,
      permissions: [
        {
          whitelistDestination: token,
          whitelistMethods: ['transfer(address,uint256)'],
          recurring: { period: 'day', tokenAmount: 10n, maxUses: 3 },
        },
      ],
      validity: { startTimestamp: now, endTimestamp: now + 3 * 86_400 },
      now,
    })
    const back = deserializeSession(serializeSession({ session: recurring, privateKey: key.privateKey }))
    assert.deepEqual(back.session, recurring)
    assert.deepEqual(back.session.permissions[0].recurring, {
      period: 86_400,
      start: now,
      tokenLimit: 10n,
      maxUses: 3n,
    })
    // An edited per-period limit is refused like any other edit.
    const edited = serializeSession({ session: recurring }).replace('"tokenLimit":"10"', '"tokenLimit":"1000"')
    assert.notEqual(edited, serializeSession({ session: recurring }))
    assert.throws(() => deserializeSession(edited), InvalidParameterError)
  })

  it('attack 25: refuses a truncated copy, an edited limit, another key, or a wrong private key', () => {
    const json = serializeSession({ session, privateKey: key.privateKey })
    fails(() => deserializeSession(json.slice(0, -10)), 'json')
    const edited = json.replace('"1000000000"', '"9000000000"')
    assert.notEqual(edited, json)
    fails(() => deserializeSession(edited), 'json.checksum')
    // An editor who also recomputes the checksum still cannot change the key: the id gives it away.
    const parsed = JSON.parse(json)
    parsed.session.sessionKey = generateSessionKey().address
    delete parsed.checksum
    const canonical = JSON.stringify(parsed, (_k, v) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, v[k]]),
          )
        : v,
    )
    fails(
      () =>
        deserializeSession(JSON.stringify({ ...JSON.parse(canonical), checksum: keccak256(stringToHex(canonical)) })),
      'json.session.id',
    )
    fails(() => serializeSession({ session, privateKey: generateSessionKey().privateKey }), 'stored.privateKey')
    fails(() => deserializeSession('{"format":"other"}'), 'json.format')
  })
})

describe('describeSession', () => {
  it('says in plain words what the session may do', async () => {
    const { lines, text } = await describeSession(undefined, { session: session })
    assert.match(
      lines[0],
      /^May call transfer\(address,uint256\), approve\(address,uint256\) on 0x2222222222222222222222222222222222222222 — at most 1000000000 \(base units\) in total — at most 5 calls$/,
    )
    assert.match(text, /Only if transfer\(address,uint256\): to = 0x3333333333333333333333333333333333333333/)
    assert.match(text, /May send ETH with these calls: up to any amount per call, 1 ETH in total/)
    assert.match(text, /Valid from \d\d:\d\d to \d\d:\d\d UTC on \d+ \w+ 2026/)
    assert.match(text, /Gas: at most 0.01 ETH in total/)
    assert.match(text, /Pays its own gas/)
  })

  it('refuses labels that do not name their selector (a session could lie on a wallet screen)', async () => {
    fails(
      () =>
        deserializeSession(serializeSession({ session }).replace('transfer(address,uint256)', 'mint(address,uint256)')),
      'json.checksum',
    )
    await assert.rejects(
      () =>
        describeSession(undefined, {
          session: {
            ...session,
            permissions: [{ ...session.permissions[0], methods: ['safe()', 'approve(address,uint256)'] }],
          },
        }),
      InvalidParameterError,
    )
  })
})

describe('ERC-7715', () => {
  it('maps a request with a contract call, an ERC-20 allowance and a native allowance', () => {
    const request = {
      chainId: numberToHex(31337),
      address: account,
      expiry: now + 600,
      signer: { type: 'account' as const, data: { id: key.address } },
      permissions: [
        {
          type: 'erc20-token-transfer' as const,
          data: { address: token, ticker: 'USDC' },
          policies: [{ type: 'token-allowance' as const, data: { allowance: 500n } }],
        },
      ],
    }
    const { session: mapped, ignored } = fromErc7715Request(request, { now })
    assert.deepEqual(ignored, [])
    assert.equal(mapped.validUntil, now + 600)
    assert.equal(mapped.permissions[0].tokenLimit, 500n)
    assert.deepEqual(mapped.permissions[0].selectors, ['0xa9059cbb'])
  })

  it('round-trips a session through a request for what maps', () => {
    const simple = defineSession({
      account,
      chainId: 31337,
      sessionKey: key.address,
      permissions: [
        { whitelistDestination: token, whitelistMethods: ['transfer(address,uint256)'], tokenAmount: 7n },
        { whitelistDestination: shop, whitelistMethods: ['ping(uint256)'], maxUses: 2 },
      ],
      validity: { endTimestamp: now + 60 },
      now,
    })
    const back = fromErc7715Request(toErc7715Request(simple), { now }).session
    assert.deepEqual(back.permissions, simple.permissions)
    assert.equal(back.validUntil, simple.validUntil)
  })

  it('round-trips recurring limits, and reads ERC-7715 periodic allowances as recurring limits', () => {
    const recurring = defineSession({
      account,
      chainId: 31337,
      sessionKey: key.address,
      permissions: [
        {
          whitelistDestination: token,
          whitelistMethods: ['transfer(address,uint256)'],
          tokenAmount: 100n,
          recurring: { period: 'day', start: now - 10, tokenAmount: 10n, maxUses: 3 },
        },
        {
          whitelistDestination: shop,
          whitelistMethods: [],
          allowEmptyCalldata: true,
          valueLimit: {},
          recurring: { period: 3600, valueLimit: parseEther('0.1') },
        },
      ],
      validity: { startTimestamp: now, endTimestamp: now + 30 * 86_400 },
      now,
    })
    const back = fromErc7715Request(toErc7715Request(recurring), { now }).session
    assert.deepEqual(back.permissions, recurring.permissions)
    assert.deepEqual(recurring.permissions[1].recurring, { period: 3600, start: now, valueLimit: parseEther('0.1') })

    const base = {
      chainId: numberToHex(31337),
      address: account,
      expiry: now + 7 * 86_400,
      signer: { type: 'account' as const, data: { id: key.address } },
    }
    const { session: periodic } = fromErc7715Request(
      {
        ...base,
        permissions: [
          {
            type: 'erc20-token-periodic',
            data: { tokenAddress: token, periodAmount: numberToHex(10n ** 7n), periodDuration: 86_400, startTime: now },
            policies: [],
          },
        ],
      },
      { now },
    )
    assert.deepEqual(periodic.permissions[0].recurring, { period: 86_400, start: now, tokenLimit: 10n ** 7n })
    assert.deepEqual(periodic.permissions[0].selectors, ['0xa9059cbb'])
    const { session: native } = fromErc7715Request(
      {
        ...base,
        permissions: [
          { type: 'contract-call', data: { address: shop, calls: ['ping(uint256)'] }, policies: [] },
          { type: 'native-token-periodic', data: { periodAmount: '0x10', periodDuration: 60 }, policies: [] },
        ],
      },
      { now },
    )
    assert.deepEqual(native.permissions[0].valueLimit, {})
    assert.deepEqual(native.permissions[0].recurring, { period: 60, start: now, valueLimit: 16n })
    // Two periods on one destination cannot be enforced: refused, never merged into one.
    fails(
      () =>
        fromErc7715Request(
          {
            ...base,
            permissions: [
              {
                type: 'erc20-token-periodic',
                data: { tokenAddress: token, periodAmount: '0x10', periodDuration: 86_400 },
                policies: [{ type: 'rate-limit', data: { count: 5, interval: 60 } }],
              },
            ],
          },
          { now },
        ),
      'request.permissions[0].data',
    )
  })

  it('refuses a policy it cannot enforce, required or not, and leaves out an optional permission', () => {
    const base = {
      chainId: numberToHex(31337),
      address: account,
      expiry: now + 600,
      signer: { type: 'account' as const, data: { id: key.address } },
    }
    const permission = {
      type: 'contract-call' as const,
      data: { address: token, calls: ['transfer(address,uint256)'] },
      policies: [{ type: 'gas-limit' as const, data: { limit: 1n } }],
    }
    for (const required of [true, false]) {
      fails(
        () => fromErc7715Request({ ...base, permissions: [{ ...permission, required }] }, { now }),
        'request.permissions[0].policies[0]',
      )
    }
    const unknown = { type: { custom: 'other/thing' }, data: {}, policies: [], required: false }
    const plain = { ...permission, policies: [] }
    const { ignored } = fromErc7715Request({ ...base, permissions: [plain, unknown] }, { now })
    assert.deepEqual(ignored, ['request.permissions[1]: permission {"custom":"other/thing"} left out'])
  })

  describe('wallet_requestExecutionPermissions (the current shape)', () => {
    const entry = (over: Record<string, unknown> = {}) => ({
      chainId: numberToHex(31337),
      from: account,
      to: key.address,
      permission: { type: 'erc20-token-transfer', isAdjustmentAllowed: false, data: { address: token } },
      rules: [
        { type: 'expiry', data: { timestamp: now + 600 } },
        { type: 'token-allowance', data: { allowance: numberToHex(500n) } },
        {
          type: 'session-keys/argument-rules',
          data: [{ method: 'transfer(address to, uint256 amount)', arg: 'to', condition: 'eq', value: shop }],
        },
      ],
      ...over,
    })

    it('maps each entry to a permission, its rules to policies, and grants exactly what the older shape would', () => {
      const { session: mapped, ignored } = fromExecutionPermissionRequests([entry() as never], { now })
      assert.deepEqual(ignored, [])
      assert.equal(mapped.account, account)
      assert.equal(mapped.sessionKey, key.address)
      assert.equal(mapped.validUntil, now + 600)
      assert.equal(mapped.permissions[0].tokenLimit, 500n)
      assert.equal(mapped.permissions[0].rules?.length, 1)
      const older = fromErc7715Request(
        {
          chainId: numberToHex(31337),
          address: account,
          expiry: now + 600,
          signer: { type: 'account', data: { id: key.address } },
          permissions: [
            {
              type: 'erc20-token-transfer',
              data: { address: token },
              policies: [
                { type: 'token-allowance', data: { allowance: 500n } },
                {
                  type: { custom: 'session-keys/argument-rules' },
                  data: [{ method: 'transfer(address to, uint256 amount)', arg: 'to', condition: 'eq', value: shop }],
                },
              ],
            },
          ],
        },
        { now, salt: mapped.salt },
      ).session
      assert.deepEqual(mapped, older)
    })

    it('takes the account from the wallet when the request leaves `from` out', () => {
      const { session: mapped } = fromExecutionPermissionRequests([entry({ from: undefined }) as never], {
        now,
        account: shop,
      })
      assert.equal(mapped.account, shop)
    })

    it('refuses entries for two keys, two expiries, no expiry, and a rule it cannot enforce', () => {
      const other = generateSessionKey().address
      fails(() => fromExecutionPermissionRequests([entry(), entry({ to: other })] as never, { now }), 'requests[1].to')
      const later = entry({ rules: [{ type: 'expiry', data: { timestamp: now + 700 } }] })
      fails(
        () => fromExecutionPermissionRequests([entry(), later] as never, { now }),
        'requests[1].rules[0].data.timestamp',
      )
      fails(() => fromExecutionPermissionRequests([entry({ rules: [] })] as never, { now }), 'requests[0].rules')
      const payee = entry({
        rules: [
          { type: 'expiry', data: { timestamp: now + 600 } },
          { type: 'payee', data: { addresses: [shop] } },
        ],
      })
      fails(() => fromExecutionPermissionRequests([payee] as never, { now }), 'request.permissions[0].policies[0]')
      fails(() => fromExecutionPermissionRequests([] as never, { now }), 'requests')
    })
  })
})
