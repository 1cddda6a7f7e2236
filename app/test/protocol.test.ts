import { generateSessionKey, serializeSession, sessionKeyValidatorAddress } from 'session-keys'
import { stringToHex } from 'viem'
import { generatePrivateKey, privateKeyToAddress } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { buildPermissionRequest, type DappConfig, loadStoredSession, sessionFromResponse } from '../lib/dappSession'
import { acceptRequest, acceptResponse, grantedResponse, messageType, sessionFromRequest } from '../lib/protocol'

const opener = { name: 'the dapp window' }
const dappOrigin = 'http://127.0.0.1:5173'
const request = { type: messageType.request, id: 'r1', method: 'wallet_requestExecutionPermissions', params: [] }
const config: DappConfig = {
  chainId: 31337,
  module: sessionKeyValidatorAddress,
  token: { address: privateKeyToAddress(generatePrivateKey()), symbol: 'TUSD', decimals: 18 },
  service: privateKeyToAddress(generatePrivateKey()),
}
const account = privateKeyToAddress(generatePrivateKey())
const now = 1_800_000_000

describe('wallet: acceptRequest', () => {
  const expected = { opener, origins: [dappOrigin] }
  it('takes a request from its opener at a known origin', () => {
    expect(acceptRequest({ origin: dappOrigin, source: opener, data: request }, expected)).toEqual({
      request,
      origin: dappOrigin,
    })
  })
  it('ignores another origin, another window, no opener, and other shapes', () => {
    expect(acceptRequest({ origin: 'http://evil.localhost', source: opener, data: request }, expected)).toEqual({
      ignored: 'a request from http://evil.localhost, which is not a dapp this wallet knows',
    })
    expect(acceptRequest({ origin: dappOrigin, source: {}, data: request }, expected)).toHaveProperty('ignored')
    expect(
      acceptRequest({ origin: dappOrigin, source: opener, data: request }, { ...expected, opener: null }),
    ).toHaveProperty('ignored')
    expect(
      acceptRequest({ origin: dappOrigin, source: opener, data: { ...request, id: '' } }, expected),
    ).toHaveProperty('ignored')
    expect(
      acceptRequest(
        { origin: dappOrigin, source: opener, data: { ...request, method: 'eth_sendTransaction' } },
        expected,
      ),
    ).toEqual({ ignored: 'method eth_sendTransaction is not a permission request' })
    expect(acceptRequest({ origin: dappOrigin, source: opener, data: 'hello' }, expected)).toHaveProperty('ignored')
  })
})

describe('dapp: acceptResponse', () => {
  const popup = { name: 'the wallet window' }
  const walletOrigin = 'http://127.0.0.1:5174'
  const expected = { popup, walletOrigin, id: 'r1' }
  const answer = { type: messageType.response, id: 'r1', error: { code: 4001, message: 'rejected' } }
  it('takes the answer to its request from its pop-up at the wallet origin', () => {
    expect(acceptResponse({ origin: walletOrigin, source: popup, data: answer }, expected)).toEqual(answer)
  })
  it('ignores another origin, another window, another id, and a malformed answer', () => {
    expect(acceptResponse({ origin: dappOrigin, source: popup, data: answer }, expected)).toBeUndefined()
    expect(acceptResponse({ origin: walletOrigin, source: {}, data: answer }, expected)).toBeUndefined()
    expect(
      acceptResponse({ origin: walletOrigin, source: popup, data: { ...answer, id: 'r2' } }, expected),
    ).toBeUndefined()
    expect(
      acceptResponse({ origin: walletOrigin, source: popup, data: { type: messageType.response, id: 'r1' } }, expected),
    ).toBeUndefined()
    expect(
      acceptResponse({ origin: walletOrigin, source: popup, data: { ...answer, result: [] } }, expected),
    ).toBeUndefined()
  })
})

describe('the round trip: request, session, response, stored session', () => {
  const key = generateSessionKey()
  const params = buildPermissionRequest(config, key.address, now)
  const walletRequest = {
    type: messageType.request,
    id: 'r1',
    method: 'wallet_requestExecutionPermissions' as const,
    params,
  }

  it('the wallet reads exactly what the dapp asked: transfers to the service, 30 TUSD, one hour', () => {
    const { session, ignored } = sessionFromRequest(walletRequest, { account, now })
    expect(ignored).toEqual([])
    expect(session.account).toBe(account)
    expect(session.sessionKey).toBe(key.address)
    expect(session.validUntil).toBe(now + 3600)
    expect(session.permissions).toHaveLength(1)
    expect(session.permissions[0].target).toBe(config.token.address)
    expect(session.permissions[0].tokenLimit).toBe(30n * 10n ** 18n)
    const [rule] = session.permissions[0].rules ?? []
    expect(rule).toMatchObject({ selector: '0xa9059cbb', word: 0, condition: 'eq', arg: 'to' })
    expect(rule.values).toEqual([`0x${config.service.slice(2).toLowerCase().padStart(64, '0')}`])
  })

  it('the dapp accepts the answer only for its own key, chain and module', () => {
    const { session } = sessionFromRequest(walletRequest, { account, now })
    const context = stringToHex(serializeSession({ session }))
    const result = grantedResponse(walletRequest, session, context)
    expect(result[0].from).toBe(account)
    const stored = sessionFromResponse(result, { sessionKey: key.address, privateKey: key.privateKey, config })
    expect(stored.session).toEqual(session)
    expect(stored.privateKey).toBe(key.privateKey)
    const other = generateSessionKey()
    expect(() =>
      sessionFromResponse(result, { sessionKey: other.address, privateKey: other.privateKey, config }),
    ).toThrow("The session is for another key than this dapp's.")
    expect(() =>
      sessionFromResponse(result, {
        sessionKey: key.address,
        privateKey: key.privateKey,
        config: { ...config, chainId: 1 },
      }),
    ).toThrow('The session is for chain 31337, not 1.')
  })

  it('a stored session loads back, and an edited copy is refused', () => {
    const { session } = sessionFromRequest(walletRequest, { account, now })
    const text = serializeSession({ session, privateKey: key.privateKey })
    expect(loadStoredSession(text, config).session).toEqual(session)
    const edited = text.replace(/"tokenLimit":"(\d+)"/, '"tokenLimit":"$10"')
    expect(edited).not.toBe(text)
    expect(() => loadStoredSession(edited, config)).toThrow(/checksum/)
    expect(() => loadStoredSession(serializeSession({ session }), config)).toThrow('The stored session has no key.')
  })
})
