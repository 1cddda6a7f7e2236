import { type Address, type Hex, numberToHex } from 'viem'
import { TRANSFER } from '../constants/tokenFunctions.js'
import { InvalidParameterError } from '../errors/parameter.js'
import type { ArgRule, PermissionInput, RecurrenceInput, Session } from '../policy/dataTypes.js'
import { maxGasBudget, maxTokenLimit, parseAddress, parseAmount, parseTimestamp } from '../utils/parse.js'
import { type DefineSessionParameters, defineSession } from './defineSession.js'
import { assertSession } from './encode.js'

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
  | {
      type: 'erc20-token-periodic'
      data: { tokenAddress: Address; periodAmount: Hex | bigint; periodDuration: number; startTime?: number }
    }
  | { type: 'native-token-periodic'; data: { periodAmount: Hex | bigint; periodDuration: number; startTime?: number } }
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

/** Custom types this SDK writes and reads, for what ERC-7715 has no type for. */
const custom = {
  /** Session-wide terms: start, enabled, paymasters, gas budget (a permission). */
  session: 'session-keys/session',
  /** Argument rules of a permission (a policy). */
  rules: 'session-keys/argument-rules',
  /** Native value per call and in total of a permission (a policy). */
  value: 'session-keys/value-limit',
  /** ERC-7579 call types a permission allows (a policy). */
  callTypes: 'session-keys/call-types',
  /** Limits that renew every period: `{ period, start, tokenAmount?, valueLimit?, maxUses? }`. */
  recurring: 'session-keys/recurring',
  /** Methods on any contract no other permission names, `{ calls }` (a permission; each call needs a rule). */
  anyDestination: 'session-keys/any-destination-call',
} as const

type Raw = Record<string, unknown>

