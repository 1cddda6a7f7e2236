import type { Address, Hex } from 'viem'

/**
 * What a session may call on one destination contract, in the SDK's normal form.
 * `tokenLimit` is the cumulative amount (in the token's base units) that `transfer`,
 * `approve`, `transferFrom` and `increaseAllowance` may move in total; absent means no limit.
 */
export type Permission = {
  target: Address
  selectors: readonly Hex[]
  tokenLimit?: bigint | undefined
}

/**
 * A permission in the words of the original session-key docs.
 *
 * @example
 * { whitelistDestination: usdc, whitelistMethods: ['transfer(address,uint256)'], tokenAmount: 1000n * 10n ** 6n }
 */
export type SeedPermission = {
  /** The contract the session may call. */
  whitelistDestination: Address
  /** Functions it may call there: selectors (`0xa9059cbb`) or signatures (`transfer(address,uint256)`). */
  whitelistMethods: readonly string[]
  /** Cumulative token amount in base units (bigint, safe integer, or a string of digits). */
  tokenAmount?: bigint | number | string | undefined
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
  /** The session key's address (the dapp holds its private key). */
  sessionKey: Address
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
}
