import type { Address, Hex } from 'viem'

/**
 * How an argument is compared (unsigned for lt/lte/gt/gte). `sumLte`: a cumulative sum — the
 * argument added over every call the session makes with this method stays within the value.
 */
export type RuleCondition = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'oneOf' | 'sumLte'

/**
 * An argument rule in the SDK's normal form, what the module stores: the argument's word
 * index after the selector, its width in bits, and 32-byte values. `method`, `arg` and
 * `type` say what it was built from, for display.
 */
export type ArgRule = {
  selector: Hex
  word: number
  condition: RuleCondition
  bits: number
  values: readonly Hex[]
  method?: string | undefined
  arg?: string | undefined
  type?: string | undefined
}

/**
 * An argument rule as a person writes it.
 *
 * @example
 * { method: 'transfer(address to, uint256 amount)', arg: 'to', condition: 'eq', value: shop }
 * { method: 'transfer(address,uint256)', arg: 1, condition: 'lte', value: 100n * 10n ** 6n }
 * { method: 'deposit(uint256 assets, address receiver)', arg: 'assets', condition: 'sumLte', value: 10n ** 9n }
 */
export type ArgRuleInput = {
  /** The function's signature with its argument types (names optional). */
  method: string
  /** The argument, by name or by position (0 = first). */
  arg: string | number
  condition: RuleCondition
  /** The value to compare with; an array of 1 to 4 values for `oneOf`. */
  value: unknown
}

/**
 * Limits that renew every `period` seconds, counted from `start` (seconds): period `k` is
 * `[start + k·period, start + (k+1)·period - 1]`. At least one limit is given; each counts
 * what the permission's lifetime limit of the same name counts, and both apply.
 * - `tokenLimit`: token amount per period (`transfer`, `approve`, `transferFrom`, `increaseAllowance`).
 * - `valueLimit`: native value per period.
 * - `maxUses`: calls to the destination per period (a rate limit).
 */
export type Recurrence = {
  period: number
  start: number
  tokenLimit?: bigint | undefined
  valueLimit?: bigint | undefined
  maxUses?: bigint | undefined
}

/**
 * Recurring limits as a person writes them.
 *
 * @example
 * { period: 'day', tokenAmount: 10n * 10n ** 6n } // 10 USDC a day
 * { period: 60, maxUses: 5 } // at most 5 calls a minute
 */
export type RecurrenceInput = {
  /** `'hour'`, `'day'` (86,400 s), `'week'` (604,800 s), or seconds. */
  period: 'hour' | 'day' | 'week' | number
  /** When the first period starts; defineSession uses the session's start (or now). */
  start?: Timestamp | undefined
  /** Token amount per period (base units); `tokenLimit` is the same. */
  tokenAmount?: AmountInput | undefined
  tokenLimit?: AmountInput | undefined
  /** Native value per period (wei). */
  valueLimit?: AmountInput | undefined
  /** Calls per period. */
  maxUses?: AmountInput | undefined
}

/** Native value a permission allows: per call and in total (absent fields: no limit). */
export type ValueLimit = { perCall?: bigint | undefined; total?: bigint | undefined }

/**
 * What a session may do on one destination contract, in the SDK's normal form.
 * - `tokenLimit`: the cumulative amount (base units) that `transfer`, `approve`,
 *   `transferFrom` and `increaseAllowance` may move in total; absent: no limit.
 * - `valueLimit`: native value allowed; absent: none.
 * - `maxUses`: how many calls may go to this destination; absent: no limit.
 * - `rules`: conditions on static arguments of the listed selectors.
 * - `allowDelegatecall`, `allowTryMode`: the ERC-7579 call types a session may use with
 *   this destination (both refused by default); `allowEmptyCalldata`: plain value transfers.
 */