/**
 * Converts an ERC-7715 `wallet_grantPermissions` request into a session. The SDK never
 * grants more than was asked: every policy (a restriction) is either enforced exactly or
 * refused; a permission type that cannot be expressed is refused when required, and left
 * out (listed in `ignored`) when optional, since leaving a permission out only narrows the
 * session. Maps: contract calls, ERC-20 transfers, token allowances (on an ERC-20 transfer
 * or on a contract call of token functions), a native allowance (with exactly one contract
 * destination), call counts (`rate-limit`: over the whole session when its interval covers
 * it, else renewing every interval), periodic allowances (`erc20-token-periodic`,
 * `native-token-periodic`), the expiry, and this SDK's own custom types (argument rules, value
 * limits, call types, recurring limits, paymasters, gas budget, start, enabled), so that a
 * round trip loses nothing.
 *
 * @throws {InvalidParameterError} naming the field that is malformed or cannot be enforced.
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
  const r = object(request, 'request')
  const account = parseAddress(r.address ?? options?.account, 'request.address')
  const chainId = parseChainId(r.chainId)
  const expiry = parseTimestamp(r.expiry, 'request.expiry')
  const signer = object(r.signer, 'request.signer')
  if (signer.type !== 'account' && signer.type !== 'key') {
    throw new InvalidParameterError({
      field: 'request.signer.type',
      value: signer.type,
      reason: 'only an account or key signer maps to a session key',
    })
  }
  const sessionKey = parseAddress(object(signer.data, 'request.signer.data').id, 'request.signer.data.id')
  const now = options?.now ?? Math.floor(Date.now() / 1000)
  const list = r.permissions
  if (!Array.isArray(list) || list.length === 0) {
    throw new InvalidParameterError({ field: 'request.permissions', value: list, reason: 'not a non-empty array' })
  }
  const ignored: string[] = []
  const permissions: PermissionInput[] = []
  let nativeAllowance: bigint | undefined
  let nativePeriodic: Raw | undefined
  let terms: Raw = {}

  // Session-wide terms first: the start bounds what a rate limit's interval must cover.
  list.forEach((entry, i) => {
    const p = object(entry, `request.permissions[${i}]`)
    if (customName(p.type) === custom.session) terms = object(p.data, `request.permissions[${i}].data`)
  })
  const validAfter = terms.validAfter === undefined ? 0 : parseTimestamp(terms.validAfter, 'session.validAfter')
  const span = expiry - Math.max(now, validAfter)

  list.forEach((entry, i) => {
    const field = `request.permissions[${i}]`
    const p = object(entry, field)
    if (p.required !== undefined && typeof p.required !== 'boolean') {
      throw new InvalidParameterError({ field: `${field}.required`, value: p.required, reason: 'not a boolean' })
    }
    if (customName(p.type) === custom.session) return
    const policies = p.policies ?? []
    if (!Array.isArray(policies)) {
      throw new InvalidParameterError({ field: `${field}.policies`, value: policies, reason: 'not an array' })
    }
    const restrictions: Raw = {}
    policies.forEach((entry, j) => {
      const pfield = `${field}.policies[${j}]`
      const policy = object(entry, pfield)
      const isRules = customName(policy.type) === custom.rules
      const data = isRules ? {} : object(policy.data, `${pfield}.data`)
      if (policy.type === 'token-allowance') {
        restrictions.tokenAmount = parseAmount(
          toBigInt(data.allowance, `${pfield}.data.allowance`),
          `${pfield}.data.allowance`,
          maxTokenLimit,
        )
      } else if (policy.type === 'rate-limit') {
        const count = parseAmount(data.count, `${pfield}.data.count`, 2n ** 64n - 1n)
        const interval = data.interval
        if (typeof interval !== 'number' || !Number.isSafeInteger(interval) || interval < 1) {
          throw new InvalidParameterError({
            field: `${pfield}.data.interval`,
            value: interval,
            reason: 'not an interval in seconds',
          })
        }
        // A count over the whole session is a lifetime limit; a shorter interval renews.
        if (interval >= span) restrictions.maxUses = count
        else
          restrictions.recurring = withRecurring(
            restrictions.recurring as Raw | undefined,
            { period: interval, maxUses: count },
            pfield,
          )
      } else if (customName(policy.type) === custom.recurring) {
        restrictions.recurring = withRecurring(
          restrictions.recurring as Raw | undefined,
          recurringOf(data, `${pfield}.data`),
          pfield,
        )
      } else if (isRules) {
        if (!Array.isArray(policy.data)) {
          throw new InvalidParameterError({
            field: `${pfield}.data`,
            value: policy.data,
            reason: 'not an array of rules',
          })
        }
        restrictions.rules = policy.data as ArgRule[]
      } else if (customName(policy.type) === custom.value) {
        restrictions.valueLimit = {
          ...(data.perCall === undefined ? {} : { perCall: toBigInt(data.perCall, `${pfield}.data.perCall`) }),
          ...(data.total === undefined ? {} : { total: toBigInt(data.total, `${pfield}.data.total`) }),
        }
      } else if (customName(policy.type) === custom.callTypes) {
        for (const flag of ['allowDelegatecall', 'allowTryMode', 'allowEmptyCalldata'] as const) {
          if (data[flag] !== undefined) restrictions[flag] = data[flag]
        }
      } else {
        // A policy restricts: leaving one out would grant more than was asked.
        throw new InvalidParameterError({
          field: pfield,
          value: policy.type,
          reason: `policy ${JSON.stringify(policy.type)} cannot be enforced by a session`,
          fix: 'ask without it, or with a policy the session enforces (token-allowance, rate-limit)',
        })
      }
    })
    const data = p.type === 'native-token-transfer' ? {} : object(p.data, `${field}.data`)
    // ERC-7715's periodic allowances (MetaMask's types): a transfer that renews every period.
    const periodic = (amountKey: 'tokenAmount' | 'valueLimit') =>
      withRecurring(
        restrictions.recurring as Raw | undefined,
        {
          period: data.periodDuration,
          ...(data.startTime === undefined ? {} : { start: data.startTime }),
          [amountKey]: toBigInt(data.periodAmount, `${field}.data.periodAmount`),
        },
        `${field}.data`,
      )
    if (p.type === 'contract-call') {
      const calls = data.calls
      if (!Array.isArray(calls)) {
        throw new InvalidParameterError({
          field: `${field}.data.calls`,
          value: calls,
          reason: 'not an array of methods',
        })
      }
      permissions.push({ whitelistDestination: data.address as Address, whitelistMethods: calls, ...restrictions })
    } else if (customName(p.type) === custom.anyDestination) {
      const calls = data.calls
      if (!Array.isArray(calls)) {
        throw new InvalidParameterError({
          field: `${field}.data.calls`,
          value: calls,
          reason: 'not an array of methods',
        })
      }
      permissions.push({ whitelistDestination: 'any', whitelistMethods: calls, ...restrictions })
    } else if (p.type === 'erc20-token-transfer') {
      permissions.push({
        whitelistDestination: data.address as Address,
        whitelistMethods: ['transfer(address,uint256)'],
        ...restrictions,
      })
    } else if (p.type === 'erc20-token-periodic') {
      permissions.push({
        whitelistDestination: data.tokenAddress as Address,
        whitelistMethods: ['transfer(address,uint256)'],
        ...restrictions,
        recurring: periodic('tokenAmount') as RecurrenceInput,
      })
    } else if (p.type === 'native-token-periodic') {
      if (Object.keys(restrictions).length > 0 || nativePeriodic !== undefined) {
        throw new InvalidParameterError({
          field,
          reason: 'a periodic native allowance maps only alone (no policy, one per request)',
          fix: 'request it without policies, together with exactly one contract-call permission',
        })
      }
      nativePeriodic = periodic('valueLimit')
    } else if (p.type === 'native-token-transfer') {
      const { tokenAmount, ...others } = restrictions
      if (tokenAmount === undefined || Object.keys(others).length > 0) {
        throw new InvalidParameterError({
          field,
          reason: 'a native transfer maps only with exactly one token-allowance policy',
          fix: 'add { type: "token-allowance", data: { allowance } }',
        })
      }
      nativeAllowance = tokenAmount as bigint
    } else if (p.required === false) {
      ignored.push(`${field}: permission ${JSON.stringify(p.type)} left out`)
    } else {
      throw new InvalidParameterError({
        field: `${field}.type`,
        value: p.type,
        reason: `permission ${JSON.stringify(p.type)} cannot be expressed as a session permission`,
      })
    }
  })
  if (nativeAllowance !== undefined) {
    if (permissions.length !== 1) {
      throw new InvalidParameterError({
        field: 'request.permissions',
        reason: `a native allowance applies per destination, and the request has ${permissions.length} destinations`,
        fix: 'request the native allowance together with exactly one contract-call permission',
      })
    }
    const only = permissions[0] as Raw
    if (only.valueLimit !== undefined) {
      throw new InvalidParameterError({ field: 'request.permissions', reason: 'two value limits on one destination' })
    }
    permissions[0] = { ...only, valueLimit: { total: nativeAllowance } } as PermissionInput
  }
  if (nativePeriodic !== undefined) {
    if (permissions.length !== 1) {
      throw new InvalidParameterError({
        field: 'request.permissions',
        reason: `a native allowance applies per destination, and the request has ${permissions.length} destinations`,
        fix: 'request the periodic native allowance together with exactly one contract-call permission',
      })
    }
    const only = permissions[0] as Raw
    // Value is allowed (no total beyond what the periods add up to), at most so much per period.
    permissions[0] = {
      ...only,
      valueLimit: only.valueLimit ?? {},
      recurring: withRecurring(only.recurring as Raw | undefined, nativePeriodic, 'request.permissions'),
    } as PermissionInput
  }
  const session = defineSession({
    account,
    chainId,
    sessionKey,
    permissions,
    validity: {
      ...(validAfter === 0 ? {} : { startTimestamp: validAfter }),
      endTimestamp: expiry,
      ...(terms.enabled === undefined ? {} : { enable: terms.enabled as boolean }),
    },
    now,
    module: options?.module,
    salt: options?.salt,
    paymasters: terms.paymasters as Address[] | undefined,
    gasBudget:
      terms.gasBudget === undefined || terms.gasBudget === 'unlimited'
        ? (terms.gasBudget as 'unlimited' | undefined)
        : parseAmount(toBigInt(terms.gasBudget, 'session.gasBudget'), 'session.gasBudget', maxGasBudget),
  })
  return { session, ignored }
}

/**
 * Converts a session into an ERC-7715 request, for wallets that speak it. Everything is
 * carried: what ERC-7715 has no type for (argument rules, value limits, call types, calls on
 * any destination, the start, paymasters, the gas budget) goes in this SDK's custom types, which
 * {@link fromErc7715Request} reads back, so a round trip never widens a session.
 *
 * @example
 * import { toErc7715Request } from 'session-keys'
 * const request = toErc7715Request(session)
 */
