// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// ───────────────────────────── what the owner grants ─────────────────────────────

/// @notice A condition on one static ABI argument of a call.
/// @dev `word` is the index of the argument's 32-byte word after the selector (the SDK
/// computes it from the function's ABI and refuses dynamic arguments, whose head word is an
/// offset the caller controls). `bits` is the argument's width (160 for an address, 8 for a
/// uint8, 256 for a uint256/bytes32): a word with dirty bits above it is refused, so a
/// decoder that masks can never see a different value than the rule did. Comparisons are
/// unsigned. `values` holds one value, or up to 4 for ONE_OF.
struct ArgRule {
    bytes4 selector;
    uint8 word;
    uint8 condition;
    uint16 bits;
    bytes32[] values;
}

/// @notice What a session may do on one destination contract (the seed's
/// `{ whitelistDestination, whitelistMethods, tokenAmount }`, and more).
/// @dev Limits are "no limit" when `type(uint256).max`; any other limit must fit in the
/// width of its counter (token 120 bits, value 128 bits, uses 64 bits).
/// - `tokenLimit`: cumulative amount moved by `transfer`, `approve`, `transferFrom` and
///   `increaseAllowance` on this destination, all counted together.
/// - `valueLimitPerCall` / `valueLimitTotal`: native value per call and in total. With both
///   at 0 no value may be sent.
/// - `maxUses`: how many calls the session may make to this destination in all.
/// - `flags`: PERMISSION_DELEGATECALL, PERMISSION_TRY_MODE, PERMISSION_EMPTY_CALLDATA.
/// - `recurring`: limits that renew every period (all zero: none), beside the lifetime ones.
struct Permission {
    address target;
    bytes4[] selectors;
    uint256 tokenLimit;
    uint256 valueLimitPerCall;
    uint256 valueLimitTotal;
    uint256 maxUses;
    uint8 flags;
    ArgRule[] rules;
    Recurrence recurring;
}

/// @notice Limits of one permission that renew every `period` seconds, counted from `start`:
/// period `k` is `[start + k·period, start + (k+1)·period - 1]`. All zero: no recurring limit.
/// @dev Validation never reads the clock: the operation's signature claims a time, the module
/// charges the counters of the period that time falls in (a period before the one last
/// charged is refused) and narrows the `validAfter`/`validUntil` it returns to that period,
/// so the EntryPoint refuses the operation outside it. Each limit is "no limit" when
/// `type(uint256).max`; at least one must be finite. Widths: token 120 bits, value 128,
/// uses 56. `start` is not 0 and `period` is at least 1 second.
/// - `tokenLimit`: token amount per period (the same token functions as `tokenLimit`).
/// - `valueLimit`: native value per period.
/// - `maxUses`: calls to the destination per period (a rate limit).
struct Recurrence {
    uint48 start;
    uint32 period;
    uint256 tokenLimit;
    uint256 valueLimit;
    uint256 maxUses;
}

/// @notice Everything the owner approves when granting a session.
/// @dev The session id is `keccak256(abi.encode(sessionKey, salt))`. `paymasters` lists the
/// only paymasters the session's operations may name (empty: none). `gasBudget` caps the
/// total wei the session's operations may cost at their signed gas limits and max fee,
/// whoever pays (the account, or a listed paymaster that may charge the account in tokens);
/// at most 2^104 - 1. `type(uint256).max` is the explicit opt-in to no cap, recorded as such
/// (SESSION_GAS_UNLIMITED); there is no other way to create a session without a finite bound.
struct SessionConfig {
    address sessionKey;
    bytes32 salt;
    uint48 validAfter;
    uint48 validUntil;
    bool enabled;
    address[] paymasters;
    uint256 gasBudget;
    Permission[] permissions;
}

// ───────────────────────────── how it is stored ─────────────────────────────

/// @dev Slot 0 is read by every validation, and written back when the gas budget is charged
/// (`gasLeft`, the wei still unspent, shares the slot so the charge costs no extra read).
/// In a session without a gas budget (SESSION_GAS_UNLIMITED) the same field counts its
/// operations instead, so every operation moves this slot (see `getSessionUsageHash`).
/// `epoch` is the account's revocation count when the session was created. The budget as
/// granted is in the owner's session (and the grant); the chain keeps what is left. Slot 1
/// holds the key the owner rotated the session to, read only when SESSION_KEY_ROTATED is set.
struct SessionState {
    uint48 validAfter;
    uint48 validUntil;
    uint32 epoch;
    uint8 status;
    bool enabled;
    uint8 flags;
    uint104 gasLeft;
    address key;
}

/// @dev Slot 0 is read for every call to the destination (for an ERC-20 call it is the only
/// one); slots 1 and 2 only when the destination has value or use limits; slot 3 only for a
/// token call when the destination's one token-function rule is stored inline
/// (TARGET_TOKEN_RULE_INLINE): `selector (32) | condition (8) | word (8) | bits (16) | value (192)`,
/// from the high bits down. Slots 4 to 6 hold the recurring limits, read only in a session
/// with recurring limits (SESSION_RECURRING): slot 4 is
/// `start (48) | period (32) | index (48) | flags (8) | maxUses (56) | uses (64)` from the low
/// bits up, where `index` is the period last charged; slots 5 and 6 the token and value
/// counters of that period. A period after `index` starts from zero.
struct TargetPolicy {
    uint16 flags;
    uint120 tokenLimit;
    uint120 tokenSpent;
    uint128 valueLimitPerCall;
    uint64 maxUses;
    uint64 uses;
    uint128 valueLimitTotal;
    uint128 valueSpent;
    uint256 tokenRule;
    uint256 period;
    uint120 periodTokenLimit;
    uint120 periodTokenSpent;
    uint128 periodValueLimit;
    uint128 periodValueSpent;
}

/// @dev One argument rule: a header and up to four values (5 slots).
struct StoredRule {
    uint8 condition;
    uint8 word;
    uint16 bits;
    uint8 count;
    bytes32[4] values;
}

/// @dev A permitted selector and its rules: at most 8 rules, so the record spans
/// 1 + 8 × 5 = 41 slots, inside the 128 slots ERC-7562 associates with the account.
struct SelectorPolicy {
    bool allowed;
    uint8 ruleCount;
    StoredRule[8] rules;
}

/// @dev The module's whole storage, from slot 0: one mapping per record kind, each keyed last
/// by the account (ERC-7562 associated storage). The module and SessionStoreLib (reached by
/// DELEGATECALL, on the module's storage) share it through this one declaration.
/// `sessions`: slot = keccak(account . keccak(sessionId . 0)). `targets`: targetKey =
/// keccak(sessionId, target), 7 slots. `selectors`: selectorKey = keccak(sessionId, target,
/// selector), 41 slots. `paymasters`: keccak(sessionId, paymaster). `epochs`: keyed by the
/// account itself, `revocationCount << 96 | random96`: the count never repeats (a revoked
/// session never comes back), the random part makes the value after a revocation unknowable.
struct SessionStore {
    mapping(bytes32 sessionId => mapping(address account => SessionState)) sessions;
    mapping(bytes32 targetKey => mapping(address account => TargetPolicy)) targets;
    mapping(bytes32 selectorKey => mapping(address account => SelectorPolicy)) selectors;
    mapping(bytes32 paymasterKey => mapping(address account => bool)) paymasters;
    mapping(address account => uint128) epochs;
}
