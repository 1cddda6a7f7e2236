// The dapp ↔ wallet protocol over postMessage, and its origin checks (both ways).

import {
  type Erc7715Request,
  type ExecutionPermissionRequest,
  type ExecutionPermissionResponse,
  fromErc7715Request,
  fromExecutionPermissionRequests,
  type Session,
} from 'session-keys'
import type { Address, Hex } from 'viem'

export const messageType = {
  /** Wallet → opener: the wallet listens (carries nothing). */
  ready: 'session-keys/ready',
  /** Dapp → wallet: an ERC-7715 request. */
  request: 'session-keys/request',
  /** Wallet → dapp: the answer to one request. */
  response: 'session-keys/response',
} as const

export type PermissionMethod = 'wallet_requestExecutionPermissions' | 'wallet_grantPermissions'

export type WalletRequest = {
  type: typeof messageType.request
  id: string
  method: PermissionMethod
  params: unknown
}

/** EIP-1193's codes: 4001 the user rejected, 4100 not authorized, -32602 invalid params. */
export type WalletError = { code: 4001 | 4100 | -32602; message: string }

export type WalletResponse = {
  type: typeof messageType.response
  id: string
} & ({ result: ExecutionPermissionResponse[]; error?: undefined } | { error: WalletError; result?: undefined })

/** A message event, as much of it as the checks need. */
export type MessageLike = { origin: string; source: unknown; data: unknown }

/**
 * Wallet side: a request is taken only from the window that opened the wallet, at an origin
 * the wallet knows, and only in the protocol's shape; anything else is ignored (with why).
 */
export function acceptRequest(
  event: MessageLike,
  expected: { opener: unknown; origins: readonly string[] },
): { request: WalletRequest; origin: string } | { ignored: string } {
  const data = event.data as Partial<WalletRequest> | null
  if (typeof data !== 'object' || data === null || data.type !== messageType.request) {
    return { ignored: 'not a session-keys request' }
  }
  if (!expected.opener || event.source !== expected.opener) {
    return { ignored: `a request from ${event.origin} that is not the window that opened the wallet` }
  }
  if (!expected.origins.includes(event.origin)) {
    return { ignored: `a request from ${event.origin}, which is not a dapp this wallet knows` }
  }
  if (typeof data.id !== 'string' || data.id.length === 0 || data.id.length > 100) {
    return { ignored: 'a request without an id' }
  }
  if (data.method !== 'wallet_requestExecutionPermissions' && data.method !== 'wallet_grantPermissions') {
    return { ignored: `method ${String(data.method)} is not a permission request` }
  }
  return { request: data as WalletRequest, origin: event.origin }
}

/** Dapp side: an answer is taken only from the wallet window it opened, at the wallet's origin, for its request. */
export function acceptResponse(
  event: MessageLike,
  expected: { popup: unknown; walletOrigin: string; id: string },
): WalletResponse | undefined {
  if (event.origin !== expected.walletOrigin || !expected.popup || event.source !== expected.popup) return undefined
  const data = event.data as Partial<WalletResponse> | null
  if (typeof data !== 'object' || data === null || data.type !== messageType.response || data.id !== expected.id) {
    return undefined
  }
  const okResult = Array.isArray(data.result) && data.result.length > 0 && data.error === undefined
  const okError = data.result === undefined && typeof data.error?.message === 'string'
  return okResult || okError ? (data as WalletResponse) : undefined
}

/** Wallet side: the session a request asks for, in either ERC-7715 shape (hostile input: the SDK checks it all). */
export function sessionFromRequest(
  request: WalletRequest,
  options: { account: Address; now: number },
): { session: Session; ignored: string[] } {
  const params = request.params
  if (request.method === 'wallet_grantPermissions') {
    const first = Array.isArray(params) ? params[0] : params
    return fromErc7715Request(first as Erc7715Request, options)
  }
  return fromExecutionPermissionRequests(params as ExecutionPermissionRequest[], options)
}

/** Wallet side: the response for a granted session: the request echoed, with the account and the context. */
export function grantedResponse(request: WalletRequest, session: Session, context: Hex): ExecutionPermissionResponse[] {
  if (request.method === 'wallet_grantPermissions') {
    return [
      {
        chainId: `0x${session.chainId.toString(16)}` as Hex,
        from: session.account,
        to: session.sessionKey,
        permission: { type: 'session-keys/session', data: (request.params as unknown[])[0] },
        context,
        dependencies: [],
      },
    ]
  }
  return (request.params as ExecutionPermissionRequest[]).map((entry) => ({
    ...entry,
    from: session.account,
    context,
    dependencies: [],
  }))
}