export type Permission = {
  /** The destination; the zero address for an `anyDestination` permission. */
  target: Address
  /**
   * The permission applies to every destination no other permission of the session lists
   * (`target` is the zero address): each method needs an argument rule, no native value,
   * delegatecall, try-mode, empty calldata or recurring limits; `tokenLimit` and `maxUses`
   * count per destination ("at most N of each token").
   */
  anyDestination?: boolean | undefined
  selectors: readonly Hex[]
  /** How each selector was written (signature or selector), for display; same order. */
  methods?: readonly string[] | undefined
  tokenLimit?: bigint | undefined
  valueLimit?: ValueLimit | undefined
  maxUses?: bigint | undefined
  rules?: readonly ArgRule[] | undefined
  /** Limits that renew every period, beside the lifetime ones. */
  recurring?: Recurrence | undefined
  allowDelegatecall?: boolean | undefined
  allowTryMode?: boolean | undefined
  allowEmptyCalldata?: boolean | undefined
}

/** A bigint, a safe integer, or a string of digits (base units). */
export type AmountInput = bigint | number | string

/**
 * A permission in the words of the original session-key docs, with the optional rules.
 *
 * @example
 * { whitelistDestination: usdc, whitelistMethods: ['transfer(address,uint256)'], tokenAmount: 1000n * 10n ** 6n }
 */
export type SeedPermission = {
  /**
   * The contract the session may call, or `'any'`: any contract no other permission lists,
   * with an argument rule on every method (e.g. `approve` on any token, to one spender only).
   */
  whitelistDestination: Address | 'any'
  /** Functions it may call there: selectors (`0xa9059cbb`) or signatures (`transfer(address,uint256)`). */
  whitelistMethods: readonly string[]
  /** Cumulative token amount in base units. */
  tokenAmount?: AmountInput | undefined
  /** Native value allowed, per call and in total (absent: none). */
  valueLimit?: { perCall?: AmountInput | undefined; total?: AmountInput | undefined } | undefined
  /** How many calls may go to this destination. */
  maxUses?: AmountInput | undefined
  /** Conditions on arguments. */
  rules?: readonly (ArgRuleInput | ArgRule)[] | undefined
  /** Limits that renew every period ("10 USDC a day", "5 calls a minute"). */
  recurring?: RecurrenceInput | undefined
  allowDelegatecall?: boolean | undefined
  allowTryMode?: boolean | undefined
  allowEmptyCalldata?: boolean | undefined
}

/** Either form of permission accepted by {@link defineSession}. */
export type PermissionInput = Permission | SeedPermission

/** A point in time: seconds since the epoch (number or bigint), or a `Date`. */
export type Timestamp = number | bigint | Date

/** The session's validity, in the words of the original docs. */
export type SessionValidity = {
  /** When the session starts; by default it is usable as soon as it is granted. */
  startTimestamp?: Timestamp | undefined
  /** When the session ends (required: a session always ends). */
  endTimestamp: Timestamp
  /** Whether the session is usable as soon as it is created; defaults to `true`. */
  enable?: boolean | undefined
}

/**
 * A session: everything the owner approves, and what the dapp needs to use it. It holds no
 * private key. `id` is `keccak256(abi.encode(sessionKey, salt))`.
 */
export type Session = {
  /** The smart account the session acts for. */
  account: Address
  /** The chain the session is granted on. */
  chainId: number
  /** The session-key validator module. */
  module: Address
  /** The session key's address (the dapp holds its private key); with `salt`, it makes the id. */
  sessionKey: Address
  /**
   * The key that signs for the session since the owner rotated it (`getRotateSessionKeyCalls`):
   * the id, terms and counters stay those of `sessionKey`'s session. Absent: `sessionKey` signs.
   */
  rotatedKey?: Address | undefined
  /** Random salt that makes the id unique. */
  salt: Hex
  /** The session id. */
  id: Hex
  /** Start of the window, seconds. */
  validAfter: number
  /** End of the window, seconds. */
  validUntil: number
  /** Whether the session is created enabled. */
  enabled: boolean
  /** What the session may call. */
  permissions: readonly Permission[]
  /** The only paymasters its operations may name (empty: none). */
  paymasters: readonly Address[]
  /**
   * The most wei its operations may cost in total, at their signed gas limits and max fee,
   * whoever pays (a listed paymaster that charges in tokens converts at most this much).
   * `'unlimited'` only by explicit opt-in, and shown as a warning.
   */
  gasBudget: bigint | 'unlimited'
}