export function toErc7715Request(input: Session): Erc7715Request {
  const session = assertSession(input)
  // A count over the whole session: an interval as long as the session itself.
  const interval = session.validUntil - session.validAfter
  const permissions: Erc7715Permission[] = []
  for (const p of session.permissions) {
    const policies: Erc7715Policy[] = []
    if (p.tokenLimit !== undefined) {
      policies.push({ type: 'token-allowance', data: { allowance: numberToHex(p.tokenLimit) } })
    }
    if (p.maxUses !== undefined) policies.push({ type: 'rate-limit', data: { count: Number(p.maxUses), interval } })
    if (p.rules?.length) policies.push({ type: { custom: custom.rules }, data: p.rules })
    if (p.recurring) {
      const { period, start, tokenLimit, valueLimit, maxUses } = p.recurring
      policies.push({
        type: { custom: custom.recurring },
        data: {
          period,
          start,
          ...(tokenLimit === undefined ? {} : { tokenAmount: numberToHex(tokenLimit) }),
          ...(valueLimit === undefined ? {} : { valueLimit: numberToHex(valueLimit) }),
          ...(maxUses === undefined ? {} : { maxUses: numberToHex(maxUses) }),
        },
      })
    }
    if (p.valueLimit) {
      policies.push({
        type: { custom: custom.value },
        data: {
          ...(p.valueLimit.perCall === undefined ? {} : { perCall: numberToHex(p.valueLimit.perCall) }),
          ...(p.valueLimit.total === undefined ? {} : { total: numberToHex(p.valueLimit.total) }),
        },
      })
    }
    if (p.allowDelegatecall || p.allowTryMode || p.allowEmptyCalldata) {
      policies.push({
        type: { custom: custom.callTypes },
        data: {
          ...(p.allowDelegatecall ? { allowDelegatecall: true } : {}),
          ...(p.allowTryMode ? { allowTryMode: true } : {}),
          ...(p.allowEmptyCalldata ? { allowEmptyCalldata: true } : {}),
        },
      })
    }
    const onlyTransfer = p.selectors.length === 1 && p.selectors[0] === TRANSFER
    const calls = p.methods ? [...p.methods] : [...p.selectors]
    permissions.push(
      p.anyDestination
        ? { type: { custom: custom.anyDestination }, data: { calls }, policies, required: true }
        : onlyTransfer
          ? { type: 'erc20-token-transfer', data: { address: p.target }, policies, required: true }
          : {
              type: 'contract-call',
              data: { address: p.target, calls },
              policies,
              required: true,
            },
    )
  }
  permissions.push({
    type: { custom: custom.session },
    data: {
      validAfter: session.validAfter,
      enabled: session.enabled,
      paymasters: [...session.paymasters],
      gasBudget: session.gasBudget === 'unlimited' ? 'unlimited' : numberToHex(session.gasBudget),
    },
    policies: [],
    required: true,
  })
  return {
    chainId: numberToHex(session.chainId),
    address: session.account,
    expiry: session.validUntil,
    signer: { type: 'account', data: { id: session.sessionKey } },
    permissions,
  }
}

