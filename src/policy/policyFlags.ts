// Mirrors contracts/session/lib/PolicyFlags.sol: the bits and numbers storage, validation and
// the SDK agree on. A unit test compares each constant with the Solidity source.

// ── Permission.flags (given by the owner) ──
export const PERMISSION_DELEGATECALL = 1 << 0
export const PERMISSION_TRY_MODE = 1 << 1
export const PERMISSION_EMPTY_CALLDATA = 1 << 2
/** Any destination (target 0), only with an argument rule on every method; limits count per destination. */
export const PERMISSION_ANY_TARGET = 1 << 3

// ── SessionState.flags (stored) ──
export const SESSION_PAYMASTERS = 1 << 0
export const SESSION_GAS_UNLIMITED = 1 << 1
export const SESSION_RECURRING = 1 << 2
/** The owner rotated the session's key (SessionState.key signs). */
export const SESSION_KEY_ROTATED = 1 << 3
/** Some permission applies to any destination. */
export const SESSION_ANY_TARGET = 1 << 4

// ── TargetPolicy.period flags ──
export const PERIOD_TOKEN_LIMITED = 1 << 0
export const PERIOD_VALUE_LIMITED = 1 << 1
export const PERIOD_USES_LIMITED = 1 << 2

// ── ArgRule.condition: the index in this list ──
export const ruleConditions = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'oneOf', 'sumLte'] as const

/** At most this many rules per selector, and this many values for `oneOf` (as on chain). */
export const MAX_RULES_PER_SELECTOR = 8
export const MAX_ONE_OF_VALUES = 4
