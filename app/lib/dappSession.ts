// The dapp's side: what it asks for, what it accepts back, and what it keeps across reloads.

import {
  deserializeSession,
  type ExecutionPermissionRequest,
  type ExecutionPermissionResponse,
  type StoredSession,
} from 'session-keys'
import { type Address, type Hex, hexToString, numberToHex, parseUnits } from 'viem'

/** What the dapp needs to know of the chain (from /config.json). */
export type DappConfig = {
  chainId: number
  module: Address
  token: { address: Address; symbol: string; decimals: number }
  service: Address
}

/** The price of one use, and the allowance asked for: three uses. */
export const pricePerUse = (config: DappConfig) => parseUnits('10', config.token.decimals)
export const allowanceAsked = (config: DappConfig) => parseUnits('30', config.token.decimals)
/** How long a session lasts. */
export const sessionSeconds = 3600

/**
 * The ERC-7715 request (`wallet_requestExecutionPermissions`): transfers of the token, to the
 * service only, at most the allowance in total, for an hour.
 */
export function buildPermissionRequest(
  config: DappConfig,
  sessionKey: Address,
  now: number,
): ExecutionPermissionRequest[] {
  return [
    {
      chainId: numberToHex(config.chainId),
      to: sessionKey,
      permission: {
        type: 'erc20-token-transfer',
        isAdjustmentAllowed: false,
        data: { address: config.token.address, ticker: config.token.symbol },
      },
      rules: [
        { type: 'expiry', data: { timestamp: now + sessionSeconds } },
        { type: 'token-allowance', data: { allowance: numberToHex(allowanceAsked(config)) } },
        {
          type: 'session-keys/argument-rules',
          data: [{ method: 'transfer(address to, uint256 amount)', arg: 'to', condition: 'eq', value: config.service }],
        },
      ],
    },
  ]
}

/**
 * Reads the wallet's answer: the session and grant in its context, which must be for this
 * dapp's key, chain and module (a wallet — or whatever answers — could name others).
 */
export function sessionFromResponse(
  result: readonly ExecutionPermissionResponse[],
  expected: { sessionKey: Address; privateKey: Hex; config: DappConfig },
): StoredSession {
  const context = result[0]?.context
  if (typeof context !== 'string' || !context.startsWith('0x'))
    throw new Error('The wallet answered without a context.')
  const { session, grant } = deserializeSession(hexToString(context))
  checkFor(session, expected.sessionKey, expected.config)
  return { session, grant, privateKey: expected.privateKey }
}

/** Loads the session kept in storage: refused if edited, or not for this chain, module and key. */
export function loadStoredSession(text: string, config: DappConfig): StoredSession {
  const stored = deserializeSession(text)
  if (!stored.privateKey) throw new Error('The stored session has no key.')
  checkFor(stored.session, stored.session.sessionKey, config)
  return stored
}

function checkFor(session: StoredSession['session'], sessionKey: Address, config: DappConfig): void {
  if (session.sessionKey.toLowerCase() !== sessionKey.toLowerCase()) {
    throw new Error("The session is for another key than this dapp's.")
  }
  if (session.chainId !== config.chainId)
    throw new Error(`The session is for chain ${session.chainId}, not ${config.chainId}.`)
  if (session.module.toLowerCase() !== config.module.toLowerCase()) {
    throw new Error(`The session names the module ${session.module}, not the session-keys validator.`)
  }
}