/**
 * One entry of ERC-7715's current `wallet_requestExecutionPermissions` request: one
 * permission for the session account `to`, restricted by `rules` (an `expiry` rule, and
 * the same policies as the older shape's, e.g. `token-allowance`; this SDK's custom types
 * are written as their names, e.g. `session-keys/argument-rules`).
 */
export type ExecutionPermissionRequest = {
  chainId: Hex
  /** The account that grants; the wallet chooses it when left out. */
  from?: Address | undefined
  /** The session key's address (the account that will execute). */
  to: Address
  permission: {
    type: string | { custom: string }
    /** This SDK never adjusts a request: it grants what was asked or refuses it. */
    isAdjustmentAllowed?: boolean | undefined
    data: unknown
  }
  rules?: readonly { type: string | { custom: string }; data: unknown }[] | undefined
}

/** One granted entry of a `wallet_requestExecutionPermissions` response. */
export type ExecutionPermissionResponse = ExecutionPermissionRequest & {
  from: Address
  /** Opaque to the dapp's transport; here the serialized session and its grant. */
  context: Hex
  /** Accounts to deploy first (none: the grant deploys the account when needed). */
  dependencies: readonly { factory: Address; factoryData: Hex }[]
}

/**
 * Reads ERC-7715's current `wallet_requestExecutionPermissions` parameters (an array of
 * {@link ExecutionPermissionRequest}) as one session: every entry must name the same chain,
 * account and session key, and carry the same `expiry` rule; each entry's permission, with
 * its other rules as policies, becomes a permission of the session. Then the same checks as
 * {@link fromErc7715Request}: nothing is granted beyond what was asked, and a rule that
 * cannot be enforced is refused.
 *
 * @throws {InvalidParameterError} naming the entry and field that is malformed or cannot be enforced.
 * @example
 * import { fromExecutionPermissionRequests } from 'session-keys'
 * const { session } = fromExecutionPermissionRequests(params, { account, now })
 */
