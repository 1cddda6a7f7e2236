// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title PolicyFlags
/// @notice Bits of the packed policy words, in one place so that storage, validation and the
/// SDK agree (src/policy/policyFlags.ts mirrors this file).
library PolicyFlags {
    // ── Permission.flags (given by the owner) ──
    uint8 internal constant PERMISSION_DELEGATECALL = 1 << 0;
    uint8 internal constant PERMISSION_TRY_MODE = 1 << 1;
    uint8 internal constant PERMISSION_EMPTY_CALLDATA = 1 << 2;
    /// @dev Any destination (the permission's target is 0), only with an argument rule on
    /// every method; limits count per destination.
    uint8 internal constant PERMISSION_ANY_TARGET = 1 << 3;

    // ── TargetPolicy.flags (stored) ──
    uint256 internal constant TARGET_PERMITTED = 1 << 0;
    uint256 internal constant TARGET_TOKEN_LIMITED = 1 << 1;
    uint256 internal constant TARGET_OTHER_SELECTORS = 1 << 2;
    // bits 3-6: TokenCallLib.flagOf (transfer, approve, transferFrom, increaseAllowance)
    uint256 internal constant TARGET_TOKEN_RULES = 1 << 7;
    uint256 internal constant TARGET_VALUE = 1 << 8;
    uint256 internal constant TARGET_USES_LIMITED = 1 << 9;
    uint256 internal constant TARGET_DELEGATECALL = 1 << 10;
    uint256 internal constant TARGET_TRY_MODE = 1 << 11;
    uint256 internal constant TARGET_EMPTY_CALLDATA = 1 << 12;
    uint256 internal constant TARGET_VALUE_PER_CALL_LIMITED = 1 << 13;
    uint256 internal constant TARGET_VALUE_TOTAL_LIMITED = 1 << 14;
    /// @dev The destination's only token-function rule sits in its record's fourth slot
    /// (TargetPolicy.tokenRule): one extra read, no selector record.
    uint256 internal constant TARGET_TOKEN_RULE_INLINE = 1 << 15;

    // ── SessionState.flags (stored) ──
    uint8 internal constant SESSION_PAYMASTERS = 1 << 0;
    uint8 internal constant SESSION_GAS_UNLIMITED = 1 << 1;
    /// @dev Some destination has recurring limits: the operation's signature must claim a time.
    uint8 internal constant SESSION_RECURRING = 1 << 2;
    /// @dev The owner rotated the session's key: the signer must be SessionState.key.
    uint8 internal constant SESSION_KEY_ROTATED = 1 << 3;
    /// @dev Some permission applies to any destination (stored at destination 0).
    uint8 internal constant SESSION_ANY_TARGET = 1 << 4;

    // ── TargetPolicy.period flags (bits 128-135 of slot 4) ──
    uint256 internal constant PERIOD_TOKEN_LIMITED = 1 << 0;
    uint256 internal constant PERIOD_VALUE_LIMITED = 1 << 1;
    uint256 internal constant PERIOD_USES_LIMITED = 1 << 2;

    // ── ArgRule.condition ──
    uint8 internal constant EQ = 0;
    uint8 internal constant NEQ = 1;
    uint8 internal constant LT = 2;
    uint8 internal constant LTE = 3;
    uint8 internal constant GT = 4;
    uint8 internal constant GTE = 5;
    uint8 internal constant ONE_OF = 6;
    /// @dev A cumulative sum: the argument, added over every call of the session, stays within
    /// the value (the running total is kept in the stored rule's second value).
    uint8 internal constant SUM_LTE = 7;

    uint256 internal constant MAX_RULES_PER_SELECTOR = 8;
    /// @dev Widest value an inline token rule holds (the slot keeps 64 bits for its header).
    uint256 internal constant INLINE_RULE_MAX_BITS = 192;
    uint256 internal constant MAX_ONE_OF_VALUES = 4;
}
