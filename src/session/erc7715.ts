import { type Address, type Hex, numberToHex } from 'viem'
import { InvalidParameterError } from '../errors/parameter.js'
import { type DefineSessionParameters, defineSession } from './defineSession.js'
import { assertSession } from './encode.js'
import type { PermissionInput, Session } from './types.js'
import { parseAddress } from './validate.js'

/** A policy of an ERC-7715 permission (the types viem's `grantPermissions` uses). */
export type Erc7715Policy =
  | { type: 'token-allowance'; data: { allowance: bigint | string } }
  | { type: 'gas-limit'; data: { limit: bigint | string } }
  | { type: 'rate-limit'; data: { count: number; interval: number } }
  | { type: { custom: string }; data: unknown }

/** A permission of an ERC-7715 `wallet_grantPermissions` request. */
export type Erc7715Permission = (
  | { type: 'contract-call'; data: { address: Address; calls: readonly string[] } }
  | { type: 'erc20-token-transfer'; data: { address: Address; ticker?: string } }
  | { type: 'native-token-transfer'; data: { ticker?: string } }
  | { type: { custom: string }; data: unknown }
) & { policies: readonly Erc7715Policy[]; required?: boolean | undefined }

/** One entry of a `wallet_grantPermissions` request. */
export type Erc7715Request = {
  chainId: Hex
  address?: Address | undefined
  expiry: number
  signer: { type: 'account'; data: { id: Address } } | { type: 'key'; data: { id: string } }
  permissions: readonly Erc7715Permission[]
}

/**
 * Converts an ERC-7715 `wallet_grantPermissions` request into a session, for the permission
 * types that map: contract calls, ERC-20 allowances, a native allowance (with exactly one
 * contract destination), a total call count (rate limit over the whole session) and the
 * expiry. A required permission or policy that cannot be expressed is refused; an optional
 * one is left out and listed in `ignored`.
 *
 * @throws {InvalidParameterError} naming the field that cannot be mapped.
 * @example
 * import { fromErc7715Request } from 'session-keys'
 * const { session } = fromErc7715Request(request, { account, now })
 */
export function fromErc7715Request(
  request: Erc7715Request,
  options: { account?: Address | undefined; now?: number | undefined } & Pick<
    DefineSessionParameters,
    'module' | 'salt'
  > = {},
): { session: Session; ignored: string[] } {
  if (typeof request !== 'object' || request === null) {
    throw new InvalidParameterError({ field: 'request', value: request, reason: 'not an ERC-7715 request object' })
  }
  const account = parseAddress(request.address ?? options.account, 'request.address')
  const chainId = Number(request.chainId)
  const signer = request.signer
  if (!signer || (signer.type !== 'account' && signer.type !== 'key')) {
    throw new InvalidParameterError({
      field: 'request.signer.type',
      value: (signer as { type?: unknown } | undefined)?.type,
      reason: 'only an account or key signer maps to a session key',
    })
  }
  const sessionKey = parseAddress(signer.data?.id, 'request.signer.data.id')
  const ignored: string[] = []
  const permissions: PermissionInput[] = []
  let nativeAllowance: bigint | undefined
  const now = options.now ?? Math.floor(Date.now() / 1000)

  const unsupported = (field: string, what: string, required: boolean | undefined) => {
    if (required) {
      throw new InvalidParameterError({ field, reason: `${what} cannot be expressed as a session permission` })
    }
    ignored.push(`${field}: ${what}`)
  }

  request.permissions.forEach((permission, i) => {
    const field = `request.permissions[${i}]`
    let tokenLimit: bigint | undefined
    let maxUses: number | undefined
    for (const [j, policy] of (permission.policies ?? []).entries()) {
      const pfield = `${field}.policies[${j}]`
      if (policy.type === 'token-allowance') tokenLimit = BigInt(policy.data.allowance)
      else if (policy.type === 'rate-limit' && policy.data.interval >= request.expiry - now) maxUses = policy.data.count
      else unsupported(pfield, `policy ${JSON.stringify(policy.type)}`, permission.required)
    }
    if (permission.type === 'contract-call') {
      permissions.push({
        whitelistDestination: permission.data.address,
        whitelistMethods: permission.data.calls,
        ...(maxUses === undefined ? {} : { maxUses }),
      })
    } else if (permission.type === 'erc20-token-transfer') {
      permissions.push({
        whitelistDestination: permission.data.address,
        whitelistMethods: ['transfer(address,uint256)'],
        ...(tokenLimit === undefined ? {} : { tokenAmount: tokenLimit }),
        ...(maxUses === undefined ? {} : { maxUses }),
      })
    } else if (permission.type === 'native-token-transfer') {
      nativeAllowance = tokenLimit
      if (nativeAllowance === undefined) unsupported(field, 'a native transfer without an allowance', true)
    } else {
      unsupported(field, `permission ${JSON.stringify(permission.type)}`, permission.required)
    }
  })
  if (nativeAllowance !== undefined) {
    const contracts = permissions.length
    if (contracts !== 1) {
      throw new InvalidParameterError({
        field: 'request.permissions',
        reason: `a native allowance applies per destination, and the request has ${contracts} destinations`,
        fix: 'request the native allowance together with exactly one contract-call permission',
      })
    }
    permissions[0] = { ...permissions[0], valueLimit: { total: nativeAllowance } } as PermissionInput
  }
  const session = defineSession({
    account,
    chainId,
    sessionKey,
    permissions,
    validity: { endTimestamp: request.expiry },
    now,
    module: options.module,
    salt: options.salt,
  })
  return { session, ignored }
}

/**
 * Converts a session into an ERC-7715 request, for wallets that speak it. Argument rules,
 * paymasters and the gas budget have no ERC-7715 form and are carried as custom policies.
 *
 * @example
 * import { toErc7715Request } from 'session-keys'
 * const request = toErc7715Request(session)
 */
export function toErc7715Request(input: Session): Erc7715Request {
  const session = assertSession(input)
  const window = session.validUntil - Math.max(session.validAfter, 0)
  const permissions: Erc7715Permission[] = []
  for (const p of session.permissions) {
    const policies: Erc7715Policy[] = []
    if (p.maxUses !== undefined)
      policies.push({ type: 'rate-limit', data: { count: Number(p.maxUses), interval: window } })
    if (p.rules?.length) {
      policies.push({ type: { custom: 'session-keys/argument-rules' }, data: p.rules })
    }
    const onlyTransfer = p.selectors.length === 1 && p.selectors[0] === '0xa9059cbb'
    if (onlyTransfer && p.tokenLimit !== undefined) {
      policies.push({ type: 'token-allowance', data: { allowance: p.tokenLimit } })
      permissions.push({ type: 'erc20-token-transfer', data: { address: p.target }, policies, required: true })
    } else {
      permissions.push({
        type: 'contract-call',
        data: { address: p.target, calls: p.methods ? [...p.methods] : [...p.selectors] },
        policies,
        required: true,
      })
    }
    if (p.valueLimit?.total !== undefined) {
      permissions.push({
        type: 'native-token-transfer',
        data: { ticker: 'ETH' },
        policies: [{ type: 'token-allowance', data: { allowance: p.valueLimit.total } }],
        required: true,
      })
    }
  }
  return {
    chainId: numberToHex(session.chainId),
    address: session.account,
    expiry: session.validUntil,
    signer: { type: 'account', data: { id: session.sessionKey } },
    permissions,
  }
}