export function fromExecutionPermissionRequests(
  requests: readonly ExecutionPermissionRequest[],
  options: Parameters<typeof fromErc7715Request>[1] = {},
): { session: Session; ignored: string[] } {
  if (!Array.isArray(requests) || requests.length === 0) {
    throw new InvalidParameterError({
      field: 'requests',
      value: requests,
      reason: 'not a non-empty array of permission requests',
      fix: 'pass the params of wallet_requestExecutionPermissions: [{ chainId, to, permission, rules }]',
    })
  }
  const entries = requests.map((entry, i) => object(entry, `requests[${i}]`))
  const first = entries[0]
  const permissions: Erc7715Permission[] = []
  let expiry: unknown
  entries.forEach((entry, i) => {
    const field = `requests[${i}]`
    for (const key of ['chainId', 'from', 'to'] as const) {
      const a = entry[key]
      const b = first[key]
      const same = typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b
      if (!same) {
        throw new InvalidParameterError({
          field: `${field}.${key}`,
          value: a,
          reason: `differs from requests[0].${key}: one session has one chain, account and key`,
          fix: 'send one request per session key',
        })
      }
    }
    const rules = entry.rules ?? []
    if (!Array.isArray(rules)) {
      throw new InvalidParameterError({ field: `${field}.rules`, value: rules, reason: 'not an array' })
    }
    const policies: Erc7715Policy[] = []
    rules.forEach((rule, j) => {
      const r = object(rule, `${field}.rules[${j}]`)
      if (r.type === 'expiry') {
        const timestamp = object(r.data, `${field}.rules[${j}].data`).timestamp
        if (expiry !== undefined && expiry !== timestamp) {
          throw new InvalidParameterError({
            field: `${field}.rules[${j}].data.timestamp`,
            value: timestamp,
            reason: `another expiry than ${expiry}: one session has one end`,
            fix: 'give every entry the same expiry',
          })
        }
        expiry = timestamp
      } else {
        policies.push({ type: asCustom(r.type), data: r.data } as Erc7715Policy)
      }
    })
    const permission = object(entry.permission, `${field}.permission`)
    permissions.push({
      type: asCustom(permission.type),
      data: permission.data,
      policies,
      required: true,
    } as Erc7715Permission)
  })
  if (expiry === undefined) {
    throw new InvalidParameterError({
      field: 'requests[0].rules',
      reason: 'no expiry rule: a session always ends',
      fix: "add { type: 'expiry', data: { timestamp } }",
    })
  }
  return fromErc7715Request(
    {
      chainId: first.chainId as Hex,
      address: first.from as Address | undefined,
      expiry: expiry as number,
      signer: { type: 'account', data: { id: first.to as Address } },
      permissions,
    },
    options,
  )
}

/** This SDK's recurring policy: amounts as hex or decimal strings. */
function recurringOf(data: Raw, field: string): Raw {
  const amount = (key: string) => (data[key] === undefined ? {} : { [key]: toBigInt(data[key], `${field}.${key}`) })
  return {
    period: data.period,
    ...(data.start === undefined ? {} : { start: data.start }),
    ...amount('tokenAmount'),
    ...amount('valueLimit'),
    ...amount('maxUses'),
  }
}

/**
 * Adds recurring limits to a permission's: one period per permission (the module keeps one),
 * and no limit given twice. The limits are checked when the session is defined.
 */
function withRecurring(current: Raw | undefined, more: Raw, field: string): Raw {
  if (current === undefined) return more
  const clash = ['start', 'tokenAmount', 'valueLimit', 'maxUses'].find(
    (key) => current[key] !== undefined && more[key] !== undefined && current[key] !== more[key],
  )
  if (current.period !== more.period || clash) {
    throw new InvalidParameterError({
      field,
      reason: clash
        ? `two recurring ${clash} values on one destination`
        : `recurring limits of ${String(current.period)} s and ${String(more.period)} s on one destination: a permission renews on one period`,
      fix: 'ask for one period per destination',
    })
  }
  return { ...current, ...more }
}

/** A type name of this SDK's (`session-keys/…`) as the older shape's `{ custom }` object. */
function asCustom(type: unknown): unknown {
  return typeof type === 'string' && type.startsWith('session-keys/') ? { custom: type } : type
}

function object(value: unknown, field: string): Raw {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidParameterError({ field, value, reason: 'not an object' })
  }
  return value as Raw
}

function customName(type: unknown): string | undefined {
  return typeof type === 'object' && type !== null && typeof (type as Raw).custom === 'string'
    ? ((type as Raw).custom as string)
    : undefined
}

function parseChainId(value: unknown): number {
  const id =
    typeof value === 'string' && /^0x[0-9a-fA-F]+$/.test(value)
      ? Number(BigInt(value))
      : typeof value === 'number'
        ? value
        : Number.NaN
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new InvalidParameterError({ field: 'request.chainId', value, reason: 'not a chain id (hex)' })
  }
  return id
}

/** A bigint from a bigint, a safe integer, a hex string or a decimal string. */
function toBigInt(value: unknown, field: string): bigint {
  if (typeof value === 'bigint') return value
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value)
  if (typeof value === 'string' && /^(0x[0-9a-fA-F]+|\d+)$/.test(value)) return BigInt(value)
  throw new InvalidParameterError({
    field,
    value,
    reason: 'not an amount',
    fix: 'give a hex or decimal string, or a bigint',
  })
}
